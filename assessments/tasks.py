"""Work off the request path (django-tasks): the stored PDF report of a completed assessment.

With the default immediate backend a task runs at once, after the request's transaction commits;
with the database backend a `manage.py db_worker` renders it (see the README), so completing an
assessment or editing an action answers at once and a download later never renders.
Arguments are plain values (JSON).
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django_tasks import task

from . import report
from .models import Assessment, Status


@task()
def store_report(*, assessment_id: int) -> str | None:
    """Render a completed assessment's report into storage, unless it is stored already for
    what it shows now (the task may run long after it was queued, or twice)."""
    assessment = (Assessment.objects.filter(pk=assessment_id, status=Status.COMPLETED)
                  .select_related("project", "project__municipality", "started_by",
                                  "completed_by", "content").first())
    if assessment is None:  # deleted meanwhile, or not completed: nothing to store
        return None
    return report.stored_report_save(assessment)


def store_reports_after_commit(assessment_ids: Iterable[int]) -> None:
    """Queue the stored reports of these assessments once the current transaction commits (the
    worker must see the change; a rolled-back change queues nothing)."""
    for assessment_id in assessment_ids:
        transaction.on_commit(partial(store_report.enqueue, assessment_id=assessment_id))


def store_project_reports_after_commit(project_id: int) -> None:
    """A project's name is on its completed reports: queue them all (a task finds an unchanged
    report stored already and stops)."""
    store_reports_after_commit(Assessment.objects.filter(
        project_id=project_id, status=Status.COMPLETED).values_list("pk", flat=True))
