"""Two colleagues editing the same answer never silently overwrite each other."""

from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.services import AnswerValues, answer_save
from perspectives.models import Question

from .base import BaseTestCase
from .htmlforms import form_data


class ConcurrentEditTests(BaseTestCase):
    def setUp(self):
        self.dave = self.make_user("dave", self.utrecht, "bewerker")
        self.project = self.make_project(self.utrecht, self.alice)
        self.assessment = Assessment.objects.create(project=self.project, started_by=self.alice)
        self.question = Question.objects.get(code="2.1")
        self.url = reverse("assessments:step", args=[self.assessment.pk, 2])
        self.alice_client, self.dave_client = Client(), Client()
        self.alice_client.force_login(self.alice)
        self.dave_client.force_login(self.dave)

    def test_second_save_of_a_stale_page_shows_both_and_lets_the_user_choose(self):
        q = self.question.pk
        # Both open the same step.
        alice_data = form_data(self.alice_client.get(self.url).content.decode())
        dave_data = form_data(self.dave_client.get(self.url).content.decode())
        # Alice saves first.
        alice_data.update({f"q{q}-answer": "4", f"q{q}-note": "Alice: besproken", "navigate": "next"})
        self.assertEqual(self.alice_client.post(self.url, alice_data).status_code, 302)
        # Dave saves his stale page with another answer: conflict, nothing overwritten.
        dave_data.update({f"q{q}-answer": "1", f"q{q}-note": "Dave: nog niet geregeld",
                          "navigate": "next"})
        response = self.dave_client.post(self.url, dave_data)
        self.assertEqual(response.status_code, 409)
        answer = Answer.objects.get(assessment=self.assessment, question=self.question)
        self.assertEqual((answer.score, answer.note), (4, "Alice: besproken"))
        html = response.content.decode()
        self.assertIn("Antwoord van uw collega", html)
        self.assertIn("Alice: besproken", html)
        self.assertIn("Dave: nog niet geregeld", html)  # his own answer is kept in the form
        self.assertIn(f'name="q{q}-resolve"', html)

        # Dave must choose; he keeps his own answer.
        resolved = form_data(html)
        resolved.update({f"q{q}-resolve": "mine", "navigate": "next"})
        response = self.dave_client.post(self.url, resolved)
        self.assertEqual(response.status_code, 302)
        answer.refresh_from_db()
        self.assertEqual((answer.score, answer.note, answer.updated_by),
                         (1, "Dave: nog niet geregeld", self.dave))

    def test_choosing_the_colleagues_answer_keeps_it(self):
        q = self.question.pk
        dave_data = form_data(self.dave_client.get(self.url).content.decode())
        answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                    values=AnswerValues("score", 4), base_version=0)
        dave_data.update({f"q{q}-answer": "0", "navigate": "next"})
        html = self.dave_client.post(self.url, dave_data).content.decode()
        resolved = form_data(html)
        resolved.update({f"q{q}-resolve": "theirs", "navigate": "next"})
        self.assertEqual(self.dave_client.post(self.url, resolved).status_code, 302)
        answer = Answer.objects.get(assessment=self.assessment, question=self.question)
        self.assertEqual((answer.score, answer.updated_by), (4, self.alice))

    def test_untouched_questions_of_a_stale_page_do_not_overwrite(self):
        q = self.question.pk
        other = Question.objects.get(code="2.2")
        dave_data = form_data(self.dave_client.get(self.url).content.decode())
        answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                    values=AnswerValues("score", 4), base_version=0)
        # Dave only answers another question on the same page.
        dave_data.update({f"q{other.pk}-answer": "2", "navigate": "next"})
        self.assertEqual(self.dave_client.post(self.url, dave_data).status_code, 302)
        self.assertEqual(Answer.objects.get(assessment=self.assessment, question_id=q).score, 4)
        self.assertEqual(
            Answer.objects.get(assessment=self.assessment, question=other).score, 2)

    def test_autosave_reports_a_conflict_instead_of_overwriting(self):
        q = self.question.pk
        answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                    values=AnswerValues("score", 4), base_version=0)
        response = self.dave_client.post(
            reverse("assessments:answer_autosave", args=[self.assessment.pk, q]),
            {f"q{q}-answer": "1", f"q{q}-version": "0"})
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["status"], "conflict")
        self.assertEqual(Answer.objects.get(assessment=self.assessment, question_id=q).score, 4)

    def test_service_refuses_a_stale_version(self):
        first = answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                            values=AnswerValues("score", 2), base_version=0)
        self.assertEqual(first.status, "saved")
        second = answer_save(assessment=self.assessment, question=self.question, user=self.dave,
                             values=AnswerValues("score", 3), base_version=1)
        self.assertEqual((second.status, second.answer.version), ("saved", 2))
        stale = answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                            values=AnswerValues("score", 0), base_version=1)
        self.assertEqual(stale.status, "conflict")
        same = answer_save(assessment=self.assessment, question=self.question, user=self.alice,
                           values=AnswerValues("score", 3), base_version=1)
        self.assertEqual(same.status, "unchanged")


class RaceTests(BaseTestCase):
    def test_a_racing_identical_write_is_not_a_conflict(self):
        """Our own background save landing between the read and the write of a form save."""
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        question = Question.objects.get(code="3.1")
        original_filter = Answer.objects.filter

        def racing_filter(*args, **kwargs):
            result = original_filter(*args, **kwargs)
            if kwargs.get("question") == question and not Answer.objects.exists():
                Answer.objects.create(assessment=assessment, question=question, kind="score",
                                      score=2, version=1, updated_by=self.alice)
                return Answer.objects.none()
            return result

        from unittest import mock

        with mock.patch.object(Answer.objects, "filter", side_effect=racing_filter):
            outcome = answer_save(assessment=assessment, question=question, user=self.alice,
                                  values=AnswerValues("score", 2), base_version=0)
        self.assertEqual(outcome.status, "unchanged")
        with mock.patch.object(Answer.objects, "filter", side_effect=racing_filter):
            Answer.objects.all().delete()
            outcome = answer_save(assessment=assessment, question=question, user=self.alice,
                                  values=AnswerValues("score", 3), base_version=0)
        self.assertEqual(outcome.status, "conflict")
        self.assertEqual(outcome.answer.score, 2)


class ConflictChoiceCannotBeSkippedTests(BaseTestCase):
    def setUp(self):
        self.dave = self.make_user("dave", self.utrecht, "bewerker")
        self.project = self.make_project(self.utrecht, self.alice)
        self.assessment = Assessment.objects.create(project=self.project, started_by=self.alice)
        self.q1 = Question.objects.get(code="2.1")
        self.q2 = Question.objects.get(code="2.2")
        self.url = reverse("assessments:step", args=[self.assessment.pk, 2])
        self.client.force_login(self.dave)

    def stale_page_with_conflict(self, **answers):
        data = form_data(self.client.get(self.url).content.decode())
        for question, score in answers.items():
            answer_save(assessment=self.assessment, question=getattr(self, question),
                        user=self.alice, values=AnswerValues("score", 4), base_version=0)
            data[f"q{getattr(self, question).pk}-answer"] = str(score)
        data["navigate"] = "next"
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 409)
        return form_data(response.content.decode())

    def test_submitting_without_a_choice_keeps_asking_and_overwrites_nothing(self):
        data = self.stale_page_with_conflict(q1=1)
        for _attempt in range(2):
            data["navigate"] = "next"
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 400)
            html = response.content.decode()
            self.assertIn("Antwoord van uw collega", html)
            self.assertIn(f'name="q{self.q1.pk}-resolve"', html)
            self.assertIn(f'name="q{self.q1.pk}-conflict"', html)
            data = form_data(html)
        self.assertEqual(Answer.objects.get(assessment=self.assessment, question=self.q1).score, 4)

    def test_choosing_the_colleague_survives_a_new_conflict_elsewhere(self):
        data = self.stale_page_with_conflict(q1=1)
        # Meanwhile Alice also answers q2, which Dave changes too.
        answer_save(assessment=self.assessment, question=self.q2, user=self.alice,
                    values=AnswerValues("score", 4), base_version=0)
        data.update({f"q{self.q1.pk}-resolve": "theirs", f"q{self.q2.pk}-answer": "0",
                     "navigate": "next"})
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 409)
        data = form_data(response.content.decode())
        self.assertEqual(data[f"q{self.q1.pk}-answer"], "4")  # now shows the kept answer
        data.update({f"q{self.q2.pk}-resolve": "mine", "navigate": "next"})
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.assertEqual(Answer.objects.get(assessment=self.assessment, question=self.q1).score, 4)
        self.assertEqual(Answer.objects.get(assessment=self.assessment, question=self.q2).score, 0)


class CompletionRaceTests(BaseTestCase):
    def test_a_save_based_on_a_stale_concept_cannot_change_a_completed_assessment(self):
        from assessments import services

        project = self.make_project(self.utrecht, self.alice)
        stale = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(stale, self.alice, score=2)
        services.assessment_complete(assessment=stale, user=self.alice)
        question = Question.objects.get(code="1.1")
        answer = Answer.objects.get(assessment=stale, question=question)
        self.assertFalse(stale.is_completed)  # the in-memory copy still says concept
        with self.assertRaises(services.AssessmentLocked):
            answer_save(assessment=stale, question=question, user=self.alice,
                        values=AnswerValues("score", 4), base_version=answer.version)
        answer.refresh_from_db()
        self.assertEqual(answer.score, 2)

    def test_a_double_click_on_complete_is_not_an_error(self):
        from unittest import mock

        from assessments import services

        project = self.make_project(self.utrecht, self.alice)
        stale = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(stale, self.alice)
        services.assessment_complete(assessment=stale, user=self.alice)
        self.client.force_login(self.alice)
        with mock.patch("assessments.views.assessment_for_user", return_value=stale):
            response = self.client.post(reverse("assessments:complete", args=[stale.pk]))
        self.assertRedirects(response, reverse("assessments:results", args=[stale.pk]))

    def test_reopening_twice_gives_one_concept(self):
        from assessments import services

        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice)
        completed = services.assessment_complete(assessment=assessment, user=self.alice)
        first = services.assessment_reopen(assessment=completed, user=self.alice)
        second = services.assessment_reopen(assessment=completed, user=self.alice)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Assessment.objects.filter(reopened_from=completed).count(), 1)
