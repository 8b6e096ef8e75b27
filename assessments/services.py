"""Writes: small, keyword-only service functions. Views and commands call these."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from perspectives.models import Perspective, Question
from perspectives.selectors import content_revision_current, content_snapshot
from waardevol.audit import services as audit
from waardevol.audit.models import AuditKind

from . import scoring, selectors, tasks
from .labels import person_label
from .models import (
    ACTIONS_PER_ASSESSMENT,
    NOTE_MAX,
    REASON_MAX,
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


class AssessmentLocked(Exception):
    """A completed assessment cannot change; reopen it to make a new concept."""


class AssessmentIncomplete(Exception):
    def __init__(self, missing: list[str]):
        super().__init__(_("Nog niet alle vragen zijn beantwoord."))
        self.missing = missing


def project_create(*, municipality: Municipality, owner: AbstractBaseUser, name: str,
                   description: str = "", phase: str = "idee", **characteristics: bool) -> Project:
    project = Project(municipality=municipality, owner=owner, name=name,
                      description=description, phase=phase, **characteristics)
    project.full_clean()
    with transaction.atomic():
        project.save()
        audit.audit_project_created(user=owner, project=project)
    return project


def assessment_start(*, project: Project, user: AbstractBaseUser, language: str) -> Assessment:
    return assessment_start_or_resume(project=project, user=user, language=language)[0]


def assessment_start_or_resume(*, project: Project, user: AbstractBaseUser,
                               language: str) -> tuple[Assessment, bool]:
    """The project's concept: a new one (True), or the one already under way (False).

    A project has at most one concept (a database constraint), so a double click or two
    colleagues starting at once end up in the same concept.
    """
    existing = Assessment.objects.filter(project=project, status=Status.CONCEPT).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(project=project, started_by=user,
                                                   language=language)
            audit.audit_assessment(user=user, kind=AuditKind.ASSESSMENT_STARTED,
                                   assessment=assessment, language=language)
            return assessment, True
    except IntegrityError:
        return Assessment.objects.get(project=project, status=Status.CONCEPT), False


def assessment_set_step(*, assessment: Assessment, step: int) -> None:
    """Remember where the assessment was left, so whoever returns resumes there."""
    if assessment.current_step != step and assessment.is_concept:
        assessment.current_step = step
        assessment.save(update_fields=["current_step"])


# What a user submits for one question; the same values scoring uses and completion freezes.
AnswerValues = scoring.AnswerData


def answer_fingerprint(values: AnswerValues | None) -> str:
    """A short digest of an answer's values, so a form can tell whether its user changed it."""
    if values is None:
        return "none"
    raw = f"{values.kind}|{values.score}|{values.na_reason}|{values.note}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SaveResult:
    status: str  # "saved", "unchanged" or "conflict"
    answer: Answer | None


def answer_save(*, assessment: Assessment, question: Question, user: AbstractBaseUser,
                values: AnswerValues, base_version: int,
                audit_kind: str = AuditKind.ANSWER_CHANGED) -> SaveResult:
    """Save one answer unless someone else changed it since `base_version` was read.

    `base_version` is the version the user's page showed (0 when there was no answer yet). When the
    stored answer has moved on and differs from what the user sends, nothing is written and the
    caller shows both answers so the user can choose. `audit_kind` says in the history how the
    answer came about (typed in the questionnaire, or chosen in a rating round's discussion).
    """
    if not assessment.is_concept:
        raise AssessmentLocked
    values = values.normalised()
    if len(values.note) > NOTE_MAX or len(values.na_reason) > REASON_MAX:
        raise ValueError("note or reason too long")
    current = Answer.objects.filter(assessment=assessment, question=question).first()
    if current is not None and AnswerValues.of(current) == values:
        return SaveResult("unchanged", current)
    current_version = current.version if current else 0
    if base_version != current_version:
        return SaveResult("conflict", current)
    # Any saved change makes an answer adopted from an example the user's own.
    fields = {"kind": values.kind, "score": values.score, "na_reason": values.na_reason,
              "note": values.note, "updated_by": user, "adopted_from_example": False}
    try:
        with transaction.atomic():
            # Lock the assessment row: completion (which takes the same lock) cannot slip in
            # between this check and the write.
            if not Assessment.objects.select_for_update().filter(
                pk=assessment.pk, status=Status.CONCEPT
            ).exists():
                raise AssessmentLocked
            if current is None:
                answer = Answer.objects.create(assessment=assessment, question=question,
                                               version=1, **fields)
                audit.audit_answer_saved(user=user, assessment=assessment, code=question.code,
                                         kind=audit_kind,
                                         old=None, new=values)
                return SaveResult("saved", answer)
            updated = Answer.objects.filter(pk=current.pk, version=base_version).update(
                version=F("version") + 1, updated_at=timezone.now(), **fields
            )
            if updated:
                audit.audit_answer_saved(user=user, assessment=assessment, code=question.code,
                                         kind=audit_kind,
                                         old=AnswerValues.of(current), new=values)
                return SaveResult("saved", Answer.objects.get(pk=current.pk))
    except IntegrityError:
        pass  # a colleague (or our own background save) created it since we read
    # Someone else wrote first: only a conflict if what they wrote differs from ours.
    stored = Answer.objects.select_related("updated_by").get(assessment=assessment,
                                                               question=question)
    return SaveResult("unchanged" if AnswerValues.of(stored) == values else "conflict", stored)


def answers_confirm_adopted(*, assessment: Assessment, user: AbstractBaseUser,
                            question_ids: list[int]) -> list[str]:
    """The user keeps these answers copied from an example as they are: the mark goes. Returns
    the codes of the questions whose mark went (none if confirmed already)."""
    with transaction.atomic():
        if not Assessment.objects.select_for_update().filter(
            pk=assessment.pk, status=Status.CONCEPT
        ).exists():
            raise AssessmentLocked
        adopted = Answer.objects.filter(assessment=assessment, question_id__in=question_ids,
                                        adopted_from_example=True)
        codes = sorted(adopted.values_list("question__code", flat=True))
        if codes:
            adopted.update(adopted_from_example=False, updated_by=user,
                           updated_at=timezone.now())
            audit.audit_assessment(user=user, kind=AuditKind.ADOPTED_ANSWERS_CONFIRMED,
                                   assessment=assessment, codes=codes)
    return codes


@transaction.atomic
def assessment_complete(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    """Freeze the assessment: the content, characteristics and phase it was judged on, and its
    whole result, so neither a content edit nor a change of the scoring rules ever changes it."""
    assessment = Assessment.objects.select_for_update().select_related("project").get(
        pk=assessment.pk
    )
    if not assessment.is_concept:
        raise AssessmentLocked
    content = content_revision_current()
    project = assessment.project
    answers = {a.question_id: a for a in assessment.answers.all()}
    evaluation = selectors.evaluate_live(content.snapshot, project.characteristics, project.phase,
                                         answers)
    if evaluation.missing:
        raise AssessmentIncomplete(evaluation.missing)
    assessment.content = content
    assessment.characteristics = project.characteristics
    assessment.result = evaluation.to_json()
    assessment.overall_score = evaluation.overall.score
    assessment.unmet_minimum_count = len(evaluation.unmet)
    assessment.status = Status.COMPLETED
    assessment.completed_by = user
    assessment.completed_at = timezone.now()
    assessment.save()
    PerspectiveResult.objects.bulk_create(perspective_results_of(assessment))
    # A round still open ends with the concept: nobody can rate a completed assessment.
    RatingRound.objects.filter(assessment=assessment, closed_at__isnull=True).update(
        closed_at=assessment.completed_at)
    audit.audit_assessment(user=user, kind=AuditKind.ASSESSMENT_COMPLETED, assessment=assessment,
                           score=assessment.overall_score)
    # The PDF is rendered now, off the request path, so that a download never waits for it.
    tasks.store_reports_after_commit([assessment.pk])
    return assessment


def perspective_results_of(assessment: Assessment) -> list[PerspectiveResult]:
    """The per-perspective rows of a completed assessment, copied from its frozen result (for the
    portfolio, which counts them in the database); not yet saved."""
    perspectives = (assessment.result or {}).get("perspectives", {})
    return [PerspectiveResult(assessment=assessment, number=int(number), score=data["score"],
                              band=data["band"] or "")
            for number, data in perspectives.items()]


def assessment_reopen(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    return assessment_reopen_or_resume(assessment=assessment, user=user)[0]


@transaction.atomic
def assessment_reopen_or_resume(*, assessment: Assessment,
                                user: AbstractBaseUser) -> tuple[Assessment, bool]:
    """A new concept copied from a completed assessment (True); the completed one stays as it was.

    A project has one concept at a time: if one is under way already (from an earlier reopening,
    a colleague at the same time, or "Nieuwe beoordeling"), reopening returns that one (False).
    """
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    if not assessment.is_completed:
        raise ValueError("only a completed assessment can be reopened")
    existing = Assessment.objects.filter(project=assessment.project_id,
                                         status=Status.CONCEPT).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            copy = Assessment.objects.create(project=assessment.project, started_by=user,
                                             language=assessment.language,
                                             reopened_from=assessment)
    except IntegrityError:
        return Assessment.objects.get(project=assessment.project_id, status=Status.CONCEPT), False
    # The questions users are asked now: the published ones (a question added or deactivated in
    # the editors' draft changes nothing until it is published).
    active = {question["id"] for process in content_snapshot()["processes"]
              for perspective in process["perspectives"] for question in perspective["questions"]}
    Answer.objects.bulk_create(
        Answer(assessment=copy, question_id=a.question_id, kind=a.kind, score=a.score,
               na_reason=a.na_reason, note=a.note, updated_by=user)
        for a in assessment.answers.all() if a.question_id in active
    )
    Action.objects.bulk_create(
        Action(assessment=copy, perspective_id=a.perspective_id, description=a.description,
               owner=a.owner, due_date=a.due_date, status=a.status, created_by=a.created_by)
        for a in assessment.actions.all()
    )
    audit.audit_assessment(user=user, kind=AuditKind.ASSESSMENT_REOPENED, assessment=copy,
                           reopened_from=assessment.pk)
    return copy, True


class AssessmentNotEmpty(Exception):
    """Only a concept without answers or actions can be deleted: anything else is someone's work."""


def assessment_delete_empty(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    """Delete a concept nobody has answered anything in (a start by mistake)."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if locked is None:
            return  # deleted a moment ago (a double click)
        if (locked.status != Status.CONCEPT or locked.answers.exists()
                or locked.actions.exists() or locked.rating_rounds.exists()):
            raise AssessmentNotEmpty
        # Recorded first: the event keeps the concept's id after the row is gone.
        audit.audit_record(user=user, kind=AuditKind.CONCEPT_DELETED, project=assessment.project,
                           assessment=locked)
        locked.delete()


class ActionLimitReached(Exception):
    """An assessment has ACTIONS_PER_ASSESSMENT improvement actions already."""


@transaction.atomic
def action_create(*, assessment: Assessment, user: AbstractBaseUser, perspective: Perspective,
                  description: str, owner: str, due_date: date | None = None,
                  status: str = ActionStatus.OPEN) -> Action:
    # Lock the assessment so two colleagues cannot both add the last action that fits.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    if Action.objects.filter(assessment=assessment).count() >= ACTIONS_PER_ASSESSMENT:
        raise ActionLimitReached
    action = Action(assessment=assessment, perspective=perspective, description=description,
                    owner=owner, due_date=due_date, status=status, created_by=user)
    action.full_clean()
    action.save()
    audit.audit_action_added(user=user, action=action)
    if assessment.is_completed:  # the action plan is in its stored report
        tasks.store_reports_after_commit([assessment.pk])
    return action


class RoundAlreadyOpen(Exception):
    """An assessment has one open rating round at a time."""


class RatingClosed(Exception):
    """The rater submitted already, the round was closed, or the assessment is no concept."""


def rating_round_start(*, assessment: Assessment, user: AbstractBaseUser,
                       raters: list[AbstractBaseUser]) -> RatingRound:
    """Ask colleagues (the form checked they belong to the municipality) to score a concept
    independently."""
    try:
        with transaction.atomic():
            if not Assessment.objects.select_for_update().filter(
                    pk=assessment.pk, status=Status.CONCEPT).exists():
                raise AssessmentLocked
            rating_round = RatingRound.objects.create(assessment=assessment, started_by=user)
            Rater.objects.bulk_create(Rater(round=rating_round, user=rater) for rater in raters)
            audit.audit_assessment(user=user, kind=AuditKind.RATING_ROUND_STARTED,
                                   assessment=assessment, round=rating_round.pk,
                                   raters=sorted(audit.plain(person_label(r)) for r in raters))
    except IntegrityError as exc:
        raise RoundAlreadyOpen from exc
    return rating_round


def _locked_rater(rater: Rater) -> Rater:
    """The rater's row, locked with its round's, as they are now: a save from a second tab, or
    the round's closing, may have come after `rater` was read at the start of the request."""
    return (Rater.objects.select_for_update(of=("self", "round"))
            .select_related("round", "round__assessment").get(pk=rater.pk))


def _ensure_rating_open(rater: Rater) -> None:
    if (rater.submitted_at is not None or rater.round.closed_at is not None
            or not rater.round.assessment.is_concept):
        raise RatingClosed


@transaction.atomic
def rating_save(*, rater: Rater, question: Question, values: AnswerValues) -> Rating:
    """A rater's own score for one question; only they see it until they submit."""
    values = values.normalised()
    if len(values.note) > NOTE_MAX or len(values.na_reason) > REASON_MAX:
        raise ValueError("note or reason too long")
    locked = _locked_rater(rater)
    _ensure_rating_open(locked)
    rating, _created = Rating.objects.update_or_create(
        rater=locked, question=question,
        defaults={"kind": values.kind, "score": values.score, "na_reason": values.na_reason,
                  "note": values.note})
    return rating


@transaction.atomic
def rating_submit(*, rater: Rater) -> Rater:
    """Make a rater's scores final and visible to the group; the history keeps them, so they
    stay on record whatever answer the group chooses."""
    locked = _locked_rater(rater)
    if locked.submitted_at is not None:
        return locked  # a double click
    _ensure_rating_open(locked)
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    ratings = (locked.ratings.select_related("question", "question__perspective")
               .order_by("question__perspective__number", "question__order", "question__code"))
    fields = []
    for rating in ratings:
        fields.append([rating.question.code, None, audit.answer_token(rating)])
        for part in ("na_reason", "note"):
            if getattr(rating, part):
                fields.append([f"{rating.question.code}:{part}", None,
                               audit.plain(getattr(rating, part))])
    audit.audit_assessment(user=locked.user, kind=AuditKind.RATING_SUBMITTED,
                           assessment=rater.round.assessment, round=rater.round_id,
                           fields=fields)
    rater.submitted_at = locked.submitted_at
    return rater


def rating_round_close(*, rating_round: RatingRound, user: AbstractBaseUser) -> None:
    """No more scores in this round; raters who did not submit can see everything again (their
    scores stay unsubmitted and are not shown)."""
    with transaction.atomic():
        closed = RatingRound.objects.filter(pk=rating_round.pk, closed_at__isnull=True).update(
            closed_at=timezone.now())
        if closed:
            audit.audit_assessment(user=user, kind=AuditKind.RATING_ROUND_CLOSED,
                                   assessment=rating_round.assessment, round=rating_round.pk)


def answer_choose(*, rating_round: RatingRound, question: Question, user: AbstractBaseUser,
                  values: AnswerValues, base_version: int) -> SaveResult:
    """The group's answer from the discussion: saved as any answer (a colleague's change since
    the page was loaded is a conflict), recorded in the history as chosen in the discussion."""
    return answer_save(assessment=rating_round.assessment, question=question, user=user,
                       values=values, base_version=base_version,
                       audit_kind=AuditKind.ANSWER_CHOSEN)
