"""What an attacker would try: missing CSRF tokens, stale sessions, XSS, oversized input."""

import time

from django.conf import settings
from django.test import Client, override_settings
from django.urls import path, reverse

from assessments import services
from assessments.models import Action, Answer, Assessment, Project
from perspectives.models import Perspective, Question
from waardevol.middleware import SessionLifetimeMiddleware
from waardevol.urls import handler400, handler403, handler404, handler500  # noqa: F401
from waardevol.urls import urlpatterns as site_urlpatterns

from .base import PASSWORD, BaseTestCase, SecondFactorClient

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*site_urlpatterns, path("boom/", _boom)]


class CsrfTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_assessed_project()

    def test_every_post_without_a_csrf_token_is_rejected(self):
        q = Question.objects.get(code="1.1").pk
        a, c = self.concept.pk, self.completed.pk
        posts = [
            reverse("login"), reverse("logout"), reverse("set_language"),
            reverse("password_reset"), reverse("invite_create"),
            reverse("assessments:project_create"),
            reverse("assessments:project_edit", args=[self.project.pk]),
            reverse("assessments:assessment_start", args=[self.project.pk]),
            reverse("assessments:step", args=[a, 0]), reverse("assessments:step", args=[a, 1]),
            reverse("assessments:answer_autosave", args=[a, q]),
            reverse("assessments:complete", args=[a]), reverse("assessments:reopen", args=[c]),
            reverse("assessments:action_create", args=[c]),
            reverse("assessments:action_edit", args=[self.action.pk]),
            "/beheer/perspectives/perspective/1/change/",
        ]
        counts = (Project.objects.count(), Assessment.objects.count(), Answer.objects.count(),
                  Action.objects.count())
        for user in (self.alice, self.vng):
            client = SecondFactorClient(enforce_csrf_checks=True)
            client.force_login(user)
            for url in posts:
                with self.subTest(url=url, user=user.username):
                    response = client.post(url, {"name": "x", "navigate": "next",
                                                 f"q{q}-answer": "4", f"q{q}-version": "0"})
                    self.assertEqual(response.status_code, 403)
                    self.assertIn("Verlopen of ongeldig formulier", response.content.decode())
        self.assertEqual(counts, (Project.objects.count(), Assessment.objects.count(),
                                  Answer.objects.count(), Action.objects.count()))


class SessionTests(BaseTestCase):
    def test_login_starts_a_new_session_with_secure_httponly_cookies(self):
        self.client.get(reverse("login"))
        self.client.cookies["sessionid"] = "attacker-chosen-session-id"
        response = self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        cookie = response.cookies["sessionid"]
        self.assertNotEqual(cookie.value, "attacker-chosen-session-id")
        self.assertTrue(cookie["httponly"])
        self.assertTrue(cookie["secure"])  # DEBUG is off in the test settings
        self.assertEqual(cookie["samesite"], "Lax")

    def test_absolute_lifetime_ends_an_active_session(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("assessments:overview")).status_code, 200)
        session = self.client.session
        session[SessionLifetimeMiddleware.KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
        session.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/account/login/"))
        self.assertNotIn("_auth_user_id", self.client.session)


class XssTests(BaseTestCase):
    def test_every_free_text_field_is_escaped_in_html_and_pdf(self):
        from .test_report import pdf_text

        self.alice.first_name = XSS
        self.alice.save()
        project = self.make_project(self.utrecht, self.alice, name=XSS)
        project.description = XSS
        project.save()
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        questions = list(Question.objects.filter(perspective__number=1))
        services.answer_save(assessment=assessment, question=questions[0], user=self.alice,
                             values=services.AnswerValues("score", 2, note=XSS), base_version=0)
        services.answer_save(assessment=assessment, question=questions[1], user=self.alice,
                             values=services.AnswerValues("na", na_reason=XSS[:300]),
                             base_version=0)
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=1),
                               description=XSS, owner=XSS[:100])
        self.client.force_login(self.alice)
        pages = [
            reverse("assessments:overview"),
            reverse("assessments:project_detail", args=[project.pk]),
            reverse("assessments:project_edit", args=[project.pk]),
            reverse("assessments:step", args=[assessment.pk, 1]),
            reverse("assessments:step", args=[assessment.pk, 11]),
            reverse("assessments:results", args=[assessment.pk]),
        ]
        for url in pages:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertNotIn("<script>alert", html)
                self.assertNotIn("<img src=x", html)
                self.assertIn("&lt;script&gt;alert(", html)
        response = self.client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
        self.assertIn('<script>alert("xss")</script>', pdf_text(response.getvalue()))


class OversizedInputTests(BaseTestCase):
    def test_too_long_project_name_is_refused_with_a_message(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:project_create"),
                                    {"name": "x" * 201, "phase": "idee"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "200", status_code=400)
        self.assertContains(response, 'id="error-summary"', status_code=400)
        self.assertFalse(Project.objects.exists())

    def test_too_long_action_fields_are_refused(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:action_create", args=[assessment.pk]), {
            "perspective": Perspective.objects.get(number=1).pk, "description": "x" * 501,
            "owner": "y" * 101, "status": "open"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "500", status_code=400)
        self.assertFalse(Action.objects.exists())

    def test_huge_request_body_gets_a_clear_413(self):
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.client.force_login(self.alice)
        q = Question.objects.get(code="1.1").pk
        response = self.client.post(
            reverse("assessments:step", args=[assessment.pk, 1]),
            {f"q{q}-answer": "2", f"q{q}-note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
             f"q{q}-version": "0", "navigate": "next"})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "Te veel tekst verstuurd", status_code=413)
        self.assertFalse(Answer.objects.exists())


@override_settings(ROOT_URLCONF="tests.test_security")
class ErrorPageTests(BaseTestCase):
    def test_server_error_is_friendly_without_a_stack_trace(self):
        self.assertFalse(settings.DEBUG)
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        body = response.content.decode()
        self.assertIn("Er ging iets mis", body)
        self.assertNotIn("secret internal detail", body)
        self.assertNotIn("Traceback", body)

    def test_forbidden_page_is_ours(self):
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:project_create"))
        self.assertContains(response, "Geen toegang", status_code=403)
        # A member is led back to their municipality's projects, not only to the public home.
        self.assertContains(response, f'href="{reverse("assessments:overview")}">Naar de '
                                      "projecten van uw gemeente</a>", status_code=403)
        self.client.force_login(self.vng)  # no municipality: only the home page
        response = self.client.get(reverse("assessments:project_detail", args=[1]))
        self.assertNotContains(response, "Naar de projecten van uw gemeente",
                               status_code=response.status_code)
