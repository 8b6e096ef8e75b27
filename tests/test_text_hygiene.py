"""Free text is cleaned the same way everywhere; a request that is too large says so."""

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from assessments import report, services
from assessments.models import Answer, AnswerKind, Project
from perspectives.models import Perspective, Question
from waardevol.text import clean_text, is_visible

from .base import BaseTestCase
from .test_report import pdf_text

RTL_OVERRIDE = "\u202e"


class CleanTextTests(SimpleTestCase):
    def test_controls_and_bidi_overrides_go_line_breaks_stay(self):
        self.assertEqual(clean_text(f"Ab{RTL_OVERRIDE}cd\u2066e\u0007", multiline=False), "Abcde")
        self.assertEqual(clean_text("regel 1\r\nregel 2\tmet tab", multiline=True),
                         "regel 1\nregel 2\tmet tab")
        self.assertEqual(clean_text("een\nregel", multiline=False), "eenregel")

    def test_only_invisible_characters_is_empty(self):
        for text in ["\u200b\u200b", "\u00a0 \u3000", "\ufeff", "\u2060", "", "\u3164",
                     "\u2800\u2800", "\u115f", "\uffa0", "\u034f", "\u0301\u0301"]:
            self.assertFalse(is_visible(text), repr(text))
        for text in ["a", "👍", "€", "ج", "e\u0301", "नमस्ते", "ㅎ"]:
            self.assertTrue(is_visible(text), text)


class FormsCleanTextTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_a_project_name_of_invisible_characters_is_refused(self):
        for name in ["\u200b\u200b\u200b", RTL_OVERRIDE * 3, "  \u00a0 "]:
            response = self.client.post(reverse("assessments:project_create"),
                                        {"name": name, "phase": "idee"})
            self.assertContains(response, "Dit veld is verplicht", status_code=400)
        self.assertFalse(Project.objects.exists())

    def test_bidi_overrides_never_reach_a_page_or_the_pdf(self):
        self.client.post(reverse("assessments:project_create"),
                         {"name": f"Slimme {RTL_OVERRIDE}nepmap.exe", "phase": "idee"})
        project = Project.objects.get()
        self.assertEqual(project.name, "Slimme nepmap.exe")
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        question = Question.objects.get(code="1.1")
        url = reverse("assessments:answer_autosave", args=[assessment.pk, question.pk])
        self.client.post(url, {f"q{question.pk}-answer": "2", f"q{question.pk}-version": "0",
                               f"q{question.pk}-note": f"Zie {RTL_OVERRIDE}plan\r\nregel 2\x00"})
        answer = Answer.objects.get(assessment=assessment)
        self.assertEqual((answer.kind, answer.note), (AnswerKind.SCORE, "Zie plan\nregel 2"))
        page = self.client.get(reverse("assessments:results", args=[assessment.pk]))
        self.assertNotContains(page, RTL_OVERRIDE)
        self.assertNotIn(RTL_OVERRIDE, pdf_text(report.render_report_pdf(assessment)))

    def test_an_action_of_only_spaces_is_refused(self):
        completed = self.make_project(self.utrecht, self.alice)
        assessment = services.assessment_start(project=completed, user=self.alice, language="nl")
        response = self.client.post(
            reverse("assessments:action_create", args=[assessment.pk]),
            {"perspective": Perspective.objects.get(number=1).pk, "description": "\u200b",
             "owner": "\u202e", "status": "open"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(assessment.actions.exists())

    def test_an_editor_text_keeps_its_line_breaks_as_they_were(self):
        from .htmlforms import form_data

        self.client.force_login(self.vng)
        perspective = Perspective.objects.get(number=2)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        data = form_data(self.client.get(url).content.decode(), form_id="perspective_form")
        data["explanation_nl"] = f"Eerste alinea.\r\n\r\nTweede {RTL_OVERRIDE}alinea."
        self.assertEqual(self.client.post(url, data).status_code, 302)
        perspective.refresh_from_db()
        self.assertEqual(perspective.explanation_nl, "Eerste alinea.\n\nTweede alinea.")


class AdminCleanTextTests(BaseTestCase):
    def test_names_typed_in_the_admin_are_cleaned_too(self):
        from django.contrib.auth.models import User

        from .htmlforms import form_data

        self.client.force_login(User.objects.create_superuser("root", "r@example.org", "x" * 12))
        url = reverse("admin:assessments_municipality_change", args=[self.utrecht.pk])
        data = form_data(self.client.get(url).content.decode(), form_id="municipality_form")
        data["name"] = f"{RTL_OVERRIDE}Utrecht"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.utrecht.refresh_from_db()
        self.assertEqual(self.utrecht.name, "Utrecht")
        url = reverse("admin:auth_user_change", args=[self.alice.pk])
        data = form_data(self.client.get(url).content.decode(), form_id="user_form")
        data["first_name"] = f"Al{RTL_OVERRIDE}ice"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.first_name, "Alice")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
class TooLargeRequestTests(BaseTestCase):
    def test_a_huge_body_gets_a_clear_page_in_our_look(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:project_create"),
                                    {"name": "x", "description": "y" * 200_000, "phase": "idee"})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "Te veel tekst verstuurd", status_code=413)
        self.assertContains(response, "0,1 MB", status_code=413)
        self.assertContains(response, "utrecht-page", status_code=413)
        self.assertFalse(Project.objects.exists())
