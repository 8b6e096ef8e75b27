"""The results page: weakest perspectives first, advice of the right band, actions, radar."""

import re

from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment
from perspectives.models import Perspective

from .base import BaseTestCase


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
