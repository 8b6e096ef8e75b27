"""The results page: weakest perspectives first, advice of the right band, actions, radar."""

import re

from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment
from perspectives.models import Perspective

from .base import BaseTestCase, completed_assessment


class ResultsPageTests(BaseTestCase):
    def test_weakest_first_with_advice_of_the_right_band_and_actions(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=4)
        # Perspective 8 scores 0: it must come first with its "aandacht nodig" advice.
        Answer.objects.filter(assessment=assessment, question__perspective__number=8).update(
            score=0)
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=8),
                               description="Debat in de raad <b>organiseren</b>",
                               owner="Griffie")
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:results", args=[assessment.pk]))
        html = response.content.decode()
        p8 = Perspective.objects.get(number=8)
        advice = p8.advice.get(band="aandacht").text_nl.split("\n")[0][:40]
        first_article = html.index('class="wv-perspective"')
        self.assertIn('id="perspectief-8"', html[first_article:first_article + 200])
        self.assertIn(advice.replace("’", "’"), html)
        self.assertIn("0 – aandacht nodig", html)
        self.assertIn("Debat in de raad &lt;b&gt;organiseren&lt;/b&gt;", html)
        self.assertIn('<table class="utrecht-table', html)
        self.assertIn("<title id=\"radar-title\">", html)


class FrozenSectionCacheTests(BaseTestCase):
    """A completed assessment's per-perspective section is rendered once and then served from the
    cache: the same HTML, fewer queries, and never a bewerker's links for a lezer."""

    def section(self, html: str) -> str:
        return html[html.index('id="per-perspectief"'):html.index('id="acties"')]

    def test_cached_section_is_the_rendered_one_and_respects_the_role(self):
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        completed = completed_assessment(self.utrecht, self.alice, "Bevroren project")
        url = reverse("assessments:results", args=[completed.pk])
        cache.clear()
        self.client.force_login(self.alice)  # bewerker
        with CaptureQueriesContext(connection) as first_queries:
            first = self.section(self.client.get(url).content.decode())
        with CaptureQueriesContext(connection) as second_queries:
            second = self.section(self.client.get(url).content.decode())
        self.assertEqual(first, second)
        from django.core.cache.utils import make_template_fragment_key

        from assessments.results import ResultsPresenter
        key = ResultsPresenter.for_assessment(completed, language="nl").frozen_cards_cache_key
        self.assertTrue(key)
        self.assertIsNotNone(cache.get(make_template_fragment_key("results_cards", [key, True])))
        self.assertIn("Actie toevoegen", first)
        self.assertIn("wv-perspective", first)
        self.assertLessEqual(len(second_queries), len(first_queries))
        self.client.force_login(self.bob)  # lezer, after the bewerker filled the cache
        self.assertNotIn("Actie toevoegen", self.section(self.client.get(url).content.decode()))

    def test_a_concept_is_never_served_from_the_cache(self):
        project = self.make_project(self.utrecht, self.alice, name="Concept project")
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=4)
        url = reverse("assessments:results", args=[assessment.pk])
        self.client.force_login(self.alice)
        self.assertIn("4 – ", self.section(self.client.get(url).content.decode()))
        Answer.objects.filter(assessment=assessment).update(score=1)
        self.assertNotIn("4 – ", self.section(self.client.get(url).content.decode()))


class RadarChartTests(BaseTestCase):
    def test_coordinates_are_not_localised(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=3)
        self.client.force_login(self.alice)
        html = self.client.get(reverse("assessments:results", args=[assessment.pk])).content.decode()
        svg = html[html.index("<svg"):html.index("</svg>")]
        self.assertNotRegex(svg, r'(x|y|cx|cy|x1|y1|x2|y2)="-?\d+,\d')
        self.assertEqual(len(re.findall(r"<circle ", svg)), 10)
        self.assertIn('points="260.0,132.5', svg)  # perspective 1 at 75: straight up


class PageAndReportAgreeTests(BaseTestCase):
    """The results page and the PDF come from one presenter: every fact it words for one,
    the other shows in the very same words."""

    def test_the_same_presenter_values_appear_on_the_page_and_in_the_pdf(self):
        import html as html_module
        from datetime import date

        from assessments import report
        from assessments.results import ResultsPresenter

        from .base import completed_assessment, set_answer
        from .test_report import pdf_text

        assessment = completed_assessment(
            self.utrecht, self.alice, "Sensoren Maliebaan", score=2, in_public_space=True,
            processes_personal_data=True, adjust=lambda a: set_answer(a, "1.4", 0))
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=7),
                               description="DPIA laten uitvoeren", owner="Privacy officer",
                               due_date=date(2027, 3, 1))
        presenter = ResultsPresenter.for_assessment(assessment)
        values = [presenter.overall_sentence, presenter.cap_sentence, presenter.date_text,
                  presenter.completed_by, presenter.unmet_minimums_title]
        values += [f"{item.number}. {item.title}" for item in presenter.radar_legend]
        values += [item.score_text for item in presenter.radar_legend]
        values += [f"{bar.title}" for bar in presenter.process_bars]
        values += [bar.score_text for bar in presenter.process_bars]
        values += [f"{m.code} {m.short_name}" for m in presenter.unmet_minimums]
        values += [f"{a.number}. {a.title}" for a in presenter.attention]
        values += [i.name for i in presenter.instruments]
        # Why an instrument is suggested, in the project page's words ("Uw project: verwerkt
        # persoonsgegevens." followed "Waarom voor dit project:", and lowercased "AI").
        reasons = [reason for i in presenter.instruments for reason in i.reasons]
        self.assertIn("Het project heeft het kenmerk ‘Verwerkt persoonsgegevens’.", reasons)
        values += reasons[:3]
        # When an instrument applies, and so whether it is a duty for this project ("Verplicht
        # vóór een verwerking die waarschijnlijk een hoog risico oplevert"), was never shown.
        values += [i.applies for i in presenter.instruments]
        self.assertIn("hoog risico", " ".join(values))
        values += [field for row in presenter.actions
                   for field in (row.perspective_label, row.description, row.owner,
                                 row.due_label, row.status_label)]
        values += [answer.answer_label for card in presenter.perspective_cards
                   for answer in card.answers][:12]
        self.assertTrue(presenter.unmet_minimums and presenter.instruments and presenter.attention)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("assessments:results", args=[assessment.pk]))
        # An instrument's official page is a link on the web page (in the PDF it is text).
        self.assertContains(page, '<a class="utrecht-link wv-url" href="https://www.'
                                  'autoriteitpersoonsgegevens.nl" rel="noopener noreferrer">')
        page_text = " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ",
                                                         page.content.decode())).split())
        # A line the PDF wraps after a hyphen ("niet-/digitale") reads back as "niet- digitale".
        document = re.sub(r"-\s+", "-", pdf_text(report.render_report_pdf(assessment)))
        for value in values:
            words = " ".join(value.split())
            with self.subTest(value=words[:60]):
                self.assertIn(words, page_text)
                self.assertIn(words, document)
