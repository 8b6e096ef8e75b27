"""Every request has a bounded cost: reports, actions and editor texts."""

from unittest import mock

from django.test import override_settings
from django.urls import reverse

from assessments import pdf, services
from assessments.models import ACTIONS_PER_ASSESSMENT, Action, AnswerKind
from perspectives import markdown
from perspectives.models import Advice, Perspective, Question

from .base import BaseTestCase, completed_assessment
from .htmlforms import form_data


class ConceptReportTests(BaseTestCase):
    def setUp(self):
        project = self.make_project(self.utrecht, self.alice)
        self.concept = services.assessment_start(project=project, user=self.alice, language="nl")
        self.url = reverse("assessments:report_pdf", args=[self.concept.pk])
        self.client.force_login(self.bob)

    def test_an_unchanged_concept_is_rendered_once(self):
        with mock.patch.object(pdf, "html_to_pdf", wraps=pdf.html_to_pdf) as render:
            first = self.client.get(self.url)
            second = self.client.get(self.url)
            self.assertEqual(render.call_count, 1)
            self.assertEqual(first.content, second.content)
            # What the report shows changed: a new render.
            services.answer_save(assessment=self.concept, user=self.alice,
                                 question=Question.objects.get(code="1.1"),
                                 values=services.AnswerValues(AnswerKind.SCORE, score=2),
                                 base_version=0)
            self.client.get(self.url)
            self.assertEqual(render.call_count, 2)

    @override_settings(REPORT_RENDERS_PER_USER=2)
    def test_each_user_has_a_limit_on_renders_but_not_on_cached_copies(self):
        completed = [completed_assessment(self.utrecht, self.alice, f"Project {i}")
                     for i in range(3)]
        with mock.patch.object(pdf, "html_to_pdf", return_value=b"%PDF-1.7 test"):
            urls = [reverse("assessments:report_pdf", args=[a.pk]) for a in completed]
            self.assertEqual(self.client.get(urls[0]).status_code, 200)
            self.assertEqual(self.client.get(urls[1]).status_code, 200)
            refused = self.client.get(urls[2])
            self.assertEqual(refused.status_code, 429)
            self.assertContains(refused, "veel rapporten laten maken", status_code=429)
            self.assertEqual(self.client.get(urls[0]).status_code, 200)  # cached: free
            self.client.force_login(self.alice)  # another user has a limit of their own
            self.assertEqual(self.client.get(urls[2]).status_code, 200)


class ActionLimitTests(BaseTestCase):
    def test_the_action_plan_has_a_maximum_with_a_clear_message(self):
        assessment = completed_assessment(self.utrecht, self.alice)
        perspective = Perspective.objects.get(number=1)
        Action.objects.bulk_create(
            Action(assessment=assessment, perspective=perspective, description=f"Actie {i}",
                   owner="Projectleider", created_by=self.alice)
            for i in range(ACTIONS_PER_ASSESSMENT))
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("assessments:action_create", args=[assessment.pk]),
            {"perspective": perspective.pk, "description": "Nog een", "owner": "Griffie",
             "status": "open"})
        self.assertContains(response, f"ten hoogste {ACTIONS_PER_ASSESSMENT} verbeteracties",
                            status_code=400)
        self.assertEqual(assessment.actions.count(), ACTIONS_PER_ASSESSMENT)
        with self.assertRaises(services.ActionLimitReached):
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=perspective, description="x", owner="y")


class EditorTextTests(BaseTestCase):
    def test_a_text_that_would_render_slowly_is_refused_in_the_admin(self):
        advice = Advice.objects.get(perspective__number=2, band="op_orde")
        self.client.force_login(self.vng)
        url = reverse("admin:perspectives_advice_change", args=[advice.pk])
        data = form_data(self.client.get(url).content.decode(), form_id="advice_form")
        data["text_nl"] = "[" * 5000
        response = self.client.post(url, data)
        self.assertContains(response, "te veel ‘[’-tekens")
        advice.refresh_from_db()
        self.assertNotIn("[[[", advice.text_nl)

    def test_each_text_is_rendered_once_not_per_request(self):
        markdown.render_markdown.cache_clear()
        with mock.patch.object(markdown.md, "markdown", wraps=markdown.md.markdown) as render:
            for _ in range(3):
                self.assertEqual(self.client.get(reverse("perspectives:index")).status_code, 200)
            calls = render.call_count
            self.client.get(reverse("perspectives:index"))
            self.assertEqual(render.call_count, calls)
            self.assertGreater(calls, 0)


class RevisionSnapshotTests(BaseTestCase):
    """A completed assessment's content revision (about 400 kB of JSON) is read and parsed once
    per process, not on every page, and it stays the revision the assessment was scored on."""

    def test_the_results_page_reads_the_snapshot_once_and_keeps_the_frozen_content(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from perspectives.services import content_publish

        completed = completed_assessment(self.utrecht, self.alice, "Wijkpanel")
        perspective = Perspective.objects.get(number=1)
        frozen_title = perspective.title_nl
        self.client.force_login(self.bob)
        url = reverse("assessments:results", args=[completed.pk])

        def snapshot_reads():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertContains(response, frozen_title)
            return [q["sql"] for q in queries if '"snapshot"' in q["sql"]]

        self.assertEqual(len(snapshot_reads()), 1)
        self.assertEqual(snapshot_reads(), [])
        # A new publication changes nothing on a completed assessment's page.
        perspective.title_nl = "Een heel andere titel"
        perspective.save()
        content_publish(user=self.vng, note="Nieuwe titel")
        response = self.client.get(url)
        self.assertContains(response, frozen_title)
        self.assertNotContains(response, "Een heel andere titel")
