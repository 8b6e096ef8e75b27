"""Whatever a browser or an attacker posts to the questionnaire, the answer is never a 500.

Hypothesis generates navigation values and field values (any text, digits from other scripts,
control characters, huge numbers, unknown question ids) for the introduction, a perspective step
and the background save.
"""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessments import services
from perspectives.models import Question

from .base import BaseTestCase

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["step-²", "step-٣", "step-1٠", "step-", "step--1", "step-99999999999999",
                     "step-0x1", "previous", "next", "later", "", "\x00", "step-3\n",
                     "9" * 400, "-1", "4.0", "na", "unknown", "score"]),
)
ALLOWED = {200, 302, 400, 409}


class WizardFuzzTests(TestCase):
    """Each example runs in its own transaction (Hypothesis' Django test case)."""

    @classmethod
    def setUpTestData(cls):
        BaseTestCase.setUpTestData.__func__(cls)
        project = cls.make_project(cls.utrecht, cls.alice, processes_personal_data=True)
        cls.assessment = services.assessment_start(project=project, user=cls.alice,
                                                   language="nl")
        cls.questions = list(Question.objects.filter(perspective__number=1, is_active=True))

    make_user = BaseTestCase.make_user
    make_project = staticmethod(BaseTestCase.make_project)

    def post(self, url, data):
        self.client.force_login(self.alice)
        return self.client.post(url, data)

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(navigate=ODD_TEXT, values=st.dictionaries(
        st.sampled_from(["answer", "reason", "note", "version", "original", "resolve",
                         "conflict"]), ODD_TEXT, max_size=7),
        question=st.integers(min_value=0, max_value=3), stranger=st.booleans())
    def test_a_perspective_step_never_fails(self, navigate, values, question, stranger):
        pk = self.questions[question].pk if not stranger else 10**9
        data = {f"q{pk}-{part}": value for part, value in values.items()}
        data["navigate"] = navigate
        response = self.post(reverse("assessments:step", args=[self.assessment.pk, 1]), data)
        self.assertIn(response.status_code, ALLOWED)

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(navigate=ODD_TEXT, phase=ODD_TEXT, base=ODD_TEXT, flags=st.lists(
        st.sampled_from(["is_experiment", "uses_ai", "processes_personal_data", "bogus"]),
        max_size=4))
    def test_the_introduction_never_fails(self, navigate, phase, base, flags):
        data = {"navigate": navigate, "phase": phase, "base": base,
                **{flag: "on" for flag in flags}}
        response = self.post(reverse("assessments:step", args=[self.assessment.pk, 0]), data)
        self.assertIn(response.status_code, ALLOWED)

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(values=st.dictionaries(st.sampled_from(["answer", "reason", "note", "version"]),
                                  ODD_TEXT, max_size=4),
           question=st.integers(min_value=0, max_value=3))
    def test_the_background_save_never_fails(self, values, question):
        pk = self.questions[question].pk
        data = {f"q{pk}-{part}": value for part, value in values.items()}
        response = self.post(
            reverse("assessments:answer_autosave", args=[self.assessment.pk, pk]), data)
        self.assertIn(response.status_code, ALLOWED | {404})

    def test_the_reported_case_is_a_400_that_saves_nothing(self):
        question = self.questions[0]
        response = self.post(
            reverse("assessments:step", args=[self.assessment.pk, 1]),
            {f"q{question.pk}-answer": "3", f"q{question.pk}-version": "0",
             f"q{question.pk}-original": "none", "navigate": "step-²"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.assessment.answers.exists())
