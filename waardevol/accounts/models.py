from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class OIDCIdentity(models.Model):
    """An account at a municipality's identity provider, linked to one of our users.

    The provider's `sub` is unique and stable per issuer; an e-mail address is neither (it can
    change, and be reused), so a login is matched on (issuer, subject) only.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="oidc_identities", verbose_name=_("gebruiker"))
    issuer = models.CharField(_("uitgever"), max_length=255)
    subject = models.CharField(_("kenmerk (sub)"), max_length=255)
    created_at = models.DateTimeField(_("gekoppeld op"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisatie-account")
        verbose_name_plural = _("organisatie-accounts")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class Session(AbstractBaseSession):
    """Django's login session (read from the cache, written through to the database, as
    `cached_db`) with the account it belongs to, so that blocking an account ends its sessions at
    once (see sessions.py). Django's own session table has no such column."""

    account_id = models.IntegerField(_("account"), null=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
