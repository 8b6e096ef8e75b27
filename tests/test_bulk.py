from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from assessments.models import Action, Answer, Assessment, Municipality, Project, Status
from assessments.readmodel import assessment_result


class BulkSeedTests(TestCase):
    def test_bulk_data_is_realistic_and_idempotent(self):
        out = StringIO()
        call_command("seed_demo", municipalities=2, projects=4, stdout=out)
        self.assertIn("2 municipalities, 8 projects", out.getvalue())
        bulk = Municipality.objects.filter(cbs_code__startswith="GM5")
        self.assertEqual(bulk.count(), 2)
        self.assertEqual(Project.objects.filter(municipality__in=bulk).count(), 8)
        completed = Assessment.objects.filter(project__municipality__in=bulk,
                                              status=Status.COMPLETED)
        self.assertEqual(completed.count(), 8)
        self.assertEqual(Assessment.objects.filter(project__municipality__in=bulk,
                                                   status=Status.CONCEPT).count(), 4)
        for assessment in completed:
            result = assessment_result(assessment)
            self.assertEqual(result.missing, [])  # every applicable question answered
            self.assertEqual(result.scores.overall.score, assessment.overall_score)
        self.assertEqual(Action.objects.filter(assessment__in=completed).count(), 16)
        counts = (Project.objects.count(), Assessment.objects.count(), Answer.objects.count())
        call_command("seed_demo", municipalities=2, projects=4, stdout=StringIO())
        self.assertEqual(counts, (Project.objects.count(), Assessment.objects.count(),
                                  Answer.objects.count()))

    def test_bulk_users_can_log_in_and_see_their_overview(self):
        call_command("seed_demo", municipalities=1, projects=3, stdout=StringIO())
        response = self.client.post(reverse("login"), {"username": "bench0001-lezer",
                                                       "password": "waardevol-demo"})
        self.assertEqual(response.status_code, 302)
        overview = self.client.get(reverse("assessments:overview"))
        self.assertContains(overview, "Project 00003 van Benchgemeente 0001")
        self.assertNotContains(overview, "Slimme lantaarnpalen")  # the demo municipality's


class HealthTests(TestCase):
    def test_health_answers_without_login(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
