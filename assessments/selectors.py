"""Reads: the content and answers an assessment is judged on, and the municipality's overview.

What one assessment shows, question by question, is its read model (readmodel.py).
"""

from typing import Any

from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from perspectives.selectors import content_snapshot

from . import scoring
from .models import (
    Action,
    ActionStatus,
    Answer,
    Assessment,
    Municipality,
    Project,
    Status,
)


def assessment_content(assessment: Assessment) -> tuple[dict[str, Any], list[str], str]:
    """The content, characteristics and phase it is judged on: the frozen ones once completed."""
    if assessment.is_completed and assessment.content_id:
        phase = (assessment.result or {}).get("phase") or assessment.project.phase
        return assessment.content.snapshot, assessment.characteristics, phase
    project = assessment.project
    return content_snapshot(), project.characteristics, project.phase


def evaluate_live(content: dict[str, Any], characteristics: list[str], phase: str,
                  answers: dict[int, Answer]) -> scoring.Evaluation:
    """Score an assessment now, with today's rules (concepts, and completion itself)."""
    codes = {q["id"]: q["code"] for process in content["processes"]
             for perspective in process["perspectives"] for q in perspective["questions"]}
    by_code = {codes[question_id]: scoring.AnswerData.of(answer)
               for question_id, answer in answers.items() if question_id in codes}
    return scoring.evaluate(content, characteristics, phase, by_code)


def projects_overview(*, municipality: Municipality, sort: str = "name") -> QuerySet[Project]:
    """All projects of a municipality, each with its latest completed assessment (what an
    alderman reads) and its concept in progress, if any, in one query. A superseded concept never
    counts. Open actions are those of the completed assessment, or of the concept if the project
    has no completed one yet."""
    completed = (Assessment.objects.filter(project=OuterRef("pk"), status=Status.COMPLETED)
                 .order_by("-completed_at", "-pk"))
    concept = Assessment.objects.filter(project=OuterRef("pk"), status=Status.CONCEPT)

    def open_actions(assessment_field: str):
        return Subquery(
            Action.objects.filter(assessment=OuterRef(assessment_field))
            .exclude(status=ActionStatus.DONE).order_by().values("assessment")
            .annotate(n=Count("pk")).values("n")[:1]
        )

    projects = Project.objects.filter(municipality=municipality).annotate(
        completed_id=Subquery(completed.values("pk")[:1]),
        completed_score=Subquery(completed.values("overall_score")[:1]),
        completed_at=Subquery(completed.values("completed_at")[:1]),
        concept_id=Subquery(concept.values("pk")[:1]),
        concept_started_at=Subquery(concept.values("started_at")[:1]),
    ).annotate(
        open_action_count=Case(
            When(completed_id__isnull=False, then=Coalesce(open_actions("completed_id"), 0)),
            default=Coalesce(open_actions("concept_id"), 0),
        ),
        # "Status" sorts completed projects first, then those with only a concept.
        status_rank=Case(When(completed_id__isnull=False, then=2),
                         When(concept_id__isnull=False, then=1), default=0),
        last_activity=Coalesce("completed_at", "concept_started_at"),
    )
    column = SORT_COLUMNS.get(sort.lstrip("-"), "name")
    # Projects without a score or actions sort last either way, on SQLite and PostgreSQL alike.
    key = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_last=True)
    return projects.order_by(key, "name", "pk")


SORT_COLUMNS = {
    "name": "name", "phase": "phase", "status": "status_rank", "score": "completed_score",
    "actions": "open_action_count", "date": "last_activity",
}


def completed_assessments(*, project: Project) -> QuerySet[Assessment]:
    """A project's completed assessments, the latest first (what the comparison chooses from)."""
    return (Assessment.objects.filter(project=project, status=Status.COMPLETED)
            .select_related("project", "project__municipality", "content", "completed_by")
            .order_by("-completed_at", "-pk"))


def assessment_previous_completed(*, assessment: Assessment) -> Assessment | None:
    """The latest completed assessment of the same project before this one, if any."""
    if not assessment.is_completed or assessment.completed_at is None:
        return None
    return (completed_assessments(project=assessment.project)
            .filter(completed_at__lt=assessment.completed_at).first())


def actions_completed_between(*, project: Project, start, end) -> list[Action]:
    """The project's actions marked done after `start` and by `end` (two completion moments).

    An action has no completion date of its own: its last change stands in for it. Reopening
    copies the action plan, done actions included, so an action counts once, and not at all if
    one with the same perspective and description was done already before `start`.
    """
    done = (Action.objects.filter(assessment__project=project, status=ActionStatus.DONE)
            .select_related("perspective").order_by("updated_at", "pk"))
    earlier = set(done.filter(updated_at__lte=start).values_list("perspective_id", "description"))
    between: dict[tuple[int, str], Action] = {}
    for action in done.filter(updated_at__gt=start, updated_at__lte=end):
        between.setdefault((action.perspective_id, action.description), action)
    return [action for key, action in between.items() if key not in earlier]
