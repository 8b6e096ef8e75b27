"""The municipality's overview: every project with its latest assessment, sortable."""

from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Status
from assessments.selectors import projects_overview
from perspectives.models import Perspective

from .base import BaseTestCase


class OverviewTests(BaseTestCase):
    def test_latest_assessment_score_and_open_actions_per_project(self):
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
        rows = {p.name: p for p in projects_overview(municipality=self.utrecht)}
        self.assertEqual(rows["Met beoordeling"].open_action_count, 2)
        self.assertEqual(rows["Met beoordeling"].completed_score, 100)
        self.assertEqual(rows["Met beoordeling"].completed_id, latest.pk)
        self.assertEqual(rows["Zonder beoordeling"].open_action_count, 0)
        self.assertIsNone(rows["Zonder beoordeling"].completed_score)
        ordered = [p.name for p in projects_overview(municipality=self.utrecht, sort="-score")]
        self.assertEqual(ordered, ["Met beoordeling", "Zonder beoordeling"])
        self.assertEqual(unassessed.pk, rows["Zonder beoordeling"].pk)
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:overview") + "?sort=-score")
        self.assertContains(response, "100 – op orde")
        self.assertContains(response, 'aria-sort="descending"')
