"""Advice an alderman can trust: minimum requirements, questions that fit the project, next steps,
follow-up instruments and frozen results, seen on the results page and in the PDF."""

import re
from unittest import mock

from django.core.cache import cache
from django.urls import reverse

from assessments import readmodel, report, scoring, services
from assessments.models import Answer, AnswerKind, Assessment
from assessments.selectors import projects_overview
from perspectives.models import Advice, Question
from perspectives.selectors import content_changed

from .base import BaseTestCase, answer_all, completed_assessment, set_answer
from .htmlforms import form_data
from .test_report import pdf_text

EVERYTHING = dict(is_experiment=True, in_public_space=True, processes_personal_data=True,
                  uses_impactful_algorithm=True, uses_ai=True, citizens_participate=True,
                  citizens_affected=True, involves_partners=True, has_public_channel=True)


def page_text(response) -> str:
    """The visible text of a page's main content, without per-request tokens."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class AttentionTests(BaseTestCase):
    def setUp(self):
        cache.clear()

    def test_a_zero_in_a_perspective_in_order_still_reaches_the_summary(self):
        """An impactful algorithm with everything at 4 but its register entry (8.4) at 0: the
        perspective scores 'op orde', and the summary said no perspective needed attention."""
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, uses_impactful_algorithm=True,
            adjust=lambda a: set_answer(a, "8.4", 0))
        self.assertEqual(assessment.result["perspectives"]["8"]["band"], "op_orde")
        self.assertEqual(assessment.result["unmet"], [])
        step = " ".join(Question.objects.get(code="8.4").next_step_0_nl.split()[:6])

        self.client.force_login(self.bob)
        page = page_text(self.client.get(reverse("assessments:results", args=[assessment.pk])))
        attention = page[page.index("Hier is de meeste aandacht nodig"):
                         page.index("Vervolginstrumenten voor dit project")]
        self.assertIn("8. Bescherm publieke waarden", attention)
        self.assertIn(step, attention)
        self.assertNotIn("Geen perspectief vraagt nu bijzondere aandacht", attention)

        text = pdf_text(report.render_report_pdf(assessment))
        summary = text[text.index("Bestuurlijke samenvatting"):text.index("Score van dit proces")]
        attention = summary[summary.index("Hier is de meeste aandacht nodig"):]
        self.assertIn("8. Bescherm publieke waarden", attention)
        self.assertIn(step, attention)
        self.assertNotIn("Geen perspectief heeft dringend aandacht nodig", attention)

    def test_without_a_weak_answer_the_summary_says_so(self):
        assessment = completed_assessment(self.utrecht, self.alice, score=4)
        text = pdf_text(report.render_report_pdf(assessment))
        self.assertIn("Geen perspectief heeft dringend aandacht nodig", text)

    def test_no_instrument_is_not_called_not_needed(self):
        """7.4 at 4 in the idea phase can mean 'a DPIA is required and planned': the DPIA is
        still to be done, so the report may not say that no instrument is needed."""
        assessment = completed_assessment(self.utrecht, self.alice, score=4,
                                          processes_personal_data=True)
        self.assertEqual(assessment.result["instruments"], [])
        text = " ".join(pdf_text(report.render_report_pdf(assessment)).split())
        self.assertIn("Op grond van de kenmerken, de fase en de antwoorden stelt Waardevol geen "
                      "vervolginstrumenten voor.", text)
        self.assertNotIn("geen vervolginstrumenten nodig", text)
        # A concept with questions still open says so: the list may not be final.
        concept = Assessment.objects.create(project=assessment.project, started_by=self.alice)
        self.client.force_login(self.alice)
        page = page_text(self.client.get(reverse("assessments:results", args=[concept.pk])))
        self.assertIn("stelt Waardevol geen vervolginstrumenten voor. Nog niet alle vragen zijn "
                      "beantwoord.", page)


class MinimumRequirementTests(BaseTestCase):
    def setUp(self):
        cache.clear()

    def test_proportionality_at_0_with_three_4s_needs_attention_and_is_named(self):
        # The case: this scored 80, "op orde", with "Nut en grenzen … zijn helder".
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, processes_personal_data=True,
            adjust=lambda a: set_answer(a, "1.4", 0))
        perspective = assessment.result["perspectives"]["1"]
        self.assertEqual(round(perspective["uncapped"]), 80)
        self.assertEqual(perspective["score"], 39)
        self.assertEqual(perspective["band"], "aandacht")
        self.assertEqual(assessment.result["unmet"], ["1.4"])
        self.assertEqual(assessment.overall_score, 39)
        question = Question.objects.get(code="1.4")

        self.client.force_login(self.bob)
        page = page_text(self.client.get(reverse("assessments:results", args=[assessment.pk])))
        self.assertIn("Niet voldaan aan een minimumeis", page)
        self.assertIn("Art. 5, 6 en 38 AVG", page)
        self.assertIn(" ".join(question.minimum_action_nl.split()[:8]), page)
        self.assertIn("minimumeis 1.4 niet gehaald", page)
        # The alderman's order: the result in words, then the unmet minimum, then the rest.
        self.assertLess(page.index("Het project scoort 39 van de 100 punten"),
                        page.index("Niet voldaan aan een minimumeis"))
        self.assertLess(page.index("Niet voldaan aan een minimumeis"),
                        page.index("Hier is de meeste aandacht nodig"))
        # The advice goes by the other answers (80 without the cap) and says why; the advice
        # for weak answers would contradict three 4s, and that for 'op orde' ("houd de
        # afweging actueel") an unmet legal minimum.
        developing = Advice.objects.get(perspective__number=1, band="ontwikkeling").text_nl
        for band in ("aandacht", "op_orde"):
            other = Advice.objects.get(perspective__number=1, band=band).text_nl
            # Their last words: the first ones repeat across perspectives.
            self.assertNotIn(" ".join(other.split()[-10:]), page)
        self.assertIn(" ".join(developing.split()[-10:]), page)
        note = ("Dit advies gaat uit van de andere antwoorden: zonder de niet gehaalde minimumeis "
                "(1.4) zou dit perspectief 80 punten scoren. Die eis gaat voor.")
        self.assertIn(note, page)

        text = pdf_text(report.render_report_pdf(assessment))
        summary = text[text.index("Bestuurlijke samenvatting"):]
        self.assertIn("Niet voldaan aan een minimumeis", summary[:3000])
        self.assertIn("Art. 5, 6 en 38 AVG", summary[:3000])
        self.assertIn("Het project scoort 39 van de 100 punten: aandacht nodig.", text)
        self.assertIn(note, " ".join(text.split()))

    def test_a_result_completed_before_the_advice_band_keeps_its_advice(self):
        """Results stored before the uncapped band was (2026-11) have none: they keep the
        advice of their capped band, as they showed it when they were completed."""
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, processes_personal_data=True,
            adjust=lambda a: set_answer(a, "1.4", 0))
        self.assertEqual(assessment.result["perspectives"]["1"]["uncapped_band"], "op_orde")
        self.assertEqual(assessment.result["version"], 3)
        result = assessment.result
        result["version"] = 2
        for perspective in result["perspectives"].values():
            del perspective["uncapped_band"]
        Assessment.objects.filter(pk=assessment.pk).update(result=result)
        cache.clear()
        self.client.force_login(self.bob)
        page = page_text(self.client.get(reverse("assessments:results", args=[assessment.pk])))
        weak = Advice.objects.get(perspective__number=1, band="aandacht").text_nl
        self.assertIn(" ".join(weak.split()[:12]), page)
        self.assertNotIn("Dit advies gaat uit van de andere antwoorden", page)

    def test_a_result_completed_under_version_2_lists_and_says_what_it_did(self):
        """An 'op orde' perspective with a 0, and 'every minimum is met', came with version 3;
        a report completed before keeps its summary when it is rendered again."""
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, uses_impactful_algorithm=True,
            processes_personal_data=True, adjust=lambda a: set_answer(a, "8.4", 0))
        summary = readmodel.assessment_result(assessment)
        self.assertEqual([p.number for p in summary.needing_attention], [8])
        self.assertTrue(summary.met_minimums)
        result = assessment.result
        result["version"] = 2
        Assessment.objects.filter(pk=assessment.pk).update(result=result)
        summary = readmodel.assessment_result(Assessment.objects.get(pk=assessment.pk))
        self.assertEqual(summary.needing_attention, [])
        self.assertEqual(summary.met_minimums, [])
        # A published example copies the result with the version it has.
        from waardevol.examples.publication import example_result
        self.assertEqual(example_result(result, include_notes=False)["version"], 2)

    def test_when_every_minimum_is_met_the_summary_says_so(self):
        met = completed_assessment(self.utrecht, self.alice, "Op orde", score=3,
                                   processes_personal_data=True)
        sentence = ("Volgens de antwoorden is voldaan aan de 3 minimumeisen van Waardevol die "
                    "in deze fase voor dit project gelden (1.4, 7.3, 7.4).")
        self.client.force_login(self.bob)
        page = page_text(self.client.get(reverse("assessments:results", args=[met.pk])))
        self.assertIn(sentence, page)
        text = pdf_text(report.render_report_pdf(met))
        summary = text[text.index("Bestuurlijke samenvatting"):text.index("Score van dit proces")]
        self.assertIn(sentence, " ".join(summary.split()))

        # One unmet, or in a concept one not answered yet: nothing is said of them all.
        unmet = completed_assessment(self.utrecht, self.alice, "Niet op orde", score=3,
                                     processes_personal_data=True,
                                     adjust=lambda a: set_answer(a, "1.4", 0))
        page = page_text(self.client.get(reverse("assessments:results", args=[unmet.pk])))
        self.assertNotIn("Volgens de antwoorden is voldaan", page)
        concept = Assessment.objects.create(project=met.project, started_by=self.alice)
        answer_all(concept, self.alice, 3)
        Answer.objects.filter(assessment=concept, question__code="1.4").delete()
        self.assertEqual(readmodel.assessment_result(concept).met_minimums, [])

    def test_weet_ik_niet_on_a_minimum_is_unmet_and_a_met_minimum_is_not(self):
        unknown = completed_assessment(
            self.utrecht, self.alice, "Onbekend", score=4, processes_personal_data=True,
            adjust=lambda a: set_answer(a, "7.4", kind=AnswerKind.UNKNOWN))
        self.assertEqual(unknown.result["unmet"], ["7.4"])
        self.assertEqual(unknown.result["perspectives"]["7"]["band"], "aandacht")
        met = completed_assessment(self.utrecht, self.alice, "Op orde", score=3,
                                   processes_personal_data=True)
        self.assertEqual(met.result["unmet"], [])
        self.assertEqual(met.result["perspectives"]["7"]["band"], "op_orde")

    def test_next_steps_of_weak_answers_come_above_the_advice_with_who_takes_them(self):
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, processes_personal_data=True,
            adjust=lambda a: (set_answer(a, "1.4", 0), set_answer(a, "1.2", 1)))
        question = Question.objects.get(code="1.4")
        self.client.force_login(self.alice)
        html = self.client.get(reverse("assessments:results", args=[assessment.pk])).content.decode()
        article = html[html.index('id="perspectief-1"'):]
        article = article[:article.index("</details>")]
        self.assertIn(question.next_step_0_nl[:60], article)
        self.assertIn(Question.objects.get(code="1.2").next_step_1_nl[:60], article)
        self.assertLess(article.index("Volgende stappen"), article.index("Advies"))
        self.assertIn("wie:", article)
        # The unmet minimum's step comes first.
        self.assertLess(article.index(question.next_step_0_nl[:60]),
                        article.index(Question.objects.get(code="1.2").next_step_1_nl[:60]))
        text = pdf_text(report.render_report_pdf(assessment))
        self.assertIn(" ".join(question.next_step_0_nl.split()[:6]), text)
        # The summary names the perspective that needs attention with a step that the unmet
        # minimum requirement above it does not already name.
        summary = text[text.index("Bestuurlijke samenvatting"):text.index("Score van dit proces")]
        attention = summary[summary.index("Hier is de meeste aandacht nodig"):]
        self.assertIn("1. Verhelder nut en grenzen", attention)
        step = Question.objects.get(code="1.2").next_step_1_nl
        self.assertIn(" ".join(step.split()[:6]), attention)
        self.assertNotIn(" ".join(question.next_step_0_nl.split()[:6]), attention)


class QuestionsFitTheProjectTests(BaseTestCase):
    def test_an_idea_phase_project_can_reach_every_level_it_is_asked(self):
        assessment = completed_assessment(self.utrecht, self.alice, score=4, **EVERYTHING)
        self.assertEqual(assessment.result["phase"], "idee")
        self.assertEqual(assessment.overall_score, 100)
        self.assertEqual(assessment.result["unmet"], [])
        later = {code for code, q in assessment.result["questions"].items()
                 if not q["applicable"] and q["reason"] == ["phase", "idee"]}
        self.assertIn("7.5", later)  # the DPIA itself comes before processing, not in the idea
        self.assertIn("8.6", later)  # no website to test for accessibility yet
        self.assertTrue(assessment.result["questions"]["7.4"]["applicable"])
        self.client.force_login(self.alice)
        page = page_text(self.client.get(reverse("assessments:results", args=[assessment.pk])))
        self.assertIn("past niet bij de fase idee", page)

    def test_the_pre_scan_question_gives_way_to_the_dpia_after_the_idea_phase(self):
        project = self.make_project(self.utrecht, self.alice, phase="beheer",
                                    processes_personal_data=True)
        result = readmodel.assessment_result(
            services.assessment_start(project=project, user=self.alice, language="nl"))
        views = {q.code: q for q in result.questions}
        self.assertFalse(views["7.4"].applicable)
        self.assertEqual(views["7.4"].not_applicable_reason, "past niet bij de fase beheer")
        self.assertTrue(views["7.5"].applicable)
        self.assertFalse(views["3.4"].applicable)
        self.assertEqual(views["3.4"].not_applicable_reason,
                         "geldt alleen voor experimenten, pilots en living labs")

    def test_a_project_in_its_pilot_phase_is_an_experiment(self):
        project = self.make_project(self.utrecht, self.alice, phase="experiment")
        self.assertIn("experiment", project.characteristics)
        project.phase = "beheer"
        self.assertNotIn("experiment", project.characteristics)

    def test_a_rules_engine_without_impact_on_people_does_not_get_the_iama(self):
        plain = completed_assessment(self.utrecht, self.alice, "Rekenregel", score=0,
                                     processes_personal_data=True)
        self.assertFalse(plain.result["questions"]["7.6"]["applicable"])
        codes = [i["code"] for i in plain.result["instruments"]]
        self.assertNotIn("iama", codes)
        self.assertNotIn("algoritmeregister", codes)
        self.assertIn("dpia-prescan", codes)
        impactful = completed_assessment(self.utrecht, self.alice, "Risicoscore", score=0,
                                         uses_impactful_algorithm=True)
        iama = next(i for i in impactful.result["instruments"] if i["code"] == "iama")
        self.assertEqual(iama["characteristics"], ["impactful_algorithm"])
        self.assertIn(["7.6", 0], iama["questions"])
        self.assertNotIn("ai-verordening", [i["code"] for i in impactful.result["instruments"]])
        self.client.force_login(self.alice)
        page = page_text(self.client.get(reverse("assessments:results", args=[impactful.pk])))
        self.assertIn("Vervolginstrumenten voor dit project", page)
        self.assertIn("IAMA (Impact Assessment Mensenrechten en Algoritmes)", page)
        self.assertIn("Vraag 7.6 (Grondrechten en gelijke behandeling) is beantwoord met niveau 0.", page)
        text = pdf_text(report.render_report_pdf(impactful))
        self.assertIn("Vervolginstrumenten voor dit project", text)
        self.assertIn("algoritmes.overheid.nl", text)

    def test_changing_characteristics_back_and_forth_loses_no_answer(self):
        self.client.force_login(self.alice)
        project = self.make_project(self.utrecht, self.alice, processes_personal_data=True)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        answer_all(assessment, self.alice, score=4)
        set_answer(assessment, "1.4", 0, note="Grondslag nog uitzoeken")
        self.assertEqual(readmodel.assessment_result(assessment).perspectives[0].score.score, 39)
        url = reverse("assessments:step", args=[assessment.pk, 0])

        data = form_data(self.client.get(url).content.decode())
        data.pop("processes_personal_data")
        self.client.post(url, {**data, "navigate": "next"})
        assessment = Assessment.objects.get(pk=assessment.pk)
        self.assertFalse(assessment.project.processes_personal_data)
        stored = Answer.objects.get(assessment=assessment, question__code="1.4")
        self.assertEqual((stored.score, stored.note), (0, "Grondslag nog uitzoeken"))
        result = readmodel.assessment_result(assessment)
        self.assertEqual(result.perspectives[0].score.score, 100)  # 1.4 does not count now
        self.assertEqual(result.missing, [])

        data = form_data(self.client.get(url).content.decode())
        self.client.post(url, {**data, "processes_personal_data": "on", "navigate": "next"})
        result = readmodel.assessment_result(Assessment.objects.get(pk=assessment.pk))
        view = next(q for q in result.questions if q.code == "1.4")
        self.assertTrue(view.applicable)
        self.assertEqual((view.answer.score, view.answer.note), (0, "Grondslag nog uitzoeken"))
        self.assertEqual(result.perspectives[0].score.score, 39)


class FrozenResultTests(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.assessment = completed_assessment(
            self.utrecht, self.alice, score=3, processes_personal_data=True,
            uses_impactful_algorithm=True,
            adjust=lambda a: (set_answer(a, "1.4", 1), set_answer(a, "7.6", 0)))
        self.url = reverse("assessments:results", args=[self.assessment.pk])
        self.client.force_login(self.alice)

    def snapshot_of_output(self):
        assessment = Assessment.objects.get(pk=self.assessment.pk)
        return page_text(self.client.get(self.url)), pdf_text(report.render_report_pdf(assessment))

    def test_a_change_of_the_scoring_rules_or_the_content_changes_nothing(self):
        page, pdf = self.snapshot_of_output()
        self.assertIn("Niet voldaan aan een minimumeis", page)
        never = mock.Mock(side_effect=AssertionError("a completed assessment was re-scored"))
        with mock.patch.object(scoring, "evaluate", never), \
                mock.patch.object(scoring, "perspective_score", never), \
                mock.patch.object(scoring, "MINIMUM_CAP", 0):
            Question.objects.filter(code="1.4").update(text_nl="Een herschreven vraag?",
                                                       minimum_level=None)
            Question.objects.filter(code="1.1").update(weight=10)
            Advice.objects.filter(perspective__number=1).update(text_nl="Nieuw advies.")
            content_changed()
            self.assertEqual(self.snapshot_of_output(), (page, pdf))
            # The same rules do reach a concept: the patch is real.
            concept = Assessment.objects.create(project=self.assessment.project,
                                                started_by=self.alice)
            with self.assertRaises(AssertionError):
                readmodel.assessment_result(concept)

    def test_the_overview_shows_the_score_the_results_page_shows(self):
        row = next(p for p in projects_overview(municipality=self.utrecht)
                   if p.pk == self.assessment.project_id)
        result = readmodel.assessment_result(self.assessment)
        self.assertEqual(row.completed_score, result.scores.overall.score)
        self.assertEqual(row.completed_score, 39)


class NotApplicableOnAMinimumTests(BaseTestCase):
    def test_the_wizard_does_not_offer_nvt_on_a_minimum_and_refuses_it(self):
        project = self.make_project(self.utrecht, self.alice, processes_personal_data=True)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        self.client.force_login(self.alice)
        url = reverse("assessments:step", args=[assessment.pk, 1])
        html = self.client.get(url).content.decode()
        minimum, plain = Question.objects.get(code="1.4"), Question.objects.get(code="1.1")
        choices = html[html.index(f'name="q{minimum.pk}-answer"'):
                       html.index(f'name="q{minimum.pk}-reason"')]
        self.assertIn('value="unknown"', choices)
        self.assertNotIn('value="na"', choices)
        self.assertIn(f'name="q{plain.pk}-answer"', html)
        self.assertIn("Dit is een minimumeis", html)
        data = form_data(html)
        data.update({f"q{minimum.pk}-answer": "na", f"q{minimum.pk}-reason": "Past niet",
                     "navigate": "next"})
        self.assertEqual(self.client.post(url, data).status_code, 400)
        self.assertFalse(Answer.objects.filter(assessment=assessment, question=minimum).exists())

    def test_an_old_or_crafted_nvt_on_a_minimum_still_counts_as_unmet(self):
        assessment = completed_assessment(
            self.utrecht, self.alice, score=4, processes_personal_data=True,
            adjust=lambda a: Answer.objects.filter(assessment=a, question__code="1.4").update(
                kind=AnswerKind.NOT_APPLICABLE, score=None, na_reason="nvt"))
        self.assertEqual(assessment.result["unmet"], ["1.4"])
        self.assertEqual(assessment.result["perspectives"]["1"]["band"], "aandacht")
