"""Stored PDF reports: a completed assessment's report is rendered once, off the request path, and
every download reads it from storage; a change to what it shows makes a new file."""

import os
import subprocess
import sys
import threading
import time
from itertools import count
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments import pdf, report, services, tasks
from assessments.models import Assessment, Municipality, Role
from perspectives.models import ContentRevision, Perspective
from perspectives.services import content_load
from waardevol.accounts import services as accounts_services

from .base import BaseTestCase, answer_all, completed_assessment
from .htmlforms import form_data
from .test_report import pdf_text

ROOT = Path(__file__).resolve().parents[1]


def fake_renders():
    """html_to_pdf standing in for WeasyPrint: a different small PDF for every render."""
    numbers = count(1)
    return mock.patch.object(pdf, "html_to_pdf",
                             side_effect=lambda html, **_: b"%%PDF-1.7 render %d" % next(numbers))


def no_renders():
    return mock.patch.object(pdf, "html_to_pdf",
                             side_effect=AssertionError("a stored report was rendered again"))


def stored_files(assessment) -> list[str]:
    folder = f"{report.STORED_REPORTS_DIR}/{assessment.pk}"
    if not default_storage.exists(folder):
        return []
    return [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]


def stored_bytes(assessment) -> bytes:
    with default_storage.open(report.stored_report_name(assessment)) as file:
        return file.read()


class StoredReportTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.bob)  # a lezer downloads

    def complete(self, name="Slimme lantaarnpalen"):
        """Complete an assessment as the view does, running what it queues after commit."""
        project = self.make_project(self.utrecht, self.alice, name=name)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        answer_all(assessment, self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            services.assessment_complete(assessment=assessment, user=self.alice)
        return Assessment.objects.get(pk=assessment.pk)

    def download(self, assessment):
        return self.client.get(reverse("assessments:report_pdf", args=[assessment.pk]))

    def test_completing_stores_the_rendered_report(self):
        self.client.force_login(self.alice)
        project = self.make_project(self.utrecht, self.alice, name="Chatbot Burgerzaken")
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        answer_all(assessment, self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("assessments:complete", args=[assessment.pk]))
        self.assertRedirects(response, reverse("assessments:results", args=[assessment.pk]))
        assessment.refresh_from_db()
        self.assertEqual(stored_files(assessment), [report.stored_report_name(assessment)])
        text = pdf_text(stored_bytes(assessment))
        self.assertIn("Chatbot Burgerzaken", text)
        self.assertIn("Bestuurlijke samenvatting", text)

    def test_a_download_reads_the_stored_file_and_never_renders(self):
        with fake_renders():
            assessment = self.complete(name="Chatbot Burgerzaken")
        stored = stored_bytes(assessment)
        with no_renders():
            response = self.download(assessment)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.getvalue(), stored)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Content-Length"], str(len(stored)))
        self.assertEqual(response["Cache-Control"], "private, no-store")
        date = assessment.completed_at.astimezone().strftime("%Y-%m-%d")
        self.assertEqual(response["Content-Disposition"],
                         f'attachment; filename="waardevol-chatbot-burgerzaken-{date}.pdf"')

    def test_a_missing_file_is_rendered_once_in_the_request_and_stored(self):
        assessment = completed_assessment(self.utrecht, self.alice)  # nothing ran after commit
        self.assertEqual(stored_files(assessment), [])
        with fake_renders() as render:
            first = self.download(assessment).getvalue()
            second = self.download(assessment).getvalue()
        self.assertEqual(render.call_count, 1)
        self.assertEqual(first, second)
        self.assertEqual(stored_bytes(assessment), first)

    def test_a_second_download_waits_for_the_render_under_way_instead_of_rendering(self):
        assessment = completed_assessment(self.utrecht, self.alice)
        name = report.stored_report_name(assessment)
        lock = report._render_lock_key(name)
        self.assertTrue(cache.add(lock, 1))  # another request is rendering it

        def other_render_finishes():
            time.sleep(0.3)
            default_storage.save(name, ContentFile(b"%PDF-1.7 the other render"))
            cache.delete(lock)

        thread = threading.Thread(target=other_render_finishes)
        thread.start()
        with no_renders():
            response = self.download(assessment)
        thread.join()
        self.assertEqual(response.getvalue(), b"%PDF-1.7 the other render")

    def test_a_new_action_makes_a_new_file_and_the_old_one_goes(self):
        with fake_renders():
            assessment = self.complete()
            before = report.stored_report_name(assessment)
            with self.captureOnCommitCallbacks(execute=True):
                services.action_create(assessment=assessment, user=self.alice,
                                       perspective=Perspective.objects.get(number=3),
                                       description="Nieuwe actie", owner="Projectleider")
        after = report.stored_report_name(assessment)
        self.assertNotEqual(before, after)
        self.assertEqual(stored_files(assessment), [after])  # rendered by the task
        with no_renders():
            self.assertEqual(self.download(assessment).getvalue(), b"%PDF-1.7 render 2")

    def test_an_edited_action_makes_a_new_file(self):
        with fake_renders():
            assessment = self.complete()
            action = services.action_create(
                assessment=assessment, user=self.alice,
                perspective=Perspective.objects.get(number=3), description="Actie",
                owner="Projectleider")
            first = self.download(assessment).getvalue()
            self.client.force_login(self.alice)
            url = reverse("assessments:action_edit", args=[action.pk])
            data = form_data(self.client.get(url).content.decode())
            data["status"] = "gereed"
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(self.client.post(url, data).status_code, 302)
        with no_renders():
            second = self.download(assessment).getvalue()
        self.assertNotEqual(first, second)
        self.assertEqual(stored_files(assessment), [report.stored_report_name(assessment)])

    def test_a_renamed_project_makes_new_files_and_other_project_edits_do_not(self):
        with fake_renders() as render:
            assessment = self.complete(name="Oude naam")
            self.client.force_login(self.alice)
            url = reverse("assessments:project_edit", args=[assessment.project_id])

            def edit(**changes):
                data = form_data(self.client.get(url).content.decode())
                data.update(changes)
                with self.captureOnCommitCallbacks(execute=True):
                    self.assertEqual(self.client.post(url, data).status_code, 302)

            edit(description="Een andere omschrijving", phase="beheer")
            self.assertEqual(render.call_count, 1)  # the report shows neither: still stored
            edit(name="Nieuwe naam")
            self.assertEqual(render.call_count, 2)
        assessment.refresh_from_db()
        with no_renders():
            response = self.download(assessment)
        self.assertEqual(response.getvalue(), b"%PDF-1.7 render 2")
        self.assertIn("waardevol-nieuwe-naam-", response["Content-Disposition"])

    def test_a_stored_report_is_no_way_around_the_access_rules(self):
        with fake_renders():
            assessment = self.complete()
        url = reverse("assessments:report_pdf", args=[assessment.pk])
        for user in (self.charlie, self.vng):  # another municipality; an editor of the content
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/account/login/"))

    def test_the_task_does_nothing_for_a_concept_or_a_report_already_stored(self):
        project = self.make_project(self.utrecht, self.alice)
        concept = services.assessment_start(project=project, user=self.alice, language="nl")
        with fake_renders() as render:
            self.assertIsNone(tasks.store_report.call(assessment_id=concept.pk))
            assessment = self.complete(name="Tweede project")
            name = tasks.store_report.call(assessment_id=assessment.pk)
        self.assertEqual(render.call_count, 1)
        self.assertEqual(name, report.stored_report_name(assessment))
        self.assertFalse(any(stored_files(concept)))


def _worker_environment() -> dict:
    """The environment for a db_worker process that works on this test's database."""
    env = {**os.environ, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(name)
    else:
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return env


@pytest.mark.flushes_db
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class WorkerStoresReportTests(TransactionTestCase):
    def test_a_db_worker_process_renders_the_report_into_storage(self):
        if not ContentRevision.objects.exists():  # a test before this one emptied the database
            content_load()
        town = Municipality.objects.create(name="Werkstad", cbs_code="GM0997")
        user = User.objects.create_user("werker", first_name="Wil", last_name="Werker")
        accounts_services.membership_create(user=user, municipality=town, role=Role.EDITOR)
        assessment = completed_assessment(town, user, "Rapport door de worker")
        # Completion only queued the render: the request did not wait for it.
        self.assertEqual(stored_files(assessment), [])
        self.assertEqual(list(DBTaskResult.objects.values_list("status", flat=True)), ["READY"])
        worker = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=ROOT, env=_worker_environment(), capture_output=True, text=True, timeout=300)
        self.assertEqual(worker.returncode, 0, worker.stderr)
        self.assertEqual(list(DBTaskResult.objects.values_list("status", flat=True)),
                         ["SUCCESSFUL"])
        self.assertEqual(stored_files(assessment), [report.stored_report_name(assessment)])
        self.assertIn("Rapport door de worker", pdf_text(stored_bytes(assessment)))
        self.client.force_login(user)
        with no_renders():
            response = self.client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
        self.assertEqual(response.getvalue(), stored_bytes(assessment))
