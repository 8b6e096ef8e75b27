import re

from django.urls import reverse

from assessments.models import Answer, AnswerKind, Assessment, Project, Status
from perspectives.models import Characteristic, Question

from .base import BaseTestCase
from .htmlforms import form_data


def step_url(assessment, step):
    return reverse("assessments:step", args=[assessment.pk, step])


class WizardJourneyTests(BaseTestCase):
    """A bewerker walks through the whole questionnaire with the test client."""

    def fill_step(self, url, score="3", navigate="next", na_codes=(), unknown_codes=()):
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        data = form_data(page.content.decode())
        for name in [n for n in data if n.endswith("-answer")] + [
            n.replace("-version", "-answer") for n in data if n.endswith("-version")
        ]:
            data[name] = score
        data["navigate"] = navigate
        for code in na_codes:
            qid = Question.objects.get(code=code).pk
            data[f"q{qid}-answer"] = "na"
            data[f"q{qid}-reason"] = "Geen sensoren in deze fase."
        for code in unknown_codes:
            data[f"q{Question.objects.get(code=code).pk}-answer"] = "unknown"
        return self.client.post(url, data)

    def test_create_answer_resume_complete_and_see_results(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:project_create"), {
            "name": "Sensoren Binnenstad", "description": "Tellen van voetgangers.",
            "phase": "experiment", "in_public_space": "on", "processes_personal_data": "on",
        })
        project = Project.objects.get(name="Sensoren Binnenstad")
        self.assertEqual(project.municipality, self.utrecht)
        self.assertRedirects(response, reverse("assessments:project_detail", args=[project.pk]))

        response = self.client.post(reverse("assessments:assessment_start", args=[project.pk]))
        assessment = Assessment.objects.get(project=project)
        self.assertRedirects(response, step_url(assessment, 0))

        intro = self.client.get(step_url(assessment, 0))
        self.assertContains(intro, "Stap 1 van 12")
        response = self.client.post(step_url(assessment, 0), {
            **form_data(intro.content.decode()), "navigate": "next"})
        self.assertRedirects(response, step_url(assessment, 1))

        # Steps 1-5, then "save and continue later" on step 6.
        for step in range(1, 6):
            response = self.fill_step(step_url(assessment, step), unknown_codes=(
                ("1.2",) if step == 1 else ()))
            self.assertRedirects(response, step_url(assessment, step + 1))
        page = self.client.get(step_url(assessment, 6))
        self.assertContains(page, "Stap 7 van 12")
        self.assertContains(page, '<progress class="wv-progress-bar" max="12" value="7"')
        response = self.fill_step(step_url(assessment, 6), navigate="later")
        self.assertRedirects(response, reverse("assessments:project_detail", args=[project.pk]))
        answered = assessment.answers.exclude(kind="").count()
        self.assertContains(self.client.get(response["Location"]),
                            f"{answered} vragen beantwoord.")  # not "antwoorden beantwoord"

        # A new login resumes where we left off.
        self.client.logout()
        self.client.force_login(self.alice)
        response = self.client.get(reverse("assessments:resume", args=[assessment.pk]))
        self.assertRedirects(response, step_url(assessment, 6))

        for step in range(6, 11):
            self.fill_step(step_url(assessment, step), score="2",
                           na_codes=("7.2",) if step == 7 else ())
        review = self.client.get(step_url(assessment, 11))
        self.assertContains(review, "Alle vragen die van toepassing zijn, zijn beantwoord.")
        self.assertContains(review, "1.2")  # listed under "weet ik niet"
        self.assertRegex(review.content.decode(), r">\d+ – (aandacht nodig|in ontwikkeling|op orde)<")
        response = self.client.post(reverse("assessments:complete", args=[assessment.pk]))
        self.assertRedirects(response, reverse("assessments:results", args=[assessment.pk]))
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Status.COMPLETED)
        self.assertEqual(assessment.completed_by, self.alice)
        self.assertIsNotNone(assessment.content.snapshot)
        # Scored on the latest publication, which names its number and date for the report.
        self.assertEqual(assessment.content.number, assessment.content.snapshot["publication"]["number"])
        self.assertEqual(assessment.content_revision,
                         f"{assessment.content.snapshot['revision']}-{assessment.content.number}")
        self.assertEqual(assessment.characteristics,
                         ["experiment", "public_space", "personal_data"])
        self.assertEqual(assessment.result["phase"], "experiment")
        self.assertEqual(
            Answer.objects.get(assessment=assessment, question__code="7.2").kind,
            AnswerKind.NOT_APPLICABLE,
        )

        results = self.client.get(reverse("assessments:results", args=[assessment.pk]))
        self.assertContains(results, "<svg")
        self.assertContains(results, "Radardiagram")
        self.assertContains(results, f"Het project scoort {assessment.overall_score} van de 100 punten")
        self.assertContains(results, "Weet ik niet")
        self.assertContains(results, "Niet van toepassing: Geen sensoren in deze fase.")

    def test_questions_for_missing_characteristics_are_not_applicable(self):
        project = self.make_project(self.utrecht, self.alice)  # no characteristics at all
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        page = self.client.get(step_url(assessment, 4)).content.decode()
        conditional = [q for q in Question.objects.filter(perspective__number=4) if q.applies_when]
        self.assertTrue(conditional)
        for question in conditional:
            self.assertNotIn(f'name="q{question.pk}-answer"', page)
        self.assertIn("Niet van toepassing:", page)
        self.assertIn("geldt alleen als het project inwoners direct raakt", page)
        self.assertIn("geldt alleen voor projecten in de openbare ruimte", page)

    def test_a_question_answered_before_it_stopped_applying_shows_why_it_does_not_apply(self):
        project = self.make_project(self.utrecht, self.alice, in_public_space=True,
                                    citizens_affected=True)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice)
        conditional = [q for q in Question.objects.filter(perspective__number=4) if q.applies_when]
        self.assertTrue(Answer.objects.filter(assessment=assessment,
                                              question__in=conditional).exists())
        # The project's characteristics change after the answers were given.
        Project.objects.filter(pk=project.pk).update(in_public_space=False,
                                                     citizens_affected=False)
        self.client.force_login(self.alice)
        page = self.client.get(step_url(assessment, 4)).content.decode()
        for question in conditional:
            self.assertNotIn(f'name="q{question.pk}-answer"', page)
            self.assertIn(f'<section class="wv-question wv-question--na" id="vraag-{question.code}">',
                          page)
        self.assertNotIn('id="vraag-"', page)
        self.assertIn("geldt alleen voor projecten in de openbare ruimte", page)
        # The question blocks are Jinja2 templates (waardevol/templating.py): translated as well.
        self.client.cookies["django_language"] = "en"
        page = self.client.get(step_url(assessment, 4)).content.decode()
        self.assertIn("Not applicable:", page)
        self.assertNotIn("Niet van toepassing:", page)

    def test_changing_the_characteristics_says_which_answers_stop_and_start_counting(self):
        project = self.make_project(self.utrecht, self.alice, in_public_space=True,
                                    citizens_affected=True)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice)
        answered = Answer.objects.filter(assessment=assessment).count()
        conditional = {q.pk for q in Question.objects.all()
                       if Characteristic.PUBLIC_SPACE in q.applies_when}
        self.assertTrue(conditional)
        self.client.force_login(self.alice)
        intro = step_url(assessment, 0)

        def save_intro(**changes):
            data = {**form_data(self.client.get(intro).content.decode()), **changes,
                    "navigate": "next"}
            for name, value in list(changes.items()):
                if value is None:
                    data.pop(name)
            return self.client.post(intro, data, follow=True)

        page = save_intro(in_public_space=None)  # unticked
        hidden = Answer.objects.filter(assessment=assessment, question__in=conditional).count()
        self.assertGreater(hidden, 0)
        self.assertContains(page, f"Met deze kenmerken {'is' if hidden == 1 else 'zijn'} "
                                  f"{hidden} beantwoorde vra")
        self.assertContains(page, "blijft bewaard" if hidden == 1 else "blijven bewaard")
        self.assertEqual(Answer.objects.filter(assessment=assessment).count(), answered)
        page = save_intro()  # nothing changed: nothing said
        self.assertNotContains(page, "niet meer van toepassing")
        page = save_intro(in_public_space="on")
        self.assertContains(page, f"{hidden} eerder gegeven antwoord")
        self.assertContains(page, "weer mee")

    def test_not_applicable_requires_a_reason_and_keeps_what_was_typed(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        url = step_url(assessment, 1)
        data = form_data(self.client.get(url).content.decode())
        question = Question.objects.get(code="1.1")
        data[f"q{question.pk}-answer"] = "na"
        data[f"q{question.pk}-note"] = "Mijn zorgvuldige toelichting"
        data["navigate"] = "next"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        html = response.content.decode()
        self.assertIn('id="error-summary"', html)
        self.assertIn("Geef een korte reden", html)
        self.assertIn(f'href="#id_q{question.pk}-reason"', html)
        self.assertIn("Mijn zorgvuldige toelichting", html)
        # What the summary promises is what happened: kept in the form, not saved.
        self.assertIn("Wat u invulde, staat nog in het formulier.", html)
        self.assertIn(
            f'aria-describedby="id_q{question.pk}-reason-description id_q{question.pk}-reason-error"'
            ' aria-invalid="true"', html)
        self.assertFalse(Answer.objects.filter(assessment=assessment).exists())

    def test_oversized_note_is_rejected_with_a_message(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        url = step_url(assessment, 2)
        data = form_data(self.client.get(url).content.decode())
        question = Question.objects.get(code="2.1")
        data[f"q{question.pk}-answer"] = "2"
        data[f"q{question.pk}-note"] = "x" * 2001
        response = self.client.post(url, {**data, "navigate": "next"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "2000", status_code=400)
        self.assertFalse(Answer.objects.filter(assessment=assessment).exists())

    def test_completion_requires_every_applicable_question(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        review = self.client.get(step_url(assessment, 11))
        self.assertContains(review, "niet beantwoord")
        self.client.post(reverse("assessments:complete", args=[assessment.pk]))
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Status.CONCEPT)

    def test_completed_assessment_rejects_changes_and_reopens_as_new_concept(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=4)
        self.client.force_login(self.alice)
        self.client.post(reverse("assessments:complete", args=[assessment.pk]))
        assessment.refresh_from_db()
        self.assertTrue(assessment.is_completed)
        question = Question.objects.get(code="1.1")
        answer = Answer.objects.get(assessment=assessment, question=question)

        response = self.client.post(step_url(assessment, 1), {
            f"q{question.pk}-answer": "0", f"q{question.pk}-version": answer.version,
            f"q{question.pk}-original": "x", "navigate": "next"})
        self.assertRedirects(response, reverse("assessments:results", args=[assessment.pk]))
        response = self.client.post(
            reverse("assessments:answer_autosave", args=[assessment.pk, question.pk]),
            {f"q{question.pk}-answer": "0", f"q{question.pk}-version": answer.version})
        self.assertEqual(response.status_code, 409)
        answer.refresh_from_db()
        self.assertEqual(answer.score, 4)

        response = self.client.post(reverse("assessments:reopen", args=[assessment.pk]))
        copy = Assessment.objects.exclude(pk=assessment.pk).get(project=project)
        self.assertRedirects(response, step_url(copy, 0))
        self.assertEqual(copy.status, Status.CONCEPT)
        self.assertEqual(copy.reopened_from, assessment)
        self.assertEqual(copy.answers.count(), assessment.answers.count())
        assessment.refresh_from_db()
        self.assertTrue(assessment.is_completed)

    def test_autosave_saves_one_answer(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        question = Question.objects.get(code="2.2")
        self.client.force_login(self.alice)
        url = reverse("assessments:answer_autosave", args=[assessment.pk, question.pk])
        response = self.client.post(url, {f"q{question.pk}-answer": "3",
                                          f"q{question.pk}-note": "Besproken in MT",
                                          f"q{question.pk}-version": "0"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "saved")
        self.assertEqual(response.json()["version"], 1)
        answer = Answer.objects.get(assessment=assessment, question=question)
        self.assertEqual((answer.score, answer.note, answer.updated_by), (3, "Besproken in MT",
                                                                          self.alice))
        response = self.client.post(url, {f"q{question.pk}-answer": "na",
                                          f"q{question.pk}-version": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reden", response.json()["errors"][0])

    def test_reading_a_step_does_not_move_where_colleagues_resume(self):
        """A GET changes nothing (a link on another site could otherwise move the shared resume
        point); the buttons do."""
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice,
                                               current_step=4)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(step_url(assessment, 7)).status_code, 200)
        assessment.refresh_from_db()
        self.assertEqual(assessment.current_step, 4)
        response = self.fill_step(step_url(assessment, 7), navigate="later")
        self.assertEqual(response.status_code, 302)
        assessment.refresh_from_db()
        self.assertEqual(assessment.current_step, 7)  # "later" keeps the step it was pressed on
        self.assertRedirects(self.client.get(reverse("assessments:resume", args=[assessment.pk])),
                             step_url(assessment, 7))

    def test_step_page_has_progress_step_list_and_autosave_hooks(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        html = self.client.get(step_url(assessment, 3)).content.decode()
        self.assertIn("Stap 4 van 12", html)
        self.assertEqual(len(re.findall(r'name="navigate" value="step-\d+"', html)), 12)
        self.assertIn('aria-current="step"', html)
        self.assertIn("data-autosave-url", html)
        self.assertIn("Experimenteer lokaal in de publieke ruimte", html)
        self.assertIn("Weet ik niet", html)
        self.assertIn("Opslaan en later verder", html)
        # A failed autosave names buttons the page has (it named an "Opslaan" it has not).
        failed = re.search(r'data-text-failed="([^"]*)"', html).group(1)
        for label in re.findall(r"‘([^’]+)’", failed):
            self.assertIn(f">{label}</button>", html)
        self.assertEqual(len(re.findall(r"‘([^’]+)’", failed)), 2)
