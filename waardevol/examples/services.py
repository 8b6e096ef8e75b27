"""Writes of the library of examples: publishing, withdrawing, and starting from an example."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Answer, Assessment, Municipality, Project
from perspectives.models import Characteristic
from perspectives.selectors import content_snapshot
from waardevol.audit import services as audit
from waardevol.audit.models import AuditKind

from .models import PublishedExample
from .publication import answers_to_copy, characteristic_codes, example_result


class NotPublishable(Exception):
    """Only a completed assessment, with its frozen result, can be published."""


class AlreadyPublished(Exception):
    def __init__(self, example: PublishedExample):
        super().__init__("already published")
        self.example = example


@transaction.atomic
def example_publish(*, assessment: Assessment, user: AbstractBaseUser, title: str,
                    description: str, include_notes: bool) -> PublishedExample:
    """Copy what the example shows, now: a later change of the source never shows through."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_completed or not locked.result or not locked.content_id:
        raise NotPublishable
    current = PublishedExample.objects.published().filter(source=locked).first()
    if current is not None:
        raise AlreadyPublished(current)
    result = example_result(locked.result, include_notes=include_notes)
    example = PublishedExample(
        source=locked, municipality_id=assessment.project.municipality_id, title=title,
        description=description, include_notes=include_notes,
        phase=result["phase"] or assessment.project.phase,
        characteristic_codes=characteristic_codes(locked.characteristics),
        content_id=locked.content_id, result=result, overall_score=locked.overall_score,
        published_by=user,
    )
    example.full_clean()
    example.save()
    audit.audit_assessment(user=user, kind=AuditKind.EXAMPLE_PUBLISHED, assessment=assessment,
                           example=example.pk, title=audit.plain(title),
                           include_notes=include_notes)
    return example


@transaction.atomic
def example_withdraw(*, example: PublishedExample, user: AbstractBaseUser) -> bool:
    """Invisible from now on, for everyone; the row stays for the trail. False if it was
    withdrawn already (a double click)."""
    withdrawn = PublishedExample.objects.filter(pk=example.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user)
    if not withdrawn:
        return False
    source = (Assessment.objects.select_related("project").filter(pk=example.source_id).first()
              if example.source_id else None)
    if source is not None:  # a source a superuser deleted has no trail to add to
        audit.audit_assessment(user=user, kind=AuditKind.EXAMPLE_WITHDRAWN, assessment=source,
                               example=example.pk, title=audit.plain(example.title))
    return True


@dataclass(frozen=True)
class StartedFromExample:
    project: Project
    assessment: Assessment
    copied: int  # answers copied, each marked as adopted
    skipped: list[str]  # codes of the example's answers that could not be copied


@transaction.atomic
def project_start_from_example(*, example: PublishedExample, municipality: Municipality,
                               user: AbstractBaseUser, name: str, description: str = "",
                               copy_answers: bool, language: str) -> StartedFromExample:
    """A new project of the user's own municipality with the example's phase and characteristics,
    and its first (concept) assessment; with `copy_answers`, the example's answers as a starting
    point, each marked "overgenomen uit voorbeeld" until the user confirms or changes it."""
    fields = {field: False for field in Project.CHARACTERISTIC_FIELDS.values()}
    for code in example.characteristics:
        if code in Characteristic.values:  # a legacy code of the first questionnaire: left out
            fields[Project.CHARACTERISTIC_FIELDS[Characteristic(code)]] = True
    project = assessment_services.project_create(
        municipality=municipality, owner=user, name=name, description=description,
        phase=example.phase, **fields)
    assessment = assessment_services.assessment_start(project=project, user=user,
                                                      language=language)
    copied, skipped = {}, []
    if copy_answers:
        questions = {q["code"]: q for process in content_snapshot()["processes"]
                     for perspective in process["perspectives"] for q in perspective["questions"]}
        copied, skipped = answers_to_copy(example.result, questions)
        Answer.objects.bulk_create(
            Answer(assessment=assessment, question_id=questions[code]["id"], kind=values.kind,
                   score=values.score, na_reason=values.na_reason, updated_by=user,
                   adopted_from_example=True)
            for code, values in copied.items())
    audit.audit_assessment(user=user, kind=AuditKind.EXAMPLE_ADOPTED, assessment=assessment,
                           example=example.pk, title=audit.plain(example.title),
                           municipality=example.municipality.name, copied=len(copied),
                           skipped=skipped)
    return StartedFromExample(project, assessment, len(copied), skipped)
