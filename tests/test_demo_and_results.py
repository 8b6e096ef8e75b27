from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from assessments.models import Action, Assessment, Project, Status
from perspectives.models import Perspective

from .base import BaseTestCase


class SeedDemoTests(BaseTestCase):
    def test_seed_demo_is_idempotent_and_prints_logins(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        counts = (Project.objects.count(), Assessment.objects.count(), Action.objects.count())
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(counts, (Project.objects.count(), Assessment.objects.count(),
                                  Action.objects.count()))
        self.assertIn("bewerker", out.getvalue())
        self.assertIn("waardevol-demo", out.getvalue())
        self.assertTrue(Assessment.objects.filter(status=Status.COMPLETED).exists())
        self.assertTrue(Assessment.objects.filter(status=Status.CONCEPT).exists())
        self.assertTrue(Action.objects.exists())


class ResultsPageTests(BaseTestCase):
    def test_weakest_first_with_advice_of_the_right_band_and_actions(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=4)
        # Perspective 8 scores 0: it must come first with its "aandacht nodig" advice.
        from assessments import services
        from assessments.models import Answer
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
        self.assertIn("Aandacht nodig", html)
        self.assertIn("Debat in de raad &lt;b&gt;organiseren&lt;/b&gt;", html)
        self.assertIn('<table class="utrecht-table', html)
        self.assertIn("<title id=\"radar-title\">", html)


class OverviewTests(BaseTestCase):
    def test_latest_assessment_score_and_open_actions_per_project(self):
        from assessments import services

        unassessed = self.make_project(self.utrecht, self.alice, name="Zonder beoordeling")
        project = self.make_project(self.utrecht, self.alice, name="Met beoordeling")
        old = Assessment.objects.create(project=project, started_by=self.alice)
        services.action_create(assessment=old, user=self.alice,
                               perspective=Perspective.objects.get(number=1),
                               description="Oude actie", owner="X")
        Assessment.objects.filter(pk=old.pk).update(status=Status.SUPERSEDED)
        latest = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(latest, self.alice, score=4)
        services.assessment_complete(assessment=latest, user=self.alice)
        for status in ("open", "bezig", "gereed"):
            services.action_create(assessment=latest, user=self.alice,
                                   perspective=Perspective.objects.get(number=2),
                                   description=f"Actie {status}", owner="Y", status=status)
        from assessments.selectors import projects_overview

        rows = {p.name: p for p in projects_overview(municipality=self.utrecht)}
        self.assertEqual(rows["Met beoordeling"].open_action_count, 2)
        self.assertEqual(rows["Met beoordeling"].latest_score, 100)
        self.assertEqual(rows["Met beoordeling"].latest_assessment_id, latest.pk)
        self.assertEqual(rows["Zonder beoordeling"].open_action_count, 0)
        self.assertIsNone(rows["Zonder beoordeling"].latest_score)
        ordered = [p.name for p in projects_overview(municipality=self.utrecht, sort="-score")]
        self.assertEqual(ordered, ["Met beoordeling", "Zonder beoordeling"])
        self.assertEqual(unassessed.pk, rows["Zonder beoordeling"].pk)
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:overview") + "?sort=-score")
        self.assertContains(response, "100 – Op orde")
        self.assertContains(response, 'aria-sort="descending"')


class RadarChartTests(BaseTestCase):
    def test_coordinates_are_not_localised(self):
        import re

        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice, score=3)
        self.client.force_login(self.alice)
        html = self.client.get(reverse("assessments:results", args=[assessment.pk])).content.decode()
        svg = html[html.index("<svg"):html.index("</svg>")]
        self.assertNotRegex(svg, r'(x|y|cx|cy|x1|y1|x2|y2)="-?\d+,\d')
        self.assertEqual(len(re.findall(r"<circle ", svg)), 10)
        self.assertIn('points="260.0,132.5', svg)  # perspective 1 at 75: straight up
