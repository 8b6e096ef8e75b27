"""Reads: the content and answers an assessment is judged on, and the municipality's overview.

What one assessment shows, question by question, is its read model (readmodel.py).
"""

from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
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
    """All projects of a municipality with their latest assessment, in one query (a superseded
    concept is never the one that counts)."""
    latest = (Assessment.objects.filter(project=OuterRef("pk"))
              .exclude(status=Status.SUPERSEDED).order_by("-started_at", "-pk"))
    open_actions = (
        Action.objects.filter(assessment=OuterRef("latest_assessment_id"))
        .exclude(status=ActionStatus.DONE)
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = Project.objects.filter(municipality=municipality).annotate(
        latest_assessment_id=Subquery(latest.values("pk")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_score=Subquery(latest.values("overall_score")[:1]),
        latest_started_at=Subquery(latest.values("started_at")[:1]),
    ).annotate(open_action_count=Coalesce(Subquery(open_actions[:1]), 0))
    column = SORT_COLUMNS.get(sort.lstrip("-"), "name")
    # Projects without a score or actions sort last either way, on SQLite and PostgreSQL alike.
    key = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_last=True)
    return projects.order_by(key, "name", "pk")


SORT_COLUMNS = {
    "name": "name", "phase": "phase", "status": "latest_status", "score": "latest_score",
    "actions": "open_action_count", "date": "latest_started_at",
}

