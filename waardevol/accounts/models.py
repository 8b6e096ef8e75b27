from django.conf import settings
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
