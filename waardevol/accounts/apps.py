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
        from waardevol import security  # noqa: F401 (registers the trusted-proxy checks)
