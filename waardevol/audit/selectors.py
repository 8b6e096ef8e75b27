"""Reads of the audit trail, always within the user's municipality: one project, one assessment,
or the municipality's own events."""

from django.db.models import Q, QuerySet

from assessments.models import Assessment, Project

from .models import AuditEvent, AuditKind


def project_history(*, project: Project) -> QuerySet[AuditEvent]:
    """Everything recorded for a project and all its assessments, the newest first."""
    return AuditEvent.objects.filter(project_id=project.pk,
                                     municipality_id=project.municipality_id)


def assessment_history(*, assessment: Assessment) -> QuerySet[AuditEvent]:
    """What happened to one assessment, with the project's own changes (its characteristics and
    phase decide which questions apply) while the assessment was open."""
    # Exporting the project's history is a read, not one of the project's changes.
    during = Q(assessment__isnull=True, created_at__gte=assessment.started_at) & ~Q(
        kind=AuditKind.HISTORY_EXPORTED)
    if assessment.completed_at is not None:
        during &= Q(created_at__lte=assessment.completed_at)
    return project_history(project=assessment.project).filter(Q(assessment_id=assessment.pk)
                                                              | during)


def municipality_history(*, municipality_id: int) -> QuerySet[AuditEvent]:
    """The municipality's own events (no project), the newest first."""
    return AuditEvent.objects.filter(municipality_id=municipality_id, project__isnull=True)
