"""`seed_demo`: the demo municipality, its users and projects, idempotently."""

from io import StringIO

from django.core.management import call_command

from assessments.models import Action, Assessment, Project, Status

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
        self.assertIn("http://127.0.0.1:8000/account/login/", out.getvalue())
        # `make run PORT=8080` passes where it serves: the logins name that address.
        out = StringIO()
        call_command("seed_demo", address="http://127.0.0.1:8080/", stdout=out)
        self.assertIn("Log in at http://127.0.0.1:8080/account/login/", out.getvalue())
        self.assertTrue(Assessment.objects.filter(status=Status.COMPLETED).exists())
        self.assertTrue(Assessment.objects.filter(status=Status.CONCEPT).exists())
        self.assertTrue(Action.objects.exists())

    def test_the_demo_library_holds_one_example_of_another_municipality(self):
        from django.contrib.auth import get_user_model
        from django.urls import reverse

        from waardevol.examples.models import PublishedExample

        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        example = PublishedExample.objects.get()
        self.assertNotEqual(example.municipality.cbs_code, "GM9999")
        self.assertEqual(example.municipality.name, "Demogemeente Noord")
        self.client.force_login(get_user_model().objects.get(username="bewerker"))
        response = self.client.get(reverse("examples:library"))
        self.assertContains(response, "Chatbot voor vragen over afval en grofvuil")

    def test_the_demo_municipalitys_history_names_who_joined_the_comparison(self):
        from waardevol.audit.models import AuditEvent, AuditKind

        call_command("seed_demo", stdout=StringIO())
        event = AuditEvent.objects.get(municipality__cbs_code="GM9999",
                                       kind=AuditKind.BENCHMARK_JOINED)
        self.assertEqual((event.actor.username, event.actor_name), ("bewerker", "Bea Bewerker"))
