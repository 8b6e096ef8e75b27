"""Reads: the content and answers an assessment is judged on, and the municipality's overview.

What one assessment shows, question by question, is its read model (readmodel.py).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from perspectives.models import Characteristic, Phase
from perspectives.selectors import content_snapshot, revision_snapshot

from . import scoring
from .models import (
    Action,
    ActionStatus,
    Answer,
    Assessment,
    Municipality,
    PerspectiveResult,
    Project,
    Rater,
    Rating,
    RatingRound,
    Status,
)


def assessment_content(assessment: Assessment) -> tuple[dict[str, Any], list[str], str]:
    """The content, characteristics and phase it is judged on: the frozen ones once completed."""
    if assessment.is_completed and assessment.content_id:
        phase = (assessment.result or {}).get("phase") or assessment.project.phase
        return revision_snapshot(assessment.content), assessment.characteristics, phase
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


@dataclass(frozen=True)
class OverviewFilters:
    """What the overview shows: every field empty means every project (forms.OverviewFilterForm
    validates them)."""

    query: str = ""  # part of the project's name
    phase: str = ""
    characteristic: str = ""
    band: str = ""  # of the latest completed result
    status: str = ""  # ProjectStatus: not assessed, first assessment in progress, completed
    unmet: bool | None = None  # the latest completed result misses a minimum requirement


class ProjectStatus:
    """A project's status in the overview, as its `status_rank` annotation stores it."""

    NOT_ASSESSED = "geen"
    CONCEPT = "concept"
    COMPLETED = "afgerond"
    RANKS = {NOT_ASSESSED: 0, CONCEPT: 1, COMPLETED: 2}


def latest_completed(project_ref: str = "pk") -> QuerySet[Assessment]:
    """The latest completed assessment of the project `project_ref` points to (a subquery)."""
    return (Assessment.objects.filter(project=OuterRef(project_ref), status=Status.COMPLETED)
            .order_by("-completed_at", "-pk"))


def projects_overview(*, municipality: Municipality, sort: str = "name",
                      filters: OverviewFilters | None = None,
                      every_column: bool = True) -> QuerySet[Project]:
    """All projects of a municipality, each with its latest completed assessment (what an
    alderman reads) and its concept in progress, if any, in one query. A superseded concept never
    counts. Open actions are those of the completed assessment, or of the concept if the project
    has no completed one yet.

    `every_column=False` leaves out the derived columns (open_action_count, status_rank,
    last_activity) unless the sort or a filter needs them: their nested subqueries made compiling
    the query cost more than running it. A page of the overview then counts its rows' open actions
    with `open_action_counts`, and reads its rows with `OVERVIEW_ROW_FIELDS`."""
    completed = latest_completed()
    concept = Assessment.objects.filter(project=OuterRef("pk"), status=Status.CONCEPT)
    projects = Project.objects.filter(municipality=municipality).annotate(
        completed_id=Subquery(completed.values("pk")[:1]),
        completed_score=Subquery(completed.values("overall_score")[:1]),
        completed_at=Subquery(completed.values("completed_at")[:1]),
        completed_unmet=Subquery(completed.values("unmet_minimum_count")[:1]),
        concept_id=Subquery(concept.values("pk")[:1]),
        concept_started_at=Subquery(concept.values("started_at")[:1]),
    )
    column = SORT_COLUMNS.get(sort.lstrip("-"), "name")
    needed = {column, *(["status_rank"] if filters and filters.status else [])}
    derived = _derived_columns(None if every_column else needed)
    if derived:
        projects = projects.annotate(**derived)
    if filters is not None:
        projects = _filtered(projects, filters)
    # Projects without a score or actions sort last either way, on SQLite and PostgreSQL alike.
    key = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_last=True)
    return projects.order_by(key, "name", "pk")


def _derived_columns(names: set[str] | None) -> dict[str, Any]:
    """The overview's columns computed from the latest completed assessment and the concept: all
    of them, or only `names` (the others are not even built: each costs a page's request about
    a quarter of a millisecond to construct)."""

    def open_actions(assessment_field: str):
        return Subquery(
            Action.objects.filter(assessment=OuterRef(assessment_field))
            .exclude(status=ActionStatus.DONE).order_by().values("assessment")
            .annotate(n=Count("pk")).values("n")[:1]
        )

    columns = {
        "open_action_count": lambda: Case(
            When(completed_id__isnull=False, then=Coalesce(open_actions("completed_id"), 0)),
            default=Coalesce(open_actions("concept_id"), 0),
        ),
        # "Status" sorts completed projects first, then those with only a concept.
        "status_rank": lambda: Case(When(completed_id__isnull=False, then=2),
                                    When(concept_id__isnull=False, then=1), default=0),
        "last_activity": lambda: Coalesce("completed_at", "concept_started_at"),
    }
    return {name: build() for name, build in columns.items() if names is None or name in names}


# What a row of the overview's page shows: read as plain tuples (`values_list(named=True)`), not
# as Project instances, which cost a page of 50 rows about two milliseconds more to build.
OVERVIEW_ROW_FIELDS = ("pk", "name", "phase", "completed_id", "completed_score", "completed_at",
                       "concept_id", "concept_started_at")


def open_action_counts(projects: list) -> dict[int, int]:
    """Open actions by project, as `open_action_count` counts them (of the latest completed
    assessment, else of the concept), for projects (or rows) from `projects_overview`: one
    query."""
    counted = {project.completed_id or project.concept_id: project.pk for project in projects
               if project.completed_id or project.concept_id}
    counts = (Action.objects.filter(assessment__in=counted).exclude(status=ActionStatus.DONE)
              .order_by().values_list("assessment").annotate(n=Count("pk")))
    return {counted[assessment_id]: n for assessment_id, n in counts}


# The overall band of a result is the band of its rounded score (scoring.mean_score), so a band
# is a range of the stored overall score, which the database can filter without reading JSON.
BAND_SCORES = {
    scoring.ATTENTION: (0, scoring.DEVELOPING_FROM - 1),
    scoring.DEVELOPING: (scoring.DEVELOPING_FROM, scoring.IN_ORDER_FROM - 1),
    scoring.IN_ORDER: (scoring.IN_ORDER_FROM, 100),
}


def _filtered(projects: QuerySet[Project], filters: OverviewFilters) -> QuerySet[Project]:
    if filters.query:
        projects = projects.filter(name__icontains=filters.query)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    if filters.characteristic:
        field = Project.CHARACTERISTIC_FIELDS[Characteristic(filters.characteristic)]
        condition = Q(**{field: True})
        if filters.characteristic == Characteristic.EXPERIMENT:
            condition |= Q(phase=Phase.PILOT)  # as Project.characteristics says
        projects = projects.filter(condition)
    if filters.band:
        projects = projects.filter(completed_score__range=BAND_SCORES[filters.band])
    if filters.status:
        projects = projects.filter(status_rank=ProjectStatus.RANKS[filters.status])
    if filters.unmet is True:
        projects = projects.filter(completed_unmet__gt=0)
    elif filters.unmet is False:
        projects = projects.filter(completed_unmet=0)
    return projects


SORT_COLUMNS = {
    "name": "name", "phase": "phase", "status": "status_rank", "score": "completed_score",
    "actions": "open_action_count", "date": "last_activity",
}


def completed_assessments(*, project: Project) -> QuerySet[Assessment]:
    """A project's completed assessments, the latest first (what the comparison chooses from)."""
    return (Assessment.objects.filter(project=project, status=Status.COMPLETED)
            .select_related("project", "project__municipality", "content", "completed_by")
            .defer("content__snapshot")  # read through revision_snapshot, parsed once
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


def latest_completed_ids(*, municipality: Municipality) -> QuerySet:
    """The ids of each project's latest completed assessment (a subquery for `__in`)."""
    return (Project.objects.filter(municipality=municipality)
            .annotate(latest=Subquery(latest_completed().values("pk")[:1]))
            .filter(latest__isnull=False).values("latest"))


def perspective_score_counts(*, municipality: Municipality) -> list[tuple[int, int | None, int]]:
    """(perspective, score, how many projects) over every project's latest completed result:
    at most 10 × 102 rows however many projects, from which medians and band counts follow."""
    return list(
        PerspectiveResult.objects.filter(
            assessment_id__in=latest_completed_ids(municipality=municipality))
        .order_by().values("number", "score").annotate(n=Count("pk"))
        .values_list("number", "score", "n"))


def perspective_scores(*, assessment_ids: list[int]) -> dict[int, dict[int, int | None]]:
    """Per assessment, its score per perspective (the heat map's cells)."""
    scores: dict[int, dict[int, int | None]] = {}
    for assessment_id, number, score in PerspectiveResult.objects.filter(
            assessment_id__in=assessment_ids).values_list("assessment_id", "number", "score"):
        scores.setdefault(assessment_id, {})[number] = score
    return scores


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""  # an ActionStatus, or OPEN_ACTIONS for everything not done
    overdue: bool = False
    owner: str = ""  # part of the owner's name or role
    perspective: int | None = None


OPEN_ACTIONS = "niet-gereed"


def pending_rating(user_id: int, assessment_ref: str = "assessment_id") -> Exists:
    """Whether the user still has to submit in an open rating round of the assessment
    `assessment_ref` points to (a subquery): until then they see nothing shared of it
    (access.ensure_rating_submitted, for one object)."""
    return Exists(Rater.objects.filter(user_id=user_id, submitted_at__isnull=True,
                                       round__closed_at__isnull=True,
                                       round__assessment_id=OuterRef(assessment_ref)))


def portfolio_actions(*, municipality: Municipality, user_id: int,
                      filters: ActionFilters | None = None,
                      today: date | None = None) -> QuerySet[Action]:
    """The improvement actions of every project's current action plan: that of its latest
    completed assessment, or of its concept if it has none (as the overview counts them; a
    reopened concept's copies are not counted twice). A concept's actions are left out for a
    user who still has to submit their own scores for it."""
    # Two uncorrelated sets instead of a subquery per action: the latest completed assessments,
    # and the concepts of projects that have none.
    has_completed = Assessment.objects.filter(project=OuterRef("assessment__project_id"),
                                              status=Status.COMPLETED)
    actions = (Action.objects.filter(assessment__project__municipality=municipality)
               .filter(Q(assessment_id__in=latest_completed_ids(municipality=municipality))
                       | (Q(assessment__status=Status.CONCEPT) & ~Exists(has_completed)))
               .exclude(pending_rating(user_id))
               .select_related("assessment__project", "perspective")
               # The frozen result is large; loading it per action made 20,000 rows take 17 s.
               .defer("assessment__result", "assessment__characteristics"))
    filters = filters or ActionFilters()
    today = today or timezone.localdate()
    if filters.status == OPEN_ACTIONS:
        actions = actions.exclude(status=ActionStatus.DONE)
    elif filters.status:
        actions = actions.filter(status=filters.status)
    if filters.overdue:
        actions = actions.filter(due_date__lt=today).exclude(status=ActionStatus.DONE)
    if filters.owner:
        actions = actions.filter(owner__icontains=filters.owner)
    if filters.perspective:
        actions = actions.filter(perspective__number=filters.perspective)
    return actions.order_by(F("due_date").asc(nulls_last=True), "assessment__project__name",
                            "perspective__number", "pk")


def action_owner_counts(*, actions: QuerySet[Action], today: date | None = None,
                        limit: int = 10) -> list[dict[str, Any]]:
    """Open and overdue actions per owner, most open first (the top `limit` owners)."""
    today = today or timezone.localdate()
    return list(
        actions.exclude(status=ActionStatus.DONE).order_by().values("owner")
        .annotate(open=Count("pk"),
                  overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by("-open", "owner")[:limit])


def ratings_of(*, rater: Rater) -> dict[int, Rating]:
    """A rater's own scores, by question id."""
    return {rating.question_id: rating for rating in Rating.objects.filter(rater=rater)}


def round_raters(*, rating_round: RatingRound) -> list[Rater]:
    return list(rating_round.raters.select_related("user").order_by(
        "user__first_name", "user__last_name", "user__username"))


def submitted_ratings(*, rating_round: RatingRound) -> list[Rating]:
    """The scores of the round's raters who submitted; nobody sees a score before that."""
    return list(Rating.objects.filter(rater__round=rating_round,
                                      rater__submitted_at__isnull=False))


def latest_round(*, assessment: Assessment) -> RatingRound | None:
    return assessment.rating_rounds.order_by("-started_at", "-pk").first()
