"""Named municipalities and users with different access, shared by the tests."""

from contextlib import contextmanager

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import readmodel, services
from assessments.models import Answer, AnswerKind, Assessment, Municipality, Role
from perspectives.models import Perspective, Question
from waardevol.accounts import services as accounts_services

PASSWORD = "correct-horse-battery"


class SecondFactorClient(Client):
    """force_login as a whole login: staff, who need a second factor (TWO_FACTOR_REQUIRED is on
    in the tests, as in production), come in verified with an authenticator app. Tests of the
    second factor itself use Client.login or a plain Client."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.is_staff or user.is_superuser:
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Test"})
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


class BaseTestCase(TestCase):
    client_class = SecondFactorClient

    @classmethod
    def setUpTestData(cls):
        cls.utrecht = Municipality.objects.create(name="Utrecht", cbs_code="GM0344")
        cls.amersfoort = Municipality.objects.create(name="Amersfoort", cbs_code="GM0307")
        cls.alice = cls.make_user("alice", cls.utrecht, Role.EDITOR, manager=True)
        cls.bob = cls.make_user("bob", cls.utrecht, Role.READER)
        cls.charlie = cls.make_user("charlie", cls.amersfoort, Role.EDITOR)
        cls.vng = User.objects.create_user("vng", "vng@example.org", PASSWORD, is_staff=True)
        cls.vng.groups.add(Group.objects.get(name="VNG-beheerder"))

    @classmethod
    def make_user(cls, username, municipality, role, manager=False):
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD,
                                        first_name=username.title())
        accounts_services.membership_create(user=user, municipality=municipality, role=role,
                                   is_manager=manager)
        return user

    @staticmethod
    def make_project(municipality, owner, name="Slimme lantaarnpalen", **characteristics):
        return services.project_create(municipality=municipality, owner=owner, name=name,
                                       **characteristics)

    @staticmethod
    def answer_all(assessment, user, score=3):
        answer_all(assessment, user, score)

    @classmethod
    def make_assessed_project(cls, name="Slimme lantaarnpalen", action="Actie"):
        """Alice's project with a completed assessment (with one action) and a concept."""
        cls.completed = completed_assessment(cls.utrecht, cls.alice, name)
        cls.project = cls.completed.project
        cls.concept = Assessment.objects.create(project=cls.project, started_by=cls.alice)
        cls.action = services.action_create(
            assessment=cls.completed, user=cls.alice, perspective=Perspective.objects.get(number=1),
            description=action, owner="Wethouder")


def answer_all(assessment, user, score=3):
    """Answer every applicable question of an assessment with the same score."""
    result = readmodel.assessment_result(assessment)
    for view in result.questions:
        if view.applicable:
            services.answer_save(
                assessment=assessment, question=Question.objects.get(pk=view.id), user=user,
                values=services.AnswerValues(AnswerKind.SCORE, score=score),
                base_version=view.answer.version if view.answer else 0,
            )


def completed_assessment(municipality, user, name="Slimme lantaarnpalen", *, score=3,
                         language="nl", adjust=None, **characteristics):
    """A project with one completed assessment; `adjust(assessment)` runs before completing."""
    project = services.project_create(municipality=municipality, owner=user, name=name,
                                      **characteristics)
    assessment = services.assessment_start(project=project, user=user, language=language)
    answer_all(assessment, user, score)
    if adjust:
        adjust(assessment)
    return services.assessment_complete(assessment=assessment, user=user)


def set_answer(assessment, code, score=None, kind=AnswerKind.SCORE, note=""):
    """Change one stored answer of a concept, by question code."""
    Answer.objects.filter(assessment=assessment, question__code=code).update(
        kind=kind, score=score if kind == AnswerKind.SCORE else None, note=note)


def text_outside_boxes(html: str) -> tuple[list[str], list[str]]:
    """The text of every table cell of `html` laid out as its PDF prints it, and each piece of
    text that ends beyond the right edge of the block it stands in: a table cell, a column of
    the summary, a list item, the page. It would print over the next column or off the paper."""
    from weasyprint.formatting_structure import boxes

    from assessments import pdf

    cells, problems = [], []

    def walk(box, end):
        if isinstance(box, boxes.BlockContainerBox):
            end = box.content_box_x() + box.width
        if isinstance(box, boxes.TableCellBox):
            cells.append("".join(text.text for text in box.descendants()
                                 if isinstance(text, boxes.TextBox)))
        if isinstance(box, boxes.TextBox) and box.position_x + box.width > end + 0.5:
            problems.append(f"{box.text!r} ends {box.position_x + box.width - end:.1f}px late")
        for child in getattr(box, "children", ()):
            walk(child, end)

    for page in pdf.laid_out(html).pages:
        walk(page._page_box, float("inf"))
    return cells, problems


@contextmanager
def recorded_sql():
    """The SQL run inside the block, in order (Django's CaptureQueriesContext recorded nothing
    in one admin test here; an execute wrapper always sees the query)."""
    sql: list[str] = []

    def record(execute, query, params, many, context):
        sql.append(query)
        return execute(query, params, many, context)

    with connection.execute_wrapper(record):
        yield sql
