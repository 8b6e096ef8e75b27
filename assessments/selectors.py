"""Reads: what the wizard, the results page, the overview and the report show.

Everything is computed from a content snapshot (the frozen one of a completed assessment, or the
live content for a concept), so a completed assessment always shows what it was scored against.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perspectives.markdown import render_markdown
from perspectives.models import Band, Characteristic
from perspectives.selectors import content_snapshot

from . import scoring
from .models import Action, ActionStatus, Answer, AnswerKind, Assessment, Municipality, Project


def translated(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("nl") or ""


def band_label(band: str | None) -> str:
    return str(Band(band).label) if band else _("Niet beoordeeld")


@dataclass
class QuestionView:
    id: int
    code: str
    text: str
    help_text: str
    scale: list[str]
    weight: int
    applicable: bool
    not_applicable_reason: str
    answer: Answer | None

    @property
    def is_answered(self) -> bool:
        if not self.applicable:
            return True
        if self.answer is None:
            return False
        return self.answer.kind != AnswerKind.NOT_APPLICABLE or bool(self.answer.na_reason)

    @property
    def is_unknown(self) -> bool:
        return self.applicable and self.answer is not None and self.answer.kind == AnswerKind.UNKNOWN

    @property
    def answer_label(self) -> str:
        if not self.applicable:
            return _("Niet van toepassing") + f" ({self.not_applicable_reason})"
        if self.answer is None:
            return _("Niet beantwoord")
        if self.answer.kind == AnswerKind.SCORE:
            return f"{self.answer.score} – {self.scale[self.answer.score]}"
        if self.answer.kind == AnswerKind.UNKNOWN:
            return _("Weet ik niet")
        return _("Niet van toepassing") + (f": {self.answer.na_reason}" if self.answer.na_reason else "")

    def scored(self) -> scoring.ScoredAnswer:
        answer = self.answer
        return scoring.ScoredAnswer(
            weight=self.weight,
            kind=answer.kind if answer else None,
            score=answer.score if answer else None,
            applicable=self.applicable,
        )


@dataclass
class PerspectiveView:
    number: int
    step: int
    process_code: str
    process_title: str
    title: str
    summary: str
    explanation: str
    public_values: list[str]
    questions: list[QuestionView]
    advice: dict[str, str]
    score: scoring.PerspectiveScore | None = None
    actions: list[Action] = field(default_factory=list)

    @property
    def band(self) -> str | None:
        return self.score.band if self.score else None

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    @property
    def advice_text(self) -> str:
        return self.advice.get(self.band, "") if self.band else ""

    @property
    def advice_html(self) -> str:
        return render_markdown(self.advice_text)

    @property
    def applicable_count(self) -> int:
        return sum(1 for q in self.questions if q.applicable)

    @property
    def answered_count(self) -> int:
        return sum(1 for q in self.questions if q.applicable and q.is_answered)


@dataclass
class ProcessView:
    code: str
    title: str
    perspectives: list[PerspectiveView]
    score: scoring.AggregateScore

    @property
    def band_label(self) -> str:
        return band_label(self.score.band)


@dataclass
class AssessmentResult:
    assessment: Assessment
    language: str
    revision: str
    characteristics: list[str]
    processes: list[ProcessView]
    perspectives: list[PerspectiveView]
    scores: scoring.AssessmentScores
    actions: list[Action]

    @property
    def overall_band_label(self) -> str:
        return band_label(self.scores.overall.band)

    @property
    def questions(self) -> list[QuestionView]:
        return [q for p in self.perspectives for q in p.questions]

    @property
    def missing(self) -> list[QuestionView]:
        return [q for q in self.questions if not q.is_answered]

    @property
    def unknown(self) -> list[QuestionView]:
        return [q for q in self.questions if q.is_unknown]

    @property
    def weakest(self) -> list[PerspectiveView]:
        """The three assessed perspectives that need attention most, lowest score first."""
        assessed = [p for p in self.perspectives if p.score and p.score.assessed]
        return sorted(assessed, key=lambda p: (p.score.exact, p.number))[:3]

    @property
    def perspectives_weakest_first(self) -> list[PerspectiveView]:
        weakest = self.weakest
        return weakest + [p for p in self.perspectives if p not in weakest]

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if a.status != ActionStatus.DONE]


def _not_applicable_reason(characteristic: str) -> str:
    return _("alleen voor projecten waarvoor geldt: %(characteristic)s") % {
        "characteristic": str(Characteristic(characteristic).label).lower()
    }


def assessment_content(assessment: Assessment) -> tuple[dict[str, Any], list[str]]:
    """The content and project characteristics to score against: frozen ones once completed."""
    if assessment.content_id:
        return assessment.content.snapshot, assessment.characteristics
    return content_snapshot(), assessment.project.characteristics


def assessment_result(assessment: Assessment, *, language: str | None = None) -> AssessmentResult:
    """Everything about one assessment, scored; a fixed number of queries whatever its size."""
    content, characteristics = assessment_content(assessment)
    language = language or get_language() or "nl"
    answers = {a.question_id: a for a in assessment.answers.select_related("updated_by")}
    actions = list(assessment.actions.select_related("perspective"))
    actions_by_perspective: dict[int, list[Action]] = {}
    for action in actions:
        actions_by_perspective.setdefault(action.perspective.number, []).append(action)

    processes: list[ProcessView] = []
    perspectives: list[PerspectiveView] = []
    answers_by_perspective: dict[int, list[scoring.ScoredAnswer]] = {}
    process_of: dict[int, str] = {}
    for process in content["processes"]:
        views = []
        for data in process["perspectives"]:
            questions = []
            for q in data["questions"]:
                condition = q["applies_when"]
                applicable = not condition or condition in characteristics
                questions.append(QuestionView(
                    id=q["id"], code=q["code"], text=translated(q["text"], language),
                    help_text=translated(q["help_text"], language),
                    scale=[translated(label, language) for label in q["scale"]],
                    weight=q["weight"], applicable=applicable,
                    not_applicable_reason="" if applicable else _not_applicable_reason(condition),
                    answer=answers.get(q["id"]),
                ))
            view = PerspectiveView(
                number=data["number"], step=len(perspectives) + 1, process_code=process["code"],
                process_title=translated(process["title"], language),
                title=translated(data["title"], language),
                summary=translated(data["summary"], language),
                explanation=translated(data["explanation"], language),
                public_values=[translated(v, language) for v in data["public_values"]],
                questions=questions,
                advice={band: translated(t, language) for band, t in data["advice"].items()},
                actions=actions_by_perspective.get(data["number"], []),
            )
            views.append(view)
            perspectives.append(view)
            answers_by_perspective[view.number] = [q.scored() for q in questions]
            process_of[view.number] = process["code"]
        processes.append(ProcessView(process["code"], translated(process["title"], language),
                                     views, scoring.AggregateScore(None, None, 0)))

    scores = scoring.assessment_scores(answers_by_perspective, process_of)
    for view in perspectives:
        view.score = scores.perspectives[view.number]
    for process_view in processes:
        process_view.score = scores.processes.get(
            process_view.code, scoring.AggregateScore(None, None, 0)
        )
    return AssessmentResult(
        assessment=assessment, language=language, revision=content.get("revision", ""),
        characteristics=characteristics, processes=processes, perspectives=perspectives,
        scores=scores, actions=actions,
    )


def projects_overview(*, municipality: Municipality, sort: str = "name") -> QuerySet[Project]:
    """All projects of a municipality with their latest assessment, in one query."""
    latest = Assessment.objects.filter(project=OuterRef("pk")).order_by("-started_at", "-pk")
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

