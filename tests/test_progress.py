"""Progress over time: comparing two completed assessments of a project, on a page and in the
re-assessment's report."""

import re
import tempfile

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments import report, services
from assessments.labels import date_label
from assessments.models import ActionStatus, Assessment
from assessments.progress import ComparisonPresenter
from perspectives.models import Perspective, Question
from perspectives.services import content_publish

from .base import BaseTestCase, answer_all, completed_assessment, set_answer
from .test_report import pdf_text


def mark_done(action):
    action.status = ActionStatus.DONE
    action.save()
    return action


class ProgressTestCase(BaseTestCase):
    def reassess(self, earlier, adjust=None):
        """Reopen `earlier`, answer what is new, change what `adjust` changes, and complete."""
        concept = services.assessment_reopen(assessment=earlier, user=self.alice)
        answer_all(concept, self.alice, 2)
        if adjust:
            adjust(concept)
        return services.assessment_complete(assessment=concept, user=self.alice)

    def first_and_second(self):
        """A first assessment (everything 2, with notes on 1.1) and a re-assessment in which 1.1
        rose to 4 and 7.1 fell to 0; with actions done before, between and after."""
        perspective = Perspective.objects.get(number=1)

        def before_first(assessment):
            set_answer(assessment, "1.1", 2, note="Nut nog onduidelijk")
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=perspective, description="Al eerder gedaan",
                                   owner="Team", status=ActionStatus.DONE)

        first = completed_assessment(self.utrecht, self.alice, score=2, adjust=before_first)
        action = services.action_create(assessment=first, user=self.alice,
                                        perspective=perspective,
                                        description="Doel en nut beschrijven", owner="Projectleider")
        mark_done(action)

        def change(concept):
            set_answer(concept, "1.1", 4, note="Nut aangetoond in de pilot")
            set_answer(concept, "7.1", 0)
            done = concept.actions.get(description="Doel en nut beschrijven")
            self.assertEqual(done.status, ActionStatus.DONE)  # copied as it was

        second = self.reassess(first, change)
        services.action_create(assessment=second, user=self.alice, perspective=perspective,
                               description="Pas na de tweede gedaan", owner="Team",
                               status=ActionStatus.DONE)
        return first, second


class ComparisonValuesTests(ProgressTestCase):
    def test_a_minimum_met_since_is_told_although_the_capped_score_stands_still(self):
        """The overall score is capped at 39 while any minimum is unmet: meeting one of several
        leaves it at 39, and "gelijk gebleven" alone read as if nothing had happened."""
        first = completed_assessment(self.utrecht, self.alice, score=2,
                                     processes_personal_data=True)
        unmet = first.result["overall"]["unmet"]
        self.assertIn("7.3", unmet)
        self.assertGreater(len(unmet), 1)
        second = self.reassess(first, lambda concept: set_answer(concept, "7.3", 4))
        self.assertEqual(second.overall_score, first.overall_score)  # still capped
        comparison = ComparisonPresenter.for_assessments(first, second, language="nl")
        self.assertIn("gelijk gebleven.", comparison.overall_sentence)
        before = first.result["overall"]["uncapped"]
        after = second.result["overall"]["uncapped"]
        self.assertGreater(after, before)
        self.assertIn(f"Zonder de begrenzing door minimumeisen: {round(before)} → {round(after)}"
                      f", {round(after) - round(before)} punt", comparison.overall_sentence)
        sentence = comparison.minimums_sentence
        self.assertIn(f"Minimumeisen niet gehaald: {len(unmet)} op ", sentence)
        self.assertIn(f", {len(unmet) - 1} op ", sentence)
        self.assertIn("Nu gehaald: 7.3 ", sentence)
        self.assertIn("Nog niet gehaald: ", sentence)
        self.assertNotIn("7.3", sentence.split("Nog niet gehaald: ")[1])
        seven = {row.number: row for row in comparison.perspective_changes}[7]
        self.assertIn("zonder begrenzing: ", seven.change_text)
        # A perspective without minimums says only what changed.
        self.assertEqual({row.number: row for row in comparison.perspective_changes}[2]
                         .change_text, "gelijk gebleven")
        self.client.force_login(self.alice)
        page = self.client.get(
            reverse("assessments:project_compare", args=[second.project_id]),
            {"van": first.pk, "met": second.pk})
        self.assertContains(page, "Nu gehaald: 7.3 ")
        text = pdf_text(report.render_report_pdf(second))
        self.assertIn("Nu gehaald: 7.3", text)

    def test_the_score_without_the_cap_only_where_it_tells_something_else(self):
        from assessments.progress import _uncapped_change
        from assessments.scoring import PerspectiveScore

        def score(shown, uncapped, unmet=("7.3",)):
            return PerspectiveScore(shown, shown, "aandacht", 4, 0, 0, 0, uncapped, unmet)

        # Capped both times, the answers better: told.
        self.assertEqual(_uncapped_change(score(39, 55), score(39, 59)), "55 → 59, 4 punten hoger")
        # Nothing moved, or the cap lifted and the score rose with the answers: nothing to add.
        self.assertEqual(_uncapped_change(score(39, 43), score(39, 43)), "")
        self.assertEqual(_uncapped_change(score(39, 65), score(80, 80, ())), "")
        # No minimum either time: nothing.
        self.assertEqual(_uncapped_change(score(50, 50, ()), score(60, 60, ())), "")

    def test_no_minimums_sentence_when_neither_missed_one(self):
        first = completed_assessment(self.utrecht, self.alice, score=4)
        second = self.reassess(first, lambda concept: answer_all(concept, self.alice, 4))
        comparison = ComparisonPresenter.for_assessments(first, second, language="nl")
        self.assertEqual(comparison.minimums_sentence, "")
        self.assertNotIn("begrenzing", comparison.overall_sentence)

    def test_per_perspective_change_changed_answers_and_actions_between(self):
        first, second = self.first_and_second()
        comparison = ComparisonPresenter.for_assessments(second, first, language="nl")
        self.assertEqual((comparison.older.assessment, comparison.newer.assessment),
                         (first, second))

        rows = {row.number: row for row in comparison.perspective_changes}
        self.assertEqual(len(rows), 10)
        one_old = first.result["perspectives"]["1"]["score"]
        one_new = second.result["perspectives"]["1"]["score"]
        self.assertGreater(one_new, one_old)
        self.assertEqual(rows[1].older_text.split(" – ")[0], str(one_old))
        self.assertEqual(rows[1].newer_text.split(" – ")[0], str(one_new))
        self.assertTrue(rows[1].change_text.startswith(f"{one_new - one_old} punten hoger"))
        self.assertIn("punten lager", rows[7].change_text)
        self.assertEqual(rows[2].change_text, "gelijk gebleven")

        changes = {change.code: change for change in comparison.changed_answers}
        self.assertEqual(set(changes), {"1.1", "7.1"})
        self.assertTrue(changes["1.1"].older_answer.startswith("2 – "))
        self.assertTrue(changes["1.1"].newer_answer.startswith("4 – "))
        self.assertEqual((changes["1.1"].older_note, changes["1.1"].newer_note),
                         ("Nut nog onduidelijk", "Nut aangetoond in de pilot"))
        self.assertTrue(changes["7.1"].newer_answer.startswith("0 – "))
        self.assertEqual((changes["1.1"].older_level, changes["1.1"].newer_level),
                         ("niveau 2", "niveau 4"))

        # Done after the first and before the second: once, although reopening copied it; not
        # the one done before the first, nor the one done after the second.
        self.assertEqual([a.description for a in comparison.completed_actions],
                         ["Doel en nut beschrijven"])
        self.assertIn("1 verbeteractie", comparison.completed_actions_sentence)
        self.assertEqual(comparison.not_comparable, [])
        self.assertFalse(comparison.publications_differ)
        self.assertEqual(comparison.publication_sentence, "")

    def test_radar_overlays_both_with_a_legend_and_a_text_alternative(self):
        first, second = self.first_and_second()
        comparison = ComparisonPresenter.for_assessments(first, second, language="nl")
        svg = str(comparison.radar_svg)
        self.assertEqual(svg.count("<polygon"), 4 + 2)  # rings, then both assessments
        self.assertIn('stroke-dasharray="10 6"', svg)
        self.assertIn("#a64b00", svg)
        self.assertIn(f"Eerder: {comparison.older_date}", svg)
        self.assertIn(f"Later: {comparison.newer_date}", svg)
        self.assertIn(comparison.older_date, comparison.radar_alt)
        self.assertIn(comparison.newer_date, comparison.radar_alt)
        self.assertIn("1. ", comparison.radar_alt)
        self.assertIn("→", comparison.radar_alt)

    def test_the_single_radar_is_unchanged(self):
        first = completed_assessment(self.utrecht, self.alice)
        svg = str(report.ReportPresenter.for_assessment(first).radar_svg)
        self.assertEqual(svg.count("<polygon"), 5)
        self.assertNotIn("stroke-dasharray", svg)
        self.assertIn('viewBox="-45 -15 610 550"', svg)

    def test_assessments_on_different_publications_compare_per_question_code(self):
        first = completed_assessment(self.utrecht, self.alice, score=2)
        added = Question.objects.get(code="1.1")
        added.pk = None
        added.code = "1.9"
        added.save()
        Question.objects.filter(code="1.2").update(is_active=False)
        content_publish(user=self.vng, note="Vraag 1.9 erbij, 1.2 vervalt")
        second = self.reassess(first, lambda c: set_answer(c, "1.1", 3, note="Beter"))

        comparison = ComparisonPresenter.for_assessments(first, second, language="nl")
        self.assertTrue(comparison.publications_differ)
        sentence = comparison.publication_sentence
        self.assertIn(f"publicatie {first.content.number} van", sentence)
        self.assertIn(f"publicatie {second.content.number} van", sentence)
        self.assertNotEqual(first.content.number, second.content.number)
        self.assertEqual([c.code for c in comparison.changed_answers], ["1.1"])
        reasons = {item.label.split(" ")[0]: item.reason for item in comparison.not_comparable}
        self.assertEqual(set(reasons), {"1.9", "1.2"})
        self.assertTrue(reasons["1.9"].startswith("nieuwe vraag"))
        self.assertTrue(reasons["1.2"].startswith("vraag wordt niet meer gesteld"))

        self.client.force_login(self.bob)
        page = self.client.get(reverse("assessments:project_compare", args=[first.project_id]))
        self.assertContains(page, "Niet te vergelijken")
        self.assertContains(page, "verschillende versies van de vragen")
        self.assertContains(page, "nieuwe vraag")

    def test_a_perspective_assessed_in_only_one_is_not_comparable(self):
        first = completed_assessment(self.utrecht, self.alice, score=2)
        second = self.reassess(first)
        # A result frozen without any applicable question in perspective 10 (as when the
        # project's characteristics made none apply).
        result = dict(second.result)
        result["perspectives"] = {**result["perspectives"], "10": {
            **result["perspectives"]["10"], "score": None, "band": None, "exact": None}}
        Assessment.objects.filter(pk=second.pk).update(result=result)
        second.refresh_from_db()
        comparison = ComparisonPresenter.for_assessments(first, second, language="nl")
        row = comparison.perspective_changes[-1]
        self.assertEqual((row.number, row.newer_text, row.change_text),
                         (10, "niet beoordeeld", "niet te vergelijken"))
        item = comparison.not_comparable[0]
        self.assertTrue(item.label.startswith("Perspectief 10."))
        self.assertIn("niet beoordeeld op", item.reason)


class ComparisonPageTests(ProgressTestCase):
    def url(self, project, **params):
        return reverse("assessments:project_compare", args=[project.pk]), params

    def get(self, project, user=None, **params):
        self.client.force_login(user or self.bob)
        url, params = self.url(project, **params)
        return self.client.get(url, params)

    def test_defaults_to_the_latest_two_and_shows_everything(self):
        first, second = self.first_and_second()
        third = self.reassess(second)
        response = self.get(first.project)
        self.assertEqual(response.status_code, 200)
        comparison = response.context["comparison"]
        self.assertEqual((comparison.older.assessment, comparison.newer.assessment),
                         (second, third))
        response = self.get(first.project, van=first.pk, met=second.pk)
        self.assertEqual(response.status_code, 200)
        for text in ("Nut nog onduidelijk", "Nut aangetoond in de pilot", "Doel en nut beschrijven",
                     "punten hoger", "Gewijzigde antwoorden", "Eerder: "):
            self.assertContains(response, text)
        self.assertNotContains(response, "Pas na de tweede gedaan")
        self.assertNotContains(response, "Niet te vergelijken")
        # The choices fit a select on a phone: the time (three on one day) and the score.
        options = re.findall(r"<option[^>]*>([^<]*)</option>", response.content.decode())
        self.assertIn(f" – score {third.overall_score}", options[0])
        self.assertRegex(options[0], r"^\d{1,2} \w+ \d{4} \d{2}:\d{2} – score \d+$")
        self.assertLessEqual(max(len(option) for option in options), 34)

    def test_the_project_page_offers_the_comparison_of_the_latest_two(self):
        first, second = self.first_and_second()
        self.client.force_login(self.bob)
        page = self.client.get(reverse("assessments:project_detail", args=[first.project_id]))
        self.assertContains(page, 'action="' + self.url(first.project)[0] + '"')
        self.assertContains(page, f'<option value="{first.pk}" selected>', html=False)
        self.assertContains(page, f'<option value="{second.pk}" selected>', html=False)
        # Both on one day (as in a test): the rows of "Alle beoordelingen" tell them apart.
        for assessment in (first, second):
            local = timezone.localtime(assessment.completed_at)
            self.assertContains(page, f"Afgerond op {date_label(local)} {local:%H:%M} door")

    def test_with_one_completed_assessment_there_is_nothing_to_compare(self):
        first = completed_assessment(self.utrecht, self.alice)
        for params in ({}, {"van": first.pk, "met": first.pk}, {"van": "x"}):
            response = self.get(first.project, **params)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Vergelijken kan zodra dit project twee afgeronde")
            self.assertIsNone(response.context["comparison"])

    def test_bad_choices_get_a_clear_message_never_a_500(self):
        first, second = self.first_and_second()
        concept = services.assessment_reopen(assessment=second, user=self.alice)
        elsewhere = completed_assessment(self.amersfoort, self.charlie, "Amersfoorts project")
        project = first.project
        cases = [
            ({"van": first.pk, "met": first.pk}, "Kies twee verschillende beoordelingen."),
            ({"van": "abc", "met": second.pk}, "Kies een afgeronde beoordeling van dit project."),
            ({"van": concept.pk, "met": second.pk}, "Kies een afgeronde beoordeling"),
            ({"van": elsewhere.pk, "met": second.pk}, "Kies een afgeronde beoordeling"),
            ({"van": "9" * 30, "met": second.pk}, "Kies een afgeronde beoordeling"),
            ({"van": "-1", "met": "1e3"}, "Kies een afgeronde beoordeling"),
            ({"van": first.pk}, "Kies de tweede beoordeling."),
            ({"met": ""}, "Kies de eerste beoordeling."),
        ]
        for params, message in cases:
            with self.subTest(params=params):
                response = self.get(project, **params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "error-summary", status_code=400)
                self.assertIsNone(response.context["comparison"])
                self.assertNotContains(response, "Amersfoorts project", status_code=400)

    def test_another_municipality_cannot_compare_nor_be_compared(self):
        first, second = self.first_and_second()
        self.assertEqual(self.get(first.project, self.charlie).status_code, 404)
        self.client.force_login(self.vng)
        self.assertEqual(self.client.get(self.url(first.project)[0]).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url(first.project)[0])
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/account/login/"))

    def test_english_page(self):
        first, second = self.first_and_second()
        self.client.force_login(self.bob)
        response = self.client.get(self.url(first.project)[0], HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)


class ProgressReportTests(ProgressTestCase):
    def setUp(self):
        cache.clear()

    def test_a_re_assessment_report_shows_its_development_and_a_first_one_does_not(self):
        first, second = self.first_and_second()
        first_text = pdf_text(report.render_report_pdf(first))
        self.assertNotIn("Ontwikkeling sinds de vorige beoordeling", first_text)
        self.assertIsNone(report.ReportPresenter.for_assessment(first).progress)

        with self.assertNoLogs("weasyprint", level="ERROR"):
            document = report.render_report_pdf(second)
        text = pdf_text(document)
        self.assertIn("Ontwikkeling sinds de vorige beoordeling", text)
        self.assertIn("punten hoger", text)
        self.assertIn("Nut aangetoond in de pilot", text)
        self.assertIn("Nut nog onduidelijk", text)
        self.assertIn("Doel en nut beschrijven", text)
        self.assertNotIn("Niet te vergelijken", text)
        # After the perspectives, before the instruments; not on the one-page summary.
        self.assertLess(text.index("Antwoorden bij perspectief 10"),
                        text.index("Ontwikkeling sinds de vorige beoordeling"))
        self.assertLess(text.index("Ontwikkeling sinds de vorige beoordeling"),
                        text.rindex("Vervolginstrumenten voor dit project"))

        from pdfua import validate

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(document)
            handle.flush()
            result = validate(handle.name)
        self.assertEqual([f"{f.rule_id} {f.severity.name}: {f.message}"
                          for f in result.findings], [])

    def test_the_report_section_lists_what_cannot_be_compared(self):
        first = completed_assessment(self.utrecht, self.alice, score=2)
        Question.objects.filter(code="1.2").update(is_active=False)
        content_publish(user=self.vng, note="1.2 vervalt")
        second = self.reassess(first)
        text = pdf_text(report.render_report_pdf(second))
        self.assertIn("Niet te vergelijken", text)
        self.assertIn("vraag wordt niet meer gesteld", text)
        self.assertIn("verschillende versies van de vragen", text)

    def test_the_cached_report_changes_with_the_actions_done_in_between(self):
        first, second = self.first_and_second()
        key = report.completed_report_digest(second)
        self.assertEqual(report.completed_report_digest(second), key)
        action = first.actions.get(description="Doel en nut beschrijven")
        action.owner = "Iemand anders"
        # Its last change is now after the second, so the list shows reopening's copy instead.
        action.save()
        self.assertNotEqual(report.completed_report_digest(second), key)

    def test_reports_of_a_concept_have_no_development_section(self):
        first, second = self.first_and_second()
        concept = services.assessment_reopen(assessment=second, user=self.alice)
        self.assertIsNone(report.ReportPresenter.for_assessment(concept).progress)


class ComparisonQueryCountTests(ProgressTestCase):
    def queries(self, project):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.bob)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(reverse("assessments:project_compare", args=[project.pk]))
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def test_the_page_costs_the_same_whatever_changed_in_between(self):
        small_first = completed_assessment(self.utrecht, self.alice, "Klein", score=2)
        self.reassess(small_first)
        large_first = completed_assessment(self.utrecht, self.alice, "Groot", score=1)
        for number in range(1, 11):
            mark_done(services.action_create(
                assessment=large_first, user=self.alice,
                perspective=Perspective.objects.get(number=number),
                description=f"Actie {number}", owner="Team"))
        self.reassess(large_first, lambda c: answer_all(c, self.alice, 4))
        self.queries(small_first.project)  # warm the content caches
        self.assertEqual(self.queries(large_first.project), self.queries(small_first.project))
