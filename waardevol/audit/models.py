"""The audit trail: one row per change to a project or one of its assessments. Rows are only
ever added; nothing in the application updates or deletes them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Municipality, Project


class AuditKind(models.TextChoices):
    PROJECT_CREATED = "project_created", _("Project aangemaakt")
    PROJECT_CHANGED = "project_changed", _("Project gewijzigd")
    CHARACTERISTICS_CHANGED = "characteristics_changed", _("Kenmerken of fase gewijzigd")
    ASSESSMENT_STARTED = "assessment_started", _("Beoordeling gestart")
    ANSWER_CHANGED = "answer_changed", _("Antwoord gewijzigd")
    ASSESSMENT_COMPLETED = "assessment_completed", _("Beoordeling afgerond")
    ASSESSMENT_REOPENED = "assessment_reopened", _("Beoordeling heropend")
    CONCEPT_DELETED = "concept_deleted", _("Leeg concept verwijderd")
    ACTION_ADDED = "action_added", _("Verbeteractie toegevoegd")
    ACTION_CHANGED = "action_changed", _("Verbeteractie gewijzigd")
    REPORT_DOWNLOADED = "report_downloaded", _("Rapport gedownload")
    RATING_ROUND_STARTED = "rating_round_started", _("Beoordelingsronde gestart")
    RATING_SUBMITTED = "rating_submitted", _("Eigen scores ingediend")
    ANSWER_CHOSEN = "answer_chosen", _("Antwoord gekozen in de bespreking")
    RATING_ROUND_CLOSED = "rating_round_closed", _("Beoordelingsronde gesloten")
    EXAMPLE_PUBLISHED = "example_published", _("Gepubliceerd als voorbeeld")
    EXAMPLE_WITHDRAWN = "example_withdrawn", _("Voorbeeld ingetrokken")
    EXAMPLE_ADOPTED = "example_adopted", _("Gestart vanuit een voorbeeld")
    ADOPTED_ANSWERS_CONFIRMED = "adopted_confirmed", _("Overgenomen antwoorden bevestigd")
    HISTORY_EXPORTED = "history_exported", _("Geschiedenis geëxporteerd (CSV)")
    # The municipality's own events: no project (see AuditEvent.project).
    PROJECTS_EXPORTED = "projects_exported", _("Projectenlijst geëxporteerd (CSV)")
    ACTIONS_EXPORTED = "actions_exported", _("Verbeteracties geëxporteerd (CSV)")
    PORTFOLIO_DOWNLOADED = "portfolio_downloaded", _("Portfolio gedownload (PDF)")
    BENCHMARK_JOINED = "benchmark_joined", _("Deelname aan de landelijke vergelijking gestart")
    BENCHMARK_LEFT = "benchmark_left", _("Deelname aan de landelijke vergelijking gestopt")
    # Who was given access to the municipality's data, and who lost it.
    MEMBER_INVITED = "member_invited", _("Collega uitgenodigd")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("Uitnodiging ingetrokken")
    MEMBER_JOINED = "member_joined", _("Nieuw lid")
    MEMBER_CHANGED = "member_changed", _("Rol of rechten van een lid gewijzigd")
    MEMBER_REMOVED = "member_removed", _("Lidmaatschap beëindigd")
    MEMBER_DEACTIVATED = "member_deactivated", _("Account van een lid geblokkeerd")
    MEMBER_REACTIVATED = "member_reactivated", _("Account van een lid weer actief")


class AuditAppendOnly(Exception):
    """An audit event cannot be changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    """Adding is the only write: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditAppendOnly("audit events cannot be updated")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditAppendOnly("audit events cannot be deleted")

    delete.queryset_only = True  # as Django's own: not offered on the manager


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, editable=False)
    # PROTECT: someone with a history is deactivated, never deleted (as for projects they own).
    # The name is stored too, so the history reads the same if the account is renamed.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="+", verbose_name=_("gebruiker"), editable=False)
    actor_name = models.CharField(_("naam"), max_length=300, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("gemeente"), editable=False)
    # No database constraint and no cascade: the history of a deleted concept (or of a project a
    # VNG administrator removed) stays, and deleting them never has to touch these rows. None for
    # what concerns the whole municipality (an export of its projects, joining the national
    # comparison): its own history.
    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, db_constraint=False,
                                db_index=False, null=True, related_name="+",
                                verbose_name=_("project"), editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.DO_NOTHING, db_constraint=False,
                                   db_index=False, null=True, related_name="+",
                                   verbose_name=_("beoordeling"), editable=False)
    kind = models.CharField(_("handeling"), max_length=40, choices=AuditKind.choices,
                            editable=False)
    # What changed, as plain values: {"fields": [[name, old, new], ...]} and a few facts per kind
    # (see services.py). Free text is cut short; the object itself holds the full text.
    changes = models.JSONField(_("wijzigingen"), default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("geschiedenis")
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="audit_project_time"),
            models.Index(fields=["assessment", "-created_at", "-id"], name="audit_assessment_time"),
            models.Index(fields=["municipality", "-created_at", "-id"],
                         condition=models.Q(project__isnull=True), name="audit_municipality_time"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditAppendOnly("audit events cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditAppendOnly("audit events cannot be deleted")
