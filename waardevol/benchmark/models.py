"""Which municipalities share their results in the national benchmark."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Municipality


class BenchmarkParticipation(models.Model):
    """A municipality's choice to be counted in the national benchmark. Privacy first: without a
    row, or with `opted_in` off, none of its assessments is ever counted. Only anonymised
    aggregates leave the municipality; its beheerders decide."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="benchmark_participation",
        verbose_name=_("gemeente"))
    opted_in = models.BooleanField(
        _("doet mee aan de landelijke vergelijking"), default=False,
        help_text=_("Alleen geanonimiseerde totalen per perspectief worden gedeeld: geen "
                    "projectnamen, toelichtingen of personen."))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("gewijzigd door"))
    changed_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("deelname aan de landelijke vergelijking")
        verbose_name_plural = _("deelnames aan de landelijke vergelijking")
        # The benchmark's queries start from the municipalities that opted in.
        indexes = [models.Index(fields=["opted_in", "municipality"],
                                name="benchmark_opted_in")]

    def __str__(self) -> str:
        return f"{self.municipality}: {'ja' if self.opted_in else 'nee'}"
