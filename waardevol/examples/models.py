"""A published example: a frozen, anonymous copy of one completed assessment."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Municipality
from perspectives.models import ContentRevision, Phase

TITLE_MAX = 120
DESCRIPTION_MAX = 1000


class PublishedExampleQuerySet(models.QuerySet):
    def published(self) -> "PublishedExampleQuerySet":
        """What users may see: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class PublishedExample(models.Model):
    """What every municipality sees of a published assessment, copied at publication.

    Nothing is read from the source assessment after publishing: a later change, a deletion or a
    reopening of it never shows through. The copy holds no people (no names, no actions, whose
    owners are people) and the notes and n.v.t. reasons only if the publisher chose to include
    them; the project's name appears only if the publisher typed it as the title.
    """

    # Kept for the publisher's own trail; never read to show the example.
    source = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="published_examples", editable=False,
                               verbose_name=_("bronbeoordeling"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("gemeente"), editable=False)
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    description = models.TextField(_("omschrijving"), max_length=DESCRIPTION_MAX)
    include_notes = models.BooleanField(_("met toelichtingen"), default=False)
    # The frozen copy: the phase, characteristics, content and the result without what the
    # publisher left out (see publication.example_result).
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, editable=False)
    # Space-separated and space-delimited (" ai personal_data "), so one `contains` filters by a
    # characteristic alike on SQLite and PostgreSQL (JSON lookups differ between them).
    characteristic_codes = models.CharField(_("kenmerken"), max_length=300, blank=True,
                                            editable=False)
    content = models.ForeignKey(ContentRevision, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("inhoudsversie"), editable=False)
    result = models.JSONField(_("gepubliceerd resultaat"), editable=False)
    overall_score = models.PositiveSmallIntegerField(_("totaalscore"), null=True, blank=True,
                                                     editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("gepubliceerd door"),
                                     editable=False)
    published_at = models.DateTimeField(_("gepubliceerd op"), default=timezone.now,
                                        editable=False)
    # Withdrawing keeps the row (who published what, when, and who withdrew it), invisible.
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True,
                                        editable=False)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("ingetrokken door"), editable=False)

    objects = PublishedExampleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        # Not "published example": the admin's list also holds withdrawn ones, and its count
        # ("1 voorbeeld") would call a withdrawn one published.
        verbose_name = _("voorbeeld")
        verbose_name_plural = _("voorbeelden")
        # VNG editors take down an example that should not have been published (a name in a
        # note, say) in the admin; they change nothing else of it.
        permissions = [("withdraw_publishedexample", _("Mag voorbeelden intrekken"))]
        indexes = [models.Index(fields=["withdrawn_at", "-published_at"],
                                name="example_published_time")]
        constraints = [
            # One published example per assessment at a time; after withdrawal it can be
            # published again (with a new title, say).
            models.UniqueConstraint(fields=["source"], condition=models.Q(withdrawn_at=None),
                                    name="one_published_example_per_assessment"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.withdrawn_at is None

    @property
    def characteristics(self) -> list[str]:
        return self.characteristic_codes.split()
