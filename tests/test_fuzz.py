"""Whatever a browser or an attacker posts to the questionnaire or a shared object's form, the
answer is never a 500.

Hypothesis generates navigation values and field values (any text, digits from other scripts,
control characters, huge numbers, unknown question ids, nested or broken JSON in a form's `base`)
for the introduction, a perspective step, the background save and every form that edits a shared
object (project, action, member).
"""

import json

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessments import services
from perspectives.models import Perspective, Question

from .base import BaseTestCase

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["step-²", "step-٣", "step-1٠", "step-", "step--1", "step-99999999999999",
                     "step-0x1", "previous", "next", "later", "", "\x00", "step-3\n",
                     "9" * 400, "-1", "4.0", "na", "unknown", "score"]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=20,
)
BASE = st.one_of(
    ODD_TEXT,
    JSON.map(json.dumps),
    st.sampled_from([10, 999, 1001, 1500, 1999]).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=1, max_value=700).map(lambda n: '{"name":' * n + '"x"' + "}" * n),
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
        cls.action = services.action_create(
            assessment=cls.assessment, user=cls.alice,
            perspective=Perspective.objects.get(number=1), description="Actie", owner="X")
        cls.alice.membership.is_manager = True
        cls.alice.membership.save()
        cls.member = cls.bob.membership

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
    @given(navigate=st.one_of(st.just("next"), ODD_TEXT),
           phase=st.one_of(st.sampled_from(["idee", "beheer"]), ODD_TEXT), base=BASE,
           flags=st.lists(
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

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(form=st.sampled_from(["project", "action", "member"]), base=BASE,
           text=st.one_of(st.just("Naam"), ODD_TEXT),
           choice=st.one_of(st.sampled_from(["idee", "beheer", "open", "gereed", "1",
                                             "bewerker", "lezer"]), ODD_TEXT),
           resolve=st.one_of(st.sampled_from(["mine", "theirs"]), ODD_TEXT))
    def test_every_shared_form_never_fails(self, form, base, text, choice, resolve):
        if form == "project":
            url = reverse("assessments:project_edit", args=[self.assessment.project_id])
            data = {"name": text, "description": text, "phase": choice,
                    "conflict-name": "1", "resolve-name": resolve}
        elif form == "action":
            url = reverse("assessments:action_edit", args=[self.action.pk])
            data = {"perspective": choice, "description": text, "owner": text,
                    "due_date": text, "status": choice, "conflict-status": "1",
                    "resolve-status": resolve}
        else:
            url = reverse("member_edit", args=[self.member.pk])
            data = {"role": choice, "is_manager": text, "conflict-role": "1",
                    "resolve-role": resolve}
        data["base"] = base
        self.assertIn(self.post(url, data).status_code, ALLOWED)

    def test_a_deeply_nested_base_is_no_error(self):
        url = reverse("assessments:project_edit", args=[self.assessment.project_id])
        response = self.post(url, {"name": "X", "phase": "idee",
                                   "base": "[" * 1500 + "]" * 1500})
        self.assertIn(response.status_code, {302, 409})

    def test_the_reported_case_is_a_400_that_saves_nothing(self):
        question = self.questions[0]
        response = self.post(
            reverse("assessments:step", args=[self.assessment.pk, 1]),
            {f"q{question.pk}-answer": "3", f"q{question.pk}-version": "0",
             f"q{question.pk}-original": "none", "navigate": "step-²"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.assessment.answers.exists())
