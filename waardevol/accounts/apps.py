from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who may see what: access helpers, login, invitations and members.

    The models it is about (Municipality, Membership, Invitation) stay in `assessments`: moving
    them would rewrite the migrations of every database in use for no change in behaviour.
    """

    name = "waardevol.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from waardevol import security  # noqa: F401 (registers the trusted-proxy checks)

        from .backends import user_changed

        # The cached user of a request (backends.py) is dropped as soon as its row changes.
        user_model = get_user_model()
        post_save.connect(user_changed, sender=user_model, dispatch_uid="forget-cached-user")
        post_delete.connect(user_changed, sender=user_model,
                            dispatch_uid="forget-cached-user-delete")

        # Every admin, ours and the packages', checks what Django's admin passes to the database
        # unchecked. django.contrib.admin (earlier in INSTALLED_APPS) has registered them all.
        from django.contrib import admin

        from waardevol.admin_guards import guard_every_admin

        guard_every_admin(admin.site)
