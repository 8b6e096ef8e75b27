"""Named municipalities and users with different access, shared by the tests."""

from django.contrib.auth.models import Group, User
from django.test import TestCase

from assessments import selectors, services
from assessments.models import AnswerKind, Municipality, Role
from perspectives.models import Question

PASSWORD = "correct-horse-battery"


class BaseTestCase(TestCase):
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
        services.membership_create(user=user, municipality=municipality, role=role,
                                   is_manager=manager)
        return user

    @staticmethod
    def make_project(municipality, owner, name="Slimme lantaarnpalen", **characteristics):
        return services.project_create(municipality=municipality, owner=owner, name=name,
                                       **characteristics)

    @staticmethod
    def answer_all(assessment, user, score=3):
        """Answer every applicable question of an assessment with the same score."""
        result = selectors.assessment_result(assessment)
        for view in result.questions:
            if view.applicable:
                services.answer_save(
                    assessment=assessment, question=Question.objects.get(pk=view.id), user=user,
                    values=services.AnswerValues(AnswerKind.SCORE, score=score),
                    base_version=view.answer.version if view.answer else 0,
                )
