"""Bulk demo data for load tests: many municipalities, users, projects and assessments, fast.

Rows are built in Python and written with bulk_create; scores are computed with the same pure
scoring functions the application uses, so the data looks exactly like real completed work.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from assessments import scoring
from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    AnswerKind,
    Assessment,
    Membership,
    Municipality,
    PerspectiveResult,
    Project,
    Role,
    Status,
)
from assessments.services import perspective_results_of
from perspectives.models import Perspective
from perspectives.selectors import content_revision_current

FIRST_CODE = 5000  # bulk municipalities are GM5000 and up, clear of real CBS codes' use here
CHARACTERISTIC_VARIANTS = [
    {"in_public_space": True, "involves_partners": True, "is_experiment": True},
    {"processes_personal_data": True, "uses_impactful_algorithm": True, "uses_ai": True,
     "citizens_affected": True, "has_public_channel": True},
    {"in_public_space": True, "processes_personal_data": True, "citizens_participate": True,
     "citizens_affected": True, "involves_partners": True},
    {},
]
PHASES = ["idee", "experiment", "implementatie", "beheer"]
BATCH = 2000


@dataclass
class BulkResult:
    municipalities: int = 0
    projects: int = 0
    assessments: int = 0
    answers: int = 0


def _characteristic_codes(variant: dict, phase: str) -> list[str]:
    return Project(phase=phase, **variant).characteristics


def _answer_for(index: int) -> tuple[str, int | None]:
    if index % 17 == 5:
        return AnswerKind.UNKNOWN, None
    return AnswerKind.SCORE, (index * 7 + 3) % 5


def _phase(index: int) -> str:
    """Phases change every len(CHARACTERISTIC_VARIANTS) projects, so that every combination of
    phase and characteristics occurs (the national benchmark compares by both)."""
    return PHASES[(index // len(CHARACTERISTIC_VARIANTS)) % len(PHASES)]


def bulk_seed(*, municipalities: int, projects: int, password: str,
              first_code: int = FIRST_CODE, prefix: str = "bench",
              spread_days: int = 0) -> BulkResult:
    """Create `municipalities` municipalities with `projects` projects each (idempotent).

    `first_code` and `prefix` (of the user names) keep apart data seeded for another purpose,
    such as the portfolio benchmark's one municipality with 10,000 projects.

    Every project has a completed assessment with all applicable questions answered and two
    actions; every third project also has a concept assessment that is halfway. The answers
    differ a little per municipality. `spread_days` spreads the completion dates over that many
    days before now (the benchmark's table over time); 0 completes them all now.
    """
    result = BulkResult()
    revision = content_revision_current()
    snapshot = revision.snapshot
    perspective_ids = dict(Perspective.objects.values_list("number", "pk"))
    questions = [q for process in snapshot["processes"] for data in process["perspectives"]
                 for q in data["questions"]]
    password_hash = make_password(password)
    User = get_user_model()
    now = timezone.now()
    for number in range(municipalities):
        code = f"GM{first_code + number:04d}"
        if Municipality.objects.filter(cbs_code=code).exists():
            continue
        with transaction.atomic():
            municipality = Municipality.objects.create(
                name=f"Benchgemeente {number + 1:04d}", cbs_code=code)
            editor = User.objects.create(username=f"{prefix}{number + 1:04d}-bewerker",
                                         password=password_hash, first_name="Bench")
            reader = User.objects.create(username=f"{prefix}{number + 1:04d}-lezer",
                                         password=password_hash, first_name="Bench")
            Membership.objects.bulk_create([
                Membership(user=editor, municipality=municipality, role=Role.EDITOR),
                Membership(user=reader, municipality=municipality, role=Role.READER),
            ])
            new_projects = Project.objects.bulk_create([
                Project(municipality=municipality, owner=editor,
                        name=f"Project {index + 1:05d} van {municipality.name}",
                        description="Bulkdata voor belastingtests.",
                        phase=_phase(index),
                        **CHARACTERISTIC_VARIANTS[index % len(CHARACTERISTIC_VARIANTS)])
                for index in range(projects)
            ], batch_size=BATCH)
            assessments, answers, actions = [], [], []
            for index, project in enumerate(new_projects):
                characteristics = _characteristic_codes(
                    CHARACTERISTIC_VARIANTS[index % len(CHARACTERISTIC_VARIANTS)], project.phase)
                given = {}
                for q_index, question in enumerate(questions):
                    kind, score = _answer_for(index + q_index + number)
                    given[question["code"]] = scoring.AnswerData(kind, score)
                # Score with the real rules, then keep only the answers to applicable questions,
                # as a real user would have given them.
                evaluation = scoring.evaluate(snapshot, characteristics, project.phase, given)
                planned = [(question["id"], given[question["code"]].kind,
                            given[question["code"]].score)
                           for question in questions
                           if evaluation.questions[question["code"]].applicable]
                frozen = scoring.evaluate(
                    snapshot, characteristics, project.phase,
                    {code: answer for code, answer in given.items()
                     if evaluation.questions[code].applicable})
                completed = Assessment(
                    project=project, status=Status.COMPLETED, language="nl", started_by=editor,
                    completed_by=editor, content=revision,
                    completed_at=now - timedelta(days=(index * 97 + number * 31) % spread_days)
                    if spread_days else now,
                    characteristics=characteristics, overall_score=frozen.overall.score,
                    unmet_minimum_count=len(frozen.unmet), result=frozen.to_json(),
                    current_step=len(perspective_ids) + 1)
                assessments.append((completed, planned))
                if index % 3 == 0:
                    concept = Assessment(project=project, status=Status.CONCEPT, language="nl",
                                         started_by=editor, current_step=5)
                    assessments.append((concept, planned[: len(planned) // 2]))
            Assessment.objects.bulk_create([a for a, _ in assessments], batch_size=BATCH)
            for assessment, planned in assessments:
                answers.extend(
                    Answer(assessment=assessment, question_id=question_id, kind=kind, score=score,
                           note="Zie projectplan." if question_id % 5 == 0 else "",
                           updated_by=editor)
                    for question_id, kind, score in planned
                )
                if assessment.status == Status.COMPLETED:
                    actions.extend([
                        Action(assessment=assessment, perspective_id=perspective_ids[4],
                               description="Informatiebord plaatsen", owner="Projectleider",
                               due_date=date.today() + timedelta(days=30), created_by=editor),
                        Action(assessment=assessment, perspective_id=perspective_ids[7],
                               description="DPIA uitvoeren", owner="Privacy officer",
                               status=ActionStatus.IN_PROGRESS, created_by=editor),
                    ])
            Answer.objects.bulk_create(answers, batch_size=BATCH)
            Action.objects.bulk_create(actions, batch_size=BATCH)
            PerspectiveResult.objects.bulk_create(
                [row for assessment, _ in assessments if assessment.status == Status.COMPLETED
                 for row in perspective_results_of(assessment)], batch_size=BATCH)
        result.municipalities += 1
        result.projects += len(new_projects)
        result.assessments += len(assessments)
        result.answers += len(answers)
    return result
