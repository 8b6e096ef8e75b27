"""The audit trail: every change to a project and its assessments is recorded once, with who and
what; nobody can change or delete the record; bewerkers read it per project and per assessment,
on a page and as CSV, and never another municipality's."""

import csv
import io
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock, skipUnless

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services
from assessments.csv_export import safe_cell
from assessments.labels import date_label
from assessments.models import ActionStatus, Assessment, Invitation, Membership, Role, Status
from perspectives.models import Perspective, Question
from waardevol.accounts import services as accounts_services
from waardevol.audit import services as audit_services
from waardevol.audit.history import PAGE_SIZE, changes_in_words
from waardevol.audit.models import AuditAppendOnly, AuditEvent, AuditKind

from .base import PASSWORD, BaseTestCase, completed_assessment
from .htmlforms import form_data
from .test_throttling import DATABASE_TASKS


class RecordingTests(BaseTestCase):
    """Each kind of change: exactly one event, by the user who made it, saying what changed."""

    def setUp(self):
        self.client.force_login(self.alice)
        self.project = self.make_project(self.utrecht, self.alice, name="Sensoren",
                                         description="Tellen", in_public_space=True)
        self.assessment = services.assessment_start(project=self.project, user=self.alice,
                                                    language="nl")
        self.question = Question.objects.get(code="1.1")

    def only_new_event(self, before: int) -> AuditEvent:
        events = list(AuditEvent.objects.filter(pk__gt=before))
        self.assertEqual(len(events), 1, [e.kind for e in events])
        return events[0]

    def last_pk(self) -> int:
        return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def test_creating_a_project_records_its_values(self):
        before = self.last_pk()
        project = self.make_project(self.utrecht, self.alice, name="Nieuw", uses_ai=True)
        event = self.only_new_event(before)
        self.assertEqual((event.kind, event.actor, event.actor_name, event.project_id,
                          event.municipality_id, event.assessment_id),
                         (AuditKind.PROJECT_CREATED, self.alice, "Alice", project.pk,
                          self.utrecht.pk, None))
        self.assertIn(["name", None, "Nieuw"], event.changes["fields"])
        self.assertIn(["uses_ai", None, True], event.changes["fields"])
        self.assertIn(["phase", None, "idee"], event.changes["fields"])

    def test_editing_a_project_records_only_the_changed_fields(self):
        url = reverse("assessments:project_edit", args=[self.project.pk])
        data = form_data(self.client.get(url).content.decode())
        before = self.last_pk()
        response = self.client.post(url, {**data, "name": "Sensoren Centrum"})
        self.assertEqual(response.status_code, 302)
        event = self.only_new_event(before)
        self.assertEqual((event.kind, event.actor, event.project_id),
                         (AuditKind.PROJECT_CHANGED, self.alice, self.project.pk))
        self.assertEqual(event.changes, {"fields": [["name", "Sensoren", "Sensoren Centrum"]]})

    def test_a_save_that_changes_nothing_records_nothing(self):
        url = reverse("assessments:project_edit", args=[self.project.pk])
        data = form_data(self.client.get(url).content.decode())
        before = self.last_pk()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertFalse(AuditEvent.objects.filter(pk__gt=before).exists())

    def test_changing_characteristics_and_phase_in_the_questionnaire(self):
        url = reverse("assessments:step", args=[self.assessment.pk, 0])
        data = form_data(self.client.get(url).content.decode())
        data.pop("in_public_space")
        before = self.last_pk()
        response = self.client.post(url, {**data, "phase": "experiment", "uses_ai": "on"})
        self.assertEqual(response.status_code, 302)
        event = self.only_new_event(before)
        self.assertEqual(event.kind, AuditKind.CHARACTERISTICS_CHANGED)
        self.assertEqual(sorted(event.changes["fields"]), [
            ["in_public_space", True, False], ["phase", "idee", "experiment"],
            ["uses_ai", False, True]])

    def test_starting_an_assessment(self):
        project = self.make_project(self.utrecht, self.alice, name="Tweede")
        before = self.last_pk()
        response = self.client.post(reverse("assessments:assessment_start", args=[project.pk]))
        self.assertEqual(response.status_code, 302)
        event = self.only_new_event(before)
        assessment = Assessment.objects.get(project=project)
        self.assertEqual((event.kind, event.assessment_id, event.project_id, event.actor),
                         (AuditKind.ASSESSMENT_STARTED, assessment.pk, project.pk, self.alice))
        # Resuming the same concept is not a change.
        self.client.post(reverse("assessments:assessment_start", args=[project.pk]))
        self.assertEqual(AuditEvent.objects.filter(pk__gt=before).count(), 1)

    def autosave(self, answer, version, note=""):
        q = self.question.pk
        return self.client.post(
            reverse("assessments:answer_autosave", args=[self.assessment.pk, q]),
            {f"q{q}-answer": answer, f"q{q}-version": str(version), f"q{q}-note": note})

    def test_each_autosave_records_one_event_with_old_and_new_answer(self):
        before = self.last_pk()
        self.assertEqual(self.autosave("3", 0).status_code, 200)
        first = self.only_new_event(before)
        self.assertEqual((first.kind, first.assessment_id, first.actor),
                         (AuditKind.ANSWER_CHANGED, self.assessment.pk, self.alice))
        self.assertEqual(first.changes, {"fields": [["1.1", None, "3"]]})

        self.assertEqual(self.autosave("unknown", 1, note="Navragen").status_code, 200)
        second = self.only_new_event(first.pk)
        self.assertEqual(second.changes, {"fields": [["1.1", "3", "unknown"],
                                                     ["1.1:note", "", "Navragen"]]})

    def test_a_conflicting_or_identical_answer_records_nothing(self):
        self.autosave("3", 0)
        before = self.last_pk()
        self.assertEqual(self.autosave("1", 0).status_code, 409)  # a colleague's stale page
        self.assertEqual(self.autosave("3", 0).status_code, 200)  # the same answer again
        self.assertFalse(AuditEvent.objects.filter(pk__gt=before).exists())

    def test_a_step_save_records_one_event_per_changed_answer(self):
        url = reverse("assessments:step", args=[self.assessment.pk, 1])
        data = form_data(self.client.get(url).content.decode())
        questions = [k[:-len("-version")] for k in data if k.endswith("-version")]
        self.assertGreater(len(questions), 1)
        before = self.last_pk()
        changed = {f"{questions[0]}-answer": "4", f"{questions[1]}-answer": "na",
                   f"{questions[1]}-reason": "Geen sensoren"}
        response = self.client.post(url, {**data, **changed, "navigate": "next"})
        self.assertEqual(response.status_code, 302)
        events = AuditEvent.objects.filter(pk__gt=before).order_by("pk")
        self.assertEqual([e.kind for e in events], [AuditKind.ANSWER_CHANGED] * 2)
        self.assertEqual(events[1].changes["fields"][1][0].split(":")[1], "na_reason")

    def test_completing_and_reopening(self):
        self.answer_all(self.assessment, self.alice)
        before = self.last_pk()
        self.assertEqual(self.client.post(
            reverse("assessments:complete", args=[self.assessment.pk])).status_code, 302)
        completed = self.only_new_event(before)
        self.assessment.refresh_from_db()
        self.assertEqual((completed.kind, completed.assessment_id, completed.changes),
                         (AuditKind.ASSESSMENT_COMPLETED, self.assessment.pk,
                          {"score": self.assessment.overall_score}))

        self.assertEqual(self.client.post(
            reverse("assessments:reopen", args=[self.assessment.pk])).status_code, 302)
        reopened = self.only_new_event(completed.pk)
        copy = Assessment.objects.get(project=self.project, status="concept")
        self.assertEqual((reopened.kind, reopened.assessment_id, reopened.changes),
                         (AuditKind.ASSESSMENT_REOPENED, copy.pk,
                          {"reopened_from": self.assessment.pk}))

    def test_deleting_an_empty_concept_is_recorded_and_the_record_stays(self):
        before = self.last_pk()
        pk = self.assessment.pk
        response = self.client.post(reverse("assessments:delete", args=[pk]))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Assessment.objects.filter(pk=pk).exists())
        event = self.only_new_event(before)
        self.assertEqual((event.kind, event.assessment_id, event.project_id),
                         (AuditKind.CONCEPT_DELETED, pk, self.project.pk))
        page = self.client.get(reverse("audit:project_history", args=[self.project.pk]))
        self.assertContains(page, "Leeg concept verwijderd")
        self.assertContains(page, "verwijderd concept")

    def test_adding_and_changing_an_action(self):
        url = reverse("assessments:action_create", args=[self.assessment.pk])
        data = form_data(self.client.get(url).content.decode())
        perspective = Perspective.objects.get(number=2)
        before = self.last_pk()
        response = self.client.post(url, {**data, "perspective": perspective.pk,
                                          "description": "Privacytoets", "owner": "Jan"})
        self.assertEqual(response.status_code, 302)
        added = self.only_new_event(before)
        action = self.assessment.actions.get()
        self.assertEqual((added.kind, added.assessment_id, added.changes["action"]),
                         (AuditKind.ACTION_ADDED, self.assessment.pk, action.pk))
        self.assertIn(["description", None, "Privacytoets"], added.changes["fields"])
        self.assertIn(["perspective", None, str(perspective)], added.changes["fields"])

        edit = reverse("assessments:action_edit", args=[action.pk])
        data = form_data(self.client.get(edit).content.decode())
        self.assertEqual(self.client.post(edit, {**data, "status": ActionStatus.DONE,
                                                 "owner": "Piet"}).status_code, 302)
        changed = self.only_new_event(added.pk)
        self.assertEqual(changed.kind, AuditKind.ACTION_CHANGED)
        self.assertEqual(changed.assessment_id, self.assessment.pk)
        self.assertEqual(sorted(changed.changes["fields"]),
                         [["owner", "Jan", "Piet"], ["status", "open", "gereed"]])
        self.assertEqual(changed.changes["description"], "Privacytoets")

    def test_downloading_the_report_records_who_did(self):
        self.client.force_login(self.bob)  # lezers may download; it is recorded all the same
        before = self.last_pk()
        response = self.client.get(reverse("assessments:report_pdf", args=[self.assessment.pk]))
        self.assertEqual(response.status_code, 200)
        event = self.only_new_event(before)
        self.assertEqual((event.kind, event.actor, event.assessment_id),
                         (AuditKind.REPORT_DOWNLOADED, self.bob, self.assessment.pk))

    def test_a_role_change_is_in_the_municipalitys_history_not_a_projects(self):
        membership = self.bob.membership
        url = reverse("member_edit", args=[membership.pk])
        data = form_data(self.client.get(url).content.decode())
        before = self.last_pk()
        self.assertEqual(self.client.post(url, {**data, "role": Role.EDITOR}).status_code, 302)
        event = self.only_new_event(before)
        self.assertEqual((event.kind, event.actor, event.municipality, event.project_id),
                         (AuditKind.MEMBER_CHANGED, self.alice, self.utrecht, None))
        self.assertEqual(event.changes, {"member": "Bob",
                                         "fields": [["role", Role.READER, Role.EDITOR]]})
        # Saving the same role again changes nothing and records nothing.
        data = form_data(self.client.get(url).content.decode())
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(AuditEvent.objects.filter(pk__gt=before).count(), 1)

    def test_free_text_is_cut_short_in_the_trail(self):
        long = "x" * 1500
        url = reverse("assessments:project_edit", args=[self.project.pk])
        data = form_data(self.client.get(url).content.decode())
        before = self.last_pk()
        self.client.post(url, {**data, "description": long})
        [[name, old, new]] = self.only_new_event(before).changes["fields"]
        self.assertEqual((name, old, len(new)), ("description", "Tellen",
                                                 audit_services.TEXT_MAX))


class AppendOnlyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project = cls.make_project(cls.utrecht, cls.alice)
        cls.event = AuditEvent.objects.get(project=cls.project)

    def test_an_event_cannot_be_saved_again(self):
        self.event.actor_name = "Iemand anders"
        with self.assertRaises(AuditAppendOnly):
            self.event.save()
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).actor_name, "Alice")

    def test_an_event_cannot_be_deleted(self):
        with self.assertRaises(AuditAppendOnly):
            self.event.delete()
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    def test_querysets_refuse_update_and_delete(self):
        events = AuditEvent.objects.filter(pk=self.event.pk)
        with self.assertRaises(AuditAppendOnly):
            events.update(actor_name="Iemand anders")
        with self.assertRaises(AuditAppendOnly):
            events.delete()
        with self.assertRaises(AuditAppendOnly):
            AuditEvent.objects.bulk_update([self.event], ["actor_name"])
        self.assertFalse(hasattr(AuditEvent.objects, "delete"))
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).actor_name, "Alice")

    def test_a_user_with_a_history_cannot_be_deleted(self):
        user = self.make_user("dave", self.utrecht, Role.EDITOR)
        audit_services.audit_record(user=user, kind=AuditKind.REPORT_DOWNLOADED,
                                    project=self.project)
        with self.assertRaises(ProtectedError), transaction.atomic():
            user.delete()
        self.assertTrue(User.objects.filter(pk=user.pk).exists())

    @skipUnless(connection.vendor == "postgresql", "the database trigger exists on PostgreSQL only")
    def test_postgresql_refuses_updates_and_deletes_in_the_database(self):
        for sql in ("UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s",
                    "DELETE FROM audit_auditevent WHERE id = %s"):
            with self.subTest(sql=sql), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [self.event.pk])
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).actor_name, "Alice")

    def test_the_admin_shows_events_read_only(self):
        admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(admin)
        changelist = self.client.get(reverse("admin:audit_auditevent_changelist"))
        self.assertEqual(changelist.status_code, 200)
        self.assertNotContains(changelist, "delete_selected")
        change = self.client.get(reverse("admin:audit_auditevent_change", args=[self.event.pk]))
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, 'name="_save"')
        self.assertEqual(self.client.post(
            reverse("admin:audit_auditevent_delete", args=[self.event.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:audit_auditevent_add")).status_code, 403)
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    def test_the_admin_shows_municipal_data_but_changes_none_of_it(self):
        """An edit in the admin would bypass the trail (and the stale-save check and the frozen
        completed assessment): projects, assessments and actions are read-only there, even for a
        superuser, and their change pages save nothing."""
        completed = completed_assessment(self.utrecht, self.alice, "Afgerond project")
        action = services.action_create(assessment=completed, user=self.alice,
                                        perspective=Perspective.objects.get(number=1),
                                        description="Een DPIA laten doen", owner="CISO")
        project = completed.project
        self.client.force_login(User.objects.create_superuser("root", "root@example.org",
                                                              PASSWORD))
        events = AuditEvent.objects.count()
        for model, obj in (("project", project), ("assessment", completed), ("action", action)):
            with self.subTest(model=model):
                changelist = self.client.get(reverse(f"admin:assessments_{model}_changelist"))
                self.assertEqual(changelist.status_code, 200)
                self.assertNotContains(changelist, "delete_selected")
                change_url = reverse(f"admin:assessments_{model}_change", args=[obj.pk])
                change = self.client.get(change_url)
                self.assertEqual(change.status_code, 200)
                self.assertNotContains(change, 'name="_save"')
                self.assertEqual(self.client.post(change_url, {"name": "Anders",
                                                               "description": "Anders"})
                                 .status_code, 403)
                self.assertEqual(self.client.post(reverse(
                    f"admin:assessments_{model}_delete", args=[obj.pk]), {"post": "yes"})
                    .status_code, 403)
                self.assertEqual(self.client.get(
                    reverse(f"admin:assessments_{model}_add")).status_code, 403)
        project.refresh_from_db()
        action.refresh_from_db()
        self.assertEqual(project.name, "Afgerond project")
        self.assertEqual(action.description, "Een DPIA laten doen")
        self.assertTrue(Assessment.objects.filter(pk=completed.pk, status=Status.COMPLETED)
                        .exists())
        self.assertEqual(AuditEvent.objects.count(), events)


class HistoryPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_assessed_project("Utrechtse sensoren")
        cls.other = completed_assessment(cls.amersfoort, cls.charlie, "Amersfoorts geheim")

    def setUp(self):
        self.client.force_login(self.alice)

    def test_the_assessment_history_lists_its_changes_newest_first(self):
        response = self.client.get(reverse("audit:assessment_history", args=[self.completed.pk]))
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertInHTML("<h1 class='utrecht-heading-1'>Geschiedenis</h1>", body)
        # Completed after the answers, the action after completing.
        self.assertLess(body.index("Verbeteractie toegevoegd"), body.index("Beoordeling afgerond"))
        self.assertLess(body.index("Beoordeling afgerond"), body.index("Antwoord gewijzigd"))
        self.assertContains(response, "Vraag 1.1: geen antwoord → 3")
        self.assertContains(response, "Alice")
        # The project's creation came before the assessment; the concept's events are its own.
        self.assertNotContains(response, "Project aangemaakt")
        self.assertContains(response, 'class="utrecht-table utrecht-table--html-table '
                                      'wv-table-stack wv-history"')

    def test_the_project_history_names_each_assessment(self):
        response = self.client.get(reverse("audit:project_history", args=[self.project.pk]))
        self.assertContains(response, "Project aangemaakt")
        self.assertContains(response, "Naam: Utrechtse sensoren")
        self.assertContains(response, reverse("assessments:results", args=[self.completed.pk]))

    def test_project_changes_during_an_assessment_show_on_its_history(self):
        url = reverse("assessments:step", args=[self.concept.pk, 0])
        data = form_data(self.client.get(url).content.decode())
        self.client.post(url, {**data, "phase": "beheer"})
        concept = self.client.get(reverse("audit:assessment_history", args=[self.concept.pk]))
        self.assertContains(concept, "Fase: Idee → Beheer")
        completed = self.client.get(reverse("audit:assessment_history", args=[self.completed.pk]))
        self.assertNotContains(completed, "Beheer")

    def test_the_links_are_for_bewerkers_only(self):
        history = reverse("audit:assessment_history", args=[self.completed.pk])
        results = reverse("assessments:results", args=[self.completed.pk])
        project = reverse("assessments:project_detail", args=[self.project.pk])
        self.assertContains(self.client.get(results), history)
        self.assertContains(self.client.get(project),
                            reverse("audit:project_history", args=[self.project.pk]))
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(results), "geschiedenis")
        self.assertNotContains(self.client.get(project), "geschiedenis")

    def test_another_municipalitys_events_never_show(self):
        for url in (reverse("audit:project_history", args=[self.project.pk]),
                    reverse("audit:project_history_csv", args=[self.project.pk]),
                    reverse("audit:assessment_history", args=[self.completed.pk])):
            body = self.client.get(url).getvalue().decode()
            self.assertNotIn("Charlie", body)
            self.assertNotIn("Amersfoorts geheim", body)
        # An Amersfoort event put on a Utrecht project id (a bug elsewhere) still stays hidden.
        AuditEvent.objects.create(actor=self.charlie, actor_name="Charlie", project=self.project,
                                  municipality=self.amersfoort, kind=AuditKind.REPORT_DOWNLOADED)
        self.assertNotContains(
            self.client.get(reverse("audit:project_history", args=[self.project.pk])), "Charlie")
        self.client.force_login(self.charlie)
        for name, pk in (("project_history", self.project.pk),
                         ("assessment_history_csv", self.completed.pk)):
            self.assertEqual(self.client.get(reverse(f"audit:{name}", args=[pk])).status_code,
                             404)

    def test_pages_of_fifty_newest_first(self):
        for _i in range(PAGE_SIZE + 5):
            audit_services.audit_assessment(user=self.alice, kind=AuditKind.REPORT_DOWNLOADED,
                                            assessment=self.completed)
        url = reverse("audit:assessment_history", args=[self.completed.pk])
        first = self.client.get(url)
        self.assertContains(first, "Rapport gedownload", count=PAGE_SIZE)
        self.assertContains(first, "Pagina 1 van 2")
        self.assertContains(first, '?pagina=2')
        second = self.client.get(url + "?pagina=2")
        self.assertContains(second, "Beoordeling afgerond")
        self.assertContains(second, "Pagina 2 van 2")
        for junk in ("abc", "0", "-1", "99999", "9" * 40):
            self.assertEqual(self.client.get(url, {"pagina": junk}).status_code, 200)

    def test_a_page_of_history_takes_a_fixed_number_of_queries(self):
        url = reverse("audit:project_history", args=[self.project.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        # More events, over more assessments: their labels are read in one query per page.
        for _i in range(10):
            old = Assessment.objects.create(project=self.project, started_by=self.alice,
                                            status=Status.SUPERSEDED)
            for _j in range(3):
                audit_services.audit_assessment(user=self.alice, kind=AuditKind.REPORT_DOWNLOADED,
                                                assessment=old)
        with self.assertNumQueries(len(few)):
            response = self.client.get(url)
        self.assertContains(response, "Rapport gedownload", count=30)

    def test_the_results_page_does_no_extra_query(self):
        """Measured before the audit trail existed: 8 for a completed assessment, 9 for a
        concept, 8 for the project page (fewer since sessions live in the cache); recording
        writes, reading pages never looks at the trail."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for user in (self.alice, self.bob):
            self.client.force_login(user)
            for url, most in ((reverse("assessments:results", args=[self.completed.pk]), 8),
                              (reverse("assessments:results", args=[self.concept.pk]), 9),
                              (reverse("assessments:project_detail", args=[self.project.pk]), 8)):
                self.client.get(url)
                with CaptureQueriesContext(connection) as context:
                    self.assertEqual(self.client.get(url).status_code, 200)
                sql = [query["sql"] for query in context.captured_queries]
                self.assertLessEqual(len(sql), most, sql)
                self.assertFalse([q for q in sql if "audit_auditevent" in q], sql)


class MunicipalityHistoryTests(BaseTestCase):
    """Exports of the municipality's data and its national-comparison choice: one event each, in
    the municipality's own history, which its bewerkers read and nobody else."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_assessed_project("Utrechtse sensoren")
        cls.other = completed_assessment(cls.amersfoort, cls.charlie, "Amersfoorts geheim")

    def municipal_events(self, municipality=None):
        return list(AuditEvent.objects.filter(municipality=municipality or self.utrecht,
                                              project__isnull=True))

    def test_each_export_records_who_what_and_how_much(self):
        self.client.force_login(self.bob)  # a lezer may export; the record is what counts
        response = self.client.get(reverse("assessments:overview_csv"),
                                   {"fase": "idee", "q": "sensoren", "sort": "-name"})
        self.assertEqual(response.status_code, 200)
        rows = response.content.decode("utf-8").strip().splitlines()
        self.client.get(reverse("assessments:portfolio_actions_csv"), {"verlopen": "on"})
        self.client.get(reverse("assessments:portfolio_pdf"))
        projects, actions, portfolio = sorted(self.municipal_events(), key=lambda e: e.pk)
        self.assertEqual((projects.kind, projects.actor, projects.actor_name, projects.project_id,
                          projects.assessment_id),
                         (AuditKind.PROJECTS_EXPORTED, self.bob, "Bob", None, None))
        self.assertEqual(projects.changes, {"rows": len(rows) - 1,
                                            "filters": [["q", "sensoren"], ["fase", "idee"]]})
        self.assertEqual(len(rows) - 1, 1)
        self.assertEqual((actions.kind, actions.changes),
                         (AuditKind.ACTIONS_EXPORTED, {"rows": 0, "filters": [["verlopen", True]]}))
        self.assertEqual(changes_in_words(actions), ["0 rijen", "Alleen verlopen acties"])
        self.assertEqual((portfolio.kind, portfolio.changes),
                         (AuditKind.PORTFOLIO_DOWNLOADED, {}))
        # Nothing of it shows on a project's history, and nothing of Amersfoort's was touched.
        self.assertFalse(self.municipal_events(self.amersfoort))

    def test_a_refused_export_records_nothing(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("assessments:overview_csv"), {"fase": "bestaat-niet"})
        self.assertEqual(response.status_code, 400)
        self.client.force_login(User.objects.create_user("outsider", "o@example.org", PASSWORD))
        self.assertEqual(self.client.get(reverse("assessments:overview_csv")).status_code, 403)
        self.assertEqual(self.municipal_events(), [])

    def test_joining_and_leaving_the_national_comparison(self):
        self.client.force_login(self.alice)
        url = reverse("benchmark:participation")
        for choice in ("meedoen", "meedoen", "stoppen"):
            self.assertEqual(self.client.post(url, {"keuze": choice}).status_code, 302)
        # The second "join" changed nothing: two events, not three.
        self.assertEqual([(e.kind, e.actor) for e in sorted(self.municipal_events(),
                                                             key=lambda e: e.pk)],
                         [(AuditKind.BENCHMARK_JOINED, self.alice),
                          (AuditKind.BENCHMARK_LEFT, self.alice)])

    def test_the_page_and_its_csv_show_the_events_in_words(self):
        self.client.force_login(self.bob)
        self.client.get(reverse("assessments:overview_csv"),
                        {"fase": "idee", "minimumeisen": "gehaald"})
        self.client.get(reverse("assessments:portfolio_actions_csv"))
        self.client.force_login(self.alice)
        page = self.client.get(reverse("audit:municipality_history"))
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page["Cache-Control"].count("no-store"), 1)
        self.assertInHTML("<h1 class='utrecht-heading-1'>Geschiedenis van de gemeente</h1>",
                          page.content.decode())
        self.assertContains(page, "Projectenlijst geëxporteerd (CSV)")
        self.assertContains(page, "Fase: Idee")
        self.assertContains(page, "Minimumeisen: Alle minimumeisen gehaald")
        self.assertContains(page, "1 rij<", count=2)  # one project, one action
        self.assertContains(page, "Zonder filter")
        self.assertContains(page, "Bob")
        # The project's own events are on its own history, not here.
        self.assertNotContains(page, "Project aangemaakt")
        self.assertNotContains(page, ">Beoordeling<")
        csv_response = self.client.get(reverse("audit:municipality_history_csv"))
        self.assertEqual(csv_response["Cache-Control"], "private, no-store")
        rows = list(csv.reader(io.StringIO(csv_response.getvalue().decode("utf-8")[1:]),
                               delimiter=";"))
        self.assertEqual(rows[0], ["Tijdstip", "Tijdzone", "Wie", "Handeling", "Wijzigingen"])
        self.assertEqual([row[3] for row in rows[1:]],
                         ["Verbeteracties geëxporteerd (CSV)", "Projectenlijst geëxporteerd (CSV)"])
        self.assertEqual(rows[2][4], "1 rij\nFase: Idee\n"
                                     "Minimumeisen: Alle minimumeisen gehaald")
        self.assertEqual(rows[1][4], "1 rij\nZonder filter")
        # The CSV export is itself recorded, after the file was read.
        self.assertEqual(self.municipal_events()[0].kind, AuditKind.HISTORY_EXPORTED)

    def test_in_english_the_filters_are_in_english(self):
        self.client.force_login(self.alice)
        self.client.get(reverse("assessments:overview_csv"), {"fase": "idee"})
        self.client.cookies.load({"django_language": "en"})
        page = self.client.get(reverse("audit:municipality_history"),
                               headers={"accept-language": "en"})
        self.assertContains(page, "Project list exported (CSV)")
        self.assertContains(page, "Phase: Idea")

    def test_for_the_municipalitys_bewerkers_only(self):
        audit_services.audit_municipality(user=self.charlie, municipality=self.amersfoort,
                                          kind=AuditKind.PROJECTS_EXPORTED, rows=3, filters=[])
        self.client.force_login(self.alice)
        overview = self.client.get(reverse("assessments:overview"))
        self.assertContains(overview, reverse("audit:municipality_history"))
        for name in ("municipality_history", "municipality_history_csv"):
            body = self.client.get(reverse(f"audit:{name}")).getvalue().decode()
            self.assertNotIn("Charlie", body)
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(reverse("assessments:overview")),
                               reverse("audit:municipality_history"))
        outsider = User.objects.create_user("outsider", "outsider@example.org", PASSWORD)
        for user in (self.bob, outsider):  # a lezer; an account without a municipality
            self.client.force_login(user)
            for name in ("municipality_history", "municipality_history_csv"):
                self.assertEqual(self.client.get(reverse(f"audit:{name}")).status_code, 403)

    @override_settings(EXPORTS_PER_USER=100)
    def test_a_page_takes_a_fixed_number_of_queries(self):
        self.client.force_login(self.alice)
        url = reverse("audit:municipality_history")
        self.client.get(reverse("assessments:overview_csv"), {"fase": "idee"})
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        few = len(few)  # now: the next request clears the connection's query log
        for _i in range(10):
            self.client.get(reverse("assessments:overview_csv"), {"fase": "idee"})
            self.client.get(reverse("assessments:portfolio_actions_csv"), {"perspectief": "3"})
        with self.assertNumQueries(few):
            response = self.client.get(url)
        self.assertContains(response, "Perspectief: 3. ", count=10)


class MembershipHistoryTests(BaseTestCase):
    """Who was given access to the municipality's data, and who lost it: each way in (an
    invitation, the identity provider, the admin) and each change is one event in the
    municipality's history, naming the member."""

    def municipal_events(self, municipality=None):
        return list(AuditEvent.objects.filter(municipality=municipality or self.utrecht,
                                              project__isnull=True).order_by("pk"))

    def test_an_invitation_and_its_acceptance(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("invite_create"),
                                    {"email": "erik@utrecht.nl", "role": Role.READER})
        self.assertEqual(response.status_code, 302)
        invitation = Invitation.objects.get()
        self.client.logout()
        response = self.client.post(reverse("invite_accept", args=[invitation.token]), {
            "username": "erik", "first_name": "Erik", "last_name": "Lezer",
            "password1": "a-long-erik-password", "password2": "a-long-erik-password"})
        self.assertEqual(response.status_code, 302)
        invited, joined = self.municipal_events()
        self.assertEqual((invited.kind, invited.actor, invited.changes),
                         (AuditKind.MEMBER_INVITED, self.alice,
                          {"email": "e…@utrecht.nl", "fields": [["role", None, Role.READER]]}))
        erik = User.objects.get(username="erik")
        self.assertEqual((joined.kind, joined.actor, joined.actor_name, joined.changes),
                         (AuditKind.MEMBER_JOINED, erik, "Erik Lezer",
                          {"member": "Erik Lezer", "via": "invitation",
                           "fields": [["role", None, Role.READER], ["is_manager", None, False]]}))
        self.assertEqual(self.municipal_events(self.amersfoort), [])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("members")),
                            reverse("audit:municipality_history"))
        page = self.client.get(reverse("audit:municipality_history")).content.decode()
        for line in ("Collega uitgenodigd", "E-mailadres: e…@utrecht.nl", "Nieuw lid",
                     "Lid: Erik Lezer", "Via een uitnodiging", "Rol: Lezer", "Beheerder: nee"):
            self.assertIn(line, page)

    def test_an_invitation_that_was_not_sent_is_not_recorded(self):
        self.client.force_login(self.alice)
        with mock.patch("waardevol.accounts.tasks.send_mail", side_effect=OSError("SMTP down")):
            response = self.client.post(reverse("invite_create"),
                                        {"email": "erik@utrecht.nl", "role": Role.EDITOR})
        self.assertEqual(response.status_code, 503)
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(self.municipal_events(), [])

    @override_settings(OIDC_MUNICIPALITY_CLAIM="gemeentecode", OIDC_ROLE_CLAIM="rollen")
    def test_the_identity_provider_admits_and_changes_members(self):
        claims = {"gemeentecode": "GM0344", "rollen": "lezer", "given_name": "Dirk",
                  "family_name": "Jansen", "email": "dirk@utrecht.nl"}
        dirk = accounts_services.oidc_login_resolve(issuer="https://idp.example", subject="d1",
                                                    claims=claims)
        accounts_services.oidc_login_resolve(issuer="https://idp.example", subject="d1",
                                             claims={**claims, "rollen": ["beheerder"]})
        # The same role at the next login is no change.
        accounts_services.oidc_login_resolve(issuer="https://idp.example", subject="d1",
                                             claims={**claims, "rollen": ["beheerder"]})
        joined, changed = self.municipal_events()
        self.assertEqual((joined.kind, joined.actor, joined.changes),
                         (AuditKind.MEMBER_JOINED, dirk,
                          {"member": "Dirk Jansen", "via": "identity_provider",
                           "fields": [["role", None, Role.READER], ["is_manager", None, False]]}))
        self.assertEqual((changed.kind, changed.actor, changed.changes),
                         (AuditKind.MEMBER_CHANGED, dirk,
                          {"member": "Dirk Jansen", "via": "identity_provider",
                           "fields": [["role", Role.READER, Role.EDITOR],
                                      ["is_manager", False, True]]}))
        self.assertEqual(changes_in_words(changed),
                         ["Lid: Dirk Jansen", "Volgens de identiteitsprovider van de gemeente",
                          "Rol: Lezer → Bewerker", "Beheerder: nee → ja"])
        with translation.override("en"):
            self.assertEqual(changes_in_words(changed),
                             ["Member: Dirk Jansen",
                              "According to the municipality’s identity provider",
                              "Role: Reader → Editor", "Manager: no → yes"])

    def test_changes_in_the_admin(self):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD,
                                             first_name="Support")
        self.client.force_login(root)
        url = reverse("admin:assessments_membership_change", args=[self.bob.membership.pk])
        data = {"user": self.bob.pk, "municipality": self.utrecht.pk, "role": Role.EDITOR,
                "is_manager": "on"}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        # Moving Bob to Amersfoort ends his membership in Utrecht and begins one there.
        self.assertEqual(self.client.post(url, {**data, "municipality": self.amersfoort.pk})
                         .status_code, 302)
        delete = reverse("admin:assessments_membership_delete", args=[self.bob.membership.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 302)
        changed, removed = self.municipal_events()
        self.assertEqual((changed.kind, changed.actor, changed.changes),
                         (AuditKind.MEMBER_CHANGED, root,
                          {"member": "Bob", "via": "admin",
                           "fields": [["role", Role.READER, Role.EDITOR],
                                      ["is_manager", False, True]]}))
        self.assertEqual((removed.kind, removed.changes["fields"]),
                         (AuditKind.MEMBER_REMOVED,
                          [["role", Role.EDITOR, None], ["is_manager", True, None]]))
        self.assertEqual(changes_in_words(removed),
                         ["Lid: Bob", "Via de beheeromgeving van Waardevol",
                          "Rol: Bewerker → –", "Beheerder: ja → –"])
        self.assertEqual([e.kind for e in self.municipal_events(self.amersfoort)],
                         [AuditKind.MEMBER_JOINED, AuditKind.MEMBER_REMOVED])

    def test_members_added_in_the_municipality_admin_and_accounts_blocked(self):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        erik = User.objects.create_user("erik", "erik@utrecht.nl", PASSWORD, first_name="Erik")
        url = reverse("admin:assessments_municipality_change", args=[self.utrecht.pk])
        data = form_data(self.client.get(url).content.decode(), "municipality_form")
        total = int(data["memberships-TOTAL_FORMS"])
        data.update({"memberships-TOTAL_FORMS": str(total + 1),
                     f"memberships-{total}-user": str(erik.pk),
                     f"memberships-{total}-role": Role.READER,
                     f"memberships-{total}-municipality": str(self.utrecht.pk)})
        self.assertEqual(self.client.post(url, data).status_code, 302)
        user_url = reverse("admin:auth_user_change", args=[self.bob.pk])
        data = form_data(self.client.get(user_url).content.decode(), "user_form")
        data.pop("is_active")
        self.assertEqual(self.client.post(user_url, data).status_code, 302)
        self.assertFalse(User.objects.get(pk=self.bob.pk).is_active)
        self.client.force_login(self.alice)  # the beheerder sees it on the members page
        self.assertContains(self.client.get(reverse("members")), "Account geblokkeerd", count=1)
        self.client.force_login(root)
        joined, blocked = self.municipal_events()
        self.assertEqual((joined.kind, joined.actor, joined.changes["member"],
                          joined.changes["via"]),
                         (AuditKind.MEMBER_JOINED, root, "Erik", "admin"))
        self.assertEqual((blocked.kind, blocked.changes),
                         (AuditKind.MEMBER_DEACTIVATED, {"member": "Bob", "via": "admin"}))
        # Deleting an account without a history ends its membership, on the record.
        delete = reverse("admin:auth_user_delete", args=[erik.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 302)
        self.assertEqual(self.municipal_events()[-1].kind, AuditKind.MEMBER_REMOVED)
        self.assertEqual(self.municipal_events()[-1].changes["member"], "Erik")


    def test_with_a_worker_the_invitation_is_queued_stored_and_recorded(self):
        self.client.force_login(self.alice)
        with override_settings(TASKS=DATABASE_TASKS):
            response = self.client.post(reverse("invite_create"),
                                        {"email": "erik@utrecht.nl", "role": Role.EDITOR})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(mail.outbox, [])  # queued, not sent in the request
            invitation = Invitation.objects.get()
            self.assertEqual([e.kind for e in self.municipal_events()], [AuditKind.MEMBER_INVITED])
            with mock.patch("django_tasks_db.management.commands.db_worker."
                            "close_old_connections"):
                call_command("db_worker", batch=True, startup_delay=False, stdout=StringIO(),
                             stderr=StringIO())
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(str(invitation.token), mail.outbox[0].body)

    @override_settings(OIDC_MUNICIPALITY_CLAIM="gemeentecode")
    def test_accepting_an_invitation_with_an_organisation_account(self):
        invitation = accounts_services.invitation_store(invitation=accounts_services.invitation_unsaved(
            membership=self.alice.membership, email="fleur@utrecht.nl", role=Role.EDITOR))
        fleur = accounts_services.oidc_login_resolve(
            issuer="https://idp.example", subject="f1", invitation_token=str(invitation.token),
            claims={"given_name": "Fleur", "email": "fleur@utrecht.nl"})
        invited, joined = self.municipal_events()
        self.assertEqual((invited.kind, joined.kind, joined.actor, joined.changes["via"]),
                         (AuditKind.MEMBER_INVITED, AuditKind.MEMBER_JOINED, fleur, "invitation"))

    def test_invitations_are_withdrawn_in_the_admin_not_made_or_changed(self):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        pending, accepted = (accounts_services.invitation_store(
            invitation=accounts_services.invitation_unsaved(
                membership=self.alice.membership, email=email, role=Role.READER))
            for email in ("erik@utrecht.nl", "fleur@utrecht.nl"))
        Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
        self.assertEqual(self.client.get(reverse("admin:assessments_invitation_add")).status_code,
                         403)
        change = self.client.get(reverse("admin:assessments_invitation_change",
                                         args=[pending.pk]))
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, 'name="email"')  # shown, not editable
        changelist = reverse("admin:assessments_invitation_changelist")
        response = self.client.post(changelist, {"action": "delete_selected", "post": "yes",
                                                 "_selected_action": [pending.pk, accepted.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Invitation.objects.exists())
        # The accepted one withdrew nothing: only the pending one is on the record.
        withdrawn = self.municipal_events()[-1]
        self.assertEqual((withdrawn.kind, withdrawn.actor, withdrawn.changes["email"]),
                         (AuditKind.INVITATION_WITHDRAWN, root, "e…@utrecht.nl"))
        self.assertEqual(len(self.municipal_events()), 3)

    def test_more_admin_paths_are_recorded(self):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        # "Delete selected" on memberships.
        changelist = reverse("admin:assessments_membership_changelist")
        response = self.client.post(changelist, {"action": "delete_selected", "post": "yes",
                                                 "_selected_action": [self.bob.membership.pk]})
        self.assertEqual(response.status_code, 302)
        # A membership deleted in the municipality's inline.
        url = reverse("admin:assessments_municipality_change", args=[self.amersfoort.pk])
        data = form_data(self.client.get(url).content.decode(), "municipality_form")
        self.assertEqual(data["memberships-0-user"], str(self.charlie.pk))
        data["memberships-0-DELETE"] = "on"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertFalse(Membership.objects.filter(user=self.charlie).exists())
        # Blocking and unblocking an account.
        user_url = reverse("admin:auth_user_change", args=[self.alice.pk])
        data = form_data(self.client.get(user_url).content.decode(), "user_form")
        blocked = {k: v for k, v in data.items() if k != "is_active"}
        self.assertEqual(self.client.post(user_url, blocked).status_code, 302)
        self.assertEqual(self.client.post(user_url, {**blocked, "is_active": "on"}).status_code,
                         302)
        self.assertEqual([(e.kind, e.changes["member"]) for e in self.municipal_events()],
                         [(AuditKind.MEMBER_REMOVED, "Bob"),
                          (AuditKind.MEMBER_DEACTIVATED, "Alice"),
                          (AuditKind.MEMBER_REACTIVATED, "Alice")])
        self.assertEqual([(e.kind, e.changes["member"])
                          for e in self.municipal_events(self.amersfoort)],
                         [(AuditKind.MEMBER_REMOVED, "Charlie")])

    def test_an_administrator_cannot_delete_their_own_account(self):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        accounts_services.membership_create(user=root, municipality=self.utrecht)
        self.client.force_login(root)
        self.assertEqual(self.client.get(reverse("admin:auth_user_delete", args=[root.pk]))
                         .status_code, 403)
        response = self.client.post(reverse("admin:auth_user_changelist"), {
            "action": "delete_selected", "post": "yes", "_selected_action": [root.pk]})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(User.objects.filter(pk=root.pk).exists())
        self.assertEqual(self.municipal_events(), [])


class PendingInvitationTests(BaseTestCase):
    """A beheerder sees the invitations not accepted yet on *Leden* and withdraws one; its link
    stops working and the municipality's history records it."""

    def invite(self, email, municipality_membership=None, days_ago=0):
        invitation = accounts_services.invitation_store(
            invitation=accounts_services.invitation_unsaved(
                membership=municipality_membership or self.alice.membership, email=email,
                role=Role.READER))
        if days_ago:
            Invitation.objects.filter(pk=invitation.pk).update(
                created_at=timezone.now() - timedelta(days=days_ago))
        return invitation

    def test_the_members_page_lists_pending_invitations_only(self):
        self.invite("erik@utrecht.nl")
        self.invite("oud@utrecht.nl", days_ago=30)
        accepted = self.invite("fleur@utrecht.nl")
        Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
        self.invite("geheim@amersfoort.nl", self.charlie.membership)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("members"))
        self.assertContains(page, "Uitnodigingen die nog niet zijn geaccepteerd")
        body = page.content.decode()
        self.assertIn("erik@utrecht.nl", body)
        self.assertIn(date_label(timezone.now() + timedelta(days=settings.INVITATION_DAYS)),
                      body)
        self.assertIn("oud@utrecht.nl", body)
        self.assertRegex(body, r"oud@utrecht\.nl</span></th>(\s*<td[^>]*>[^<]*</td>){2}\s*"
                               r"<td[^>]*>verlopen</td>")
        self.assertNotIn("fleur@utrecht.nl", body)
        self.assertNotIn("geheim@amersfoort.nl", body)
        self.assertEqual(body.count('action="/account/leden/uitnodiging/'), 2)

    def test_withdrawing_an_invitation(self):
        invitation = self.invite("erik@utrecht.nl")
        url = reverse("invitation_withdraw", args=[invitation.pk])
        for user, status in ((self.bob, 403), (self.charlie, 404), (self.vng, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, status)
        self.assertTrue(Invitation.objects.filter(pk=invitation.pk).exists())
        self.client.force_login(self.alice)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "De uitnodiging aan erik@utrecht.nl is ingetrokken")
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(self.client.post(url).status_code, 404)  # withdrawn already
        self.client.logout()
        self.assertEqual(self.client.get(reverse("invite_accept", args=[invitation.token]))
                         .status_code, 404)
        withdrawn = AuditEvent.objects.filter(kind=AuditKind.INVITATION_WITHDRAWN).get()
        self.assertEqual((withdrawn.actor, withdrawn.municipality, withdrawn.changes["email"]),
                         (self.alice, self.utrecht, "e…@utrecht.nl"))

    def test_an_accepted_invitation_cannot_be_withdrawn(self):
        invitation = self.invite("erik@utrecht.nl")
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(reverse("invitation_withdraw", args=[invitation.pk]))
                         .status_code, 404)
        # Accepted between the access check and the withdrawal: left alone, nothing recorded.
        self.assertFalse(accounts_services.invitation_withdraw(
            invitation=invitation, user=self.alice, pending_only=True))
        self.assertTrue(Invitation.objects.filter(pk=invitation.pk).exists())
        self.assertFalse(AuditEvent.objects.filter(kind=AuditKind.INVITATION_WITHDRAWN).exists())


class MemberAccessTests(BaseTestCase):
    """A beheerder blocks a colleague who left (their open session ends at once, no login works)
    and unblocks them; each is one event in the municipality's history."""

    def access(self, membership, choice):
        return self.client.post(reverse("member_access", args=[membership.pk]),
                                {"toegang": choice})

    def password_login(self, username) -> bool:
        browser = self.client_class()
        browser.post(reverse("login"), {"username": username, "password": PASSWORD})
        return "_auth_user_id" in browser.session

    def test_blocking_ends_the_session_and_unblocking_restores_it(self):
        bobs_browser = self.client_class()
        bobs_browser.force_login(self.bob)
        self.assertEqual(bobs_browser.get(reverse("assessments:overview")).status_code, 200)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("member_edit", args=[self.bob.membership.pk]))
        self.assertContains(page, "Account blokkeren")
        response = self.access(self.bob.membership, "blokkeren")
        self.assertRedirects(response, reverse("members"))
        self.assertFalse(User.objects.get(pk=self.bob.pk).is_active)
        # His open session ends at its next request; a password no longer works.
        self.assertRedirects(bobs_browser.get(reverse("assessments:overview")),
                             f"{reverse('login')}?next={reverse('assessments:overview')}")
        self.assertFalse(self.password_login("bob"))
        self.assertEqual(self.access(self.bob.membership, "blokkeren").status_code, 302)  # again
        self.assertContains(self.client.get(reverse("member_edit", args=[self.bob.membership.pk])),
                            "Account deblokkeren")
        self.access(self.bob.membership, "deblokkeren")
        self.assertTrue(self.password_login("bob"))
        events = AuditEvent.objects.filter(municipality=self.utrecht, project__isnull=True)
        self.assertEqual([(e.kind, e.actor, e.changes) for e in events.order_by("pk")],
                         [(AuditKind.MEMBER_DEACTIVATED, self.alice, {"member": "Bob"}),
                          (AuditKind.MEMBER_REACTIVATED, self.alice, {"member": "Bob"})])

    def test_who_may_block_whom(self):
        staff = self.make_user("steun", self.utrecht, Role.EDITOR)
        User.objects.filter(pk=staff.pk).update(is_staff=True)
        root = self.make_user("root", self.utrecht, Role.EDITOR)
        User.objects.filter(pk=root.pk).update(is_superuser=True)
        self.client.force_login(self.alice)
        self.assertEqual(self.access(self.alice.membership, "blokkeren").status_code, 403)
        self.assertEqual(self.access(staff.membership, "blokkeren").status_code, 403)
        self.assertEqual(self.access(root.membership, "blokkeren").status_code, 403)
        self.assertEqual(self.access(self.charlie.membership, "blokkeren").status_code, 404)
        self.assertEqual(self.access(self.bob.membership, "weg-ermee").status_code, 400)
        self.assertEqual(self.client.get(reverse("member_access", args=[self.bob.membership.pk]))
                         .status_code, 405)
        self.client.force_login(self.bob)
        self.assertEqual(self.access(self.alice.membership, "blokkeren").status_code, 403)
        self.assertEqual(User.objects.filter(is_active=False).count(), 0)
        self.assertFalse(AuditEvent.objects.filter(project__isnull=True).exists())
        # One beheerder may block another (a colleague who left is a colleague who left).
        other = self.make_user("erin", self.utrecht, Role.EDITOR, manager=True)
        self.client.force_login(self.alice)
        self.assertEqual(self.access(other.membership, "blokkeren").status_code, 302)
        self.assertFalse(User.objects.get(pk=other.pk).is_active)

    @override_settings(OIDC_MUNICIPALITY_CLAIM="gemeentecode", OIDC_ROLE_CLAIM="rollen")
    def test_the_identity_provider_cannot_let_a_blocked_member_in(self):
        claims = {"gemeentecode": "GM0344", "rollen": "lezer", "given_name": "Dirk"}
        dirk = accounts_services.oidc_login_resolve(issuer="https://idp.example", subject="d1",
                                                    claims=claims)
        self.client.force_login(self.alice)
        self.access(dirk.membership, "blokkeren")
        with self.assertRaises(accounts_services.OIDCRefused) as refused:
            accounts_services.oidc_login_resolve(issuer="https://idp.example", subject="d1",
                                                 claims={**claims, "rollen": "bewerker"})
        self.assertEqual(refused.exception.reason, "blocked")
        dirk.membership.refresh_from_db()
        self.assertEqual(dirk.membership.role, Role.READER)  # the claim changed nothing


class CsvExportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_assessed_project("Utrechtse sensoren", action="=HYPERLINK(\"http://x\")")

    def read(self, response) -> list[list[str]]:
        text = response.getvalue().decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))

    def test_the_export_is_a_private_attachment_with_every_event(self):
        self.client.force_login(self.alice)
        events = AuditEvent.objects.filter(project=self.project).count()
        response = self.client.get(reverse("audit:project_history_csv", args=[self.project.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertRegex(response["Content-Disposition"],
                         r'^attachment; filename="geschiedenis-utrechtse-sensoren-'
                         r'\d{4}-\d{2}-\d{2}\.csv"$')
        self.assertEqual(response["Cache-Control"], "private, no-store")
        rows = self.read(response)
        self.assertEqual(rows[0], ["Tijdstip", "Tijdzone", "Wie", "Handeling", "Beoordeling",
                                   "Wijzigingen"])
        # Date and time as a spreadsheet reads them (an ISO "T" and offset stayed text in Excel).
        self.assertRegex(rows[1][0], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
        self.assertIn(rows[1][1], ("UTC+01:00", "UTC+02:00"))
        self.assertEqual(len(rows) - 1, events)  # every event before the export itself
        kinds = [row[3] for row in rows[1:]]
        self.assertEqual(kinds[-1], "Project aangemaakt")  # oldest last, as on the page
        self.assertIn("Beoordeling afgerond", kinds)
        # The export is recorded in the project's history, by who made it.
        export = AuditEvent.objects.filter(project=self.project).first()
        self.assertEqual((export.kind, export.actor, export.assessment_id),
                         (AuditKind.HISTORY_EXPORTED, self.alice, None))
        self.assertEqual(AuditEvent.objects.filter(project=self.project).count(), events + 1)
        # A read of the project's history is not one of the project's changes on an open
        # assessment's history.
        self.assertNotContains(
            self.client.get(reverse("audit:assessment_history", args=[self.concept.pk])),
            "Geschiedenis geëxporteerd")
        # An assessment's history is a file of its own name, beside the project's.
        assessment_file = self.client.get(
            reverse("audit:assessment_history_csv", args=[self.concept.pk]))["Content-Disposition"]
        self.assertRegex(assessment_file, r'filename="geschiedenis-utrechtse-sensoren-beoordeling-'
                                          r'\d{4}-\d{2}-\d{2}-\d{4}-\d{4}-\d{2}-\d{2}\.csv"$')

    def test_the_hour_the_clocks_go_back_is_told_apart(self):
        """02:30 comes twice on 25 October 2026: the Tijdzone column says which."""
        for utc_hour in (0, 1):  # 02:30 summer time, then 02:30 winter time
            AuditEvent.objects.create(
                kind=AuditKind.REPORT_DOWNLOADED, municipality=self.utrecht,
                project=self.project, assessment=self.completed, actor=self.alice,
                actor_name="Alice",
                created_at=datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC))
        self.client.force_login(self.alice)
        rows = self.read(self.client.get(
            reverse("audit:assessment_history_csv", args=[self.completed.pk])))
        self.assertEqual([row[:2] for row in rows if row[0].startswith("2026-10-25")],
                         [["2026-10-25 02:30:00", "UTC+01:00"],  # newest first
                          ["2026-10-25 02:30:00", "UTC+02:00"]])

    def test_cells_that_a_spreadsheet_would_run_are_defused(self):
        mallory = self.make_user("mallory", self.utrecht, Role.EDITOR)
        mallory.first_name, mallory.last_name = "=cmd|' /C calc'!A0", ""
        mallory.save()
        audit_services.audit_assessment(user=mallory, kind=AuditKind.REPORT_DOWNLOADED,
                                        assessment=self.completed)
        self.client.force_login(self.alice)
        rows = self.read(self.client.get(
            reverse("audit:assessment_history_csv", args=[self.completed.pk])))
        self.assertEqual(rows[1][2], "'=cmd|' /C calc'!A0")
        for row in rows:
            for cell in row:
                self.assertFalse(cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell)
        self.assertTrue(any("=HYPERLINK" in cell for row in rows for cell in row))

    def test_a_long_history_is_written_while_it_is_read_every_event_once(self):
        """A trail has no bound on its length: the file is streamed a chunk of events at a time
        (20,000 events were 2.2 MB built in memory), each event once, newest first, also where
        events share a moment, and in the reader's language however late the rows are read."""
        moment = AuditEvent.objects.get(project=self.project,
                                        kind=AuditKind.PROJECT_CREATED).created_at
        for _i in range(7):
            AuditEvent.objects.create(kind=AuditKind.REPORT_DOWNLOADED, municipality=self.utrecht,
                                      project=self.project, actor=self.alice, actor_name="Alice",
                                      created_at=moment)
        expected = list(AuditEvent.objects.filter(project=self.project)
                        .values_list("created_at", "kind"))
        self.client.force_login(self.alice)
        self.client.cookies.load({"django_language": "en"})
        with mock.patch("waardevol.audit.views.EXPORT_CHUNK", 3):
            response = self.client.get(
                reverse("audit:project_history_csv", args=[self.project.pk]))
            self.assertTrue(response.streaming)
            # Meanwhile (the file is read after the view returned) a colleague works on.
            audit_services.audit_assessment(user=self.alice, kind=AuditKind.REPORT_DOWNLOADED,
                                            assessment=self.completed)
            rows = self.read(response)
        self.assertEqual(rows[0], ["Time", "Time zone", "Who", "Action", "Assessment", "Changes"])
        self.assertEqual(len(rows) - 1, len(expected))
        self.assertEqual([row[3] for row in rows[1:]].count("Report downloaded"), 7)
        self.assertEqual(rows[-1][3], "Project created")
        moments = [row[0] for row in rows[1:]]
        self.assertEqual(moments, sorted(moments, reverse=True))

    @override_settings(EXPORTS_PER_USER=2)
    def test_downloads_of_csv_files_are_limited_per_user(self):
        """Each export reads every row it names and is recorded in the trail: without a limit
        one user could keep the server busy and the trail growing."""
        downloads = [reverse("assessments:overview_csv"),
                     reverse("assessments:portfolio_actions_csv"),
                     reverse("audit:municipality_history_csv"),
                     reverse("audit:project_history_csv", args=[self.project.pk]),
                     reverse("audit:assessment_history_csv", args=[self.completed.pk])]
        for url in downloads:
            with self.subTest(url=url):
                caches["limits"].clear()
                self.client.force_login(self.alice)
                for _i in range(2):
                    self.assertEqual(self.client.get(url).status_code, 200)
                events = AuditEvent.objects.count()
                refused = self.client.get(url)
                self.assertContains(refused, "veel bestanden gedownload", status_code=429)
                self.assertEqual(AuditEvent.objects.count(), events)  # not recorded
                # Another user's downloads are their own.
                self.client.force_login(self.make_user(f"collega{len(url)}", self.utrecht,
                                                       Role.EDITOR))
                self.assertEqual(self.client.get(url).status_code, 200)

        # A request refused for access uses up nothing: a lezer's history, another
        # municipality's project.
        caches["limits"].clear()
        refused = [(self.bob, reverse("audit:project_history_csv", args=[self.project.pk])),
                   (self.charlie, reverse("audit:assessment_history_csv",
                                          args=[self.completed.pk]))]
        for user, url in refused:
            self.client.force_login(user)
            for _i in range(3):
                self.assertIn(self.client.get(url).status_code, (403, 404))
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reverse("assessments:overview_csv")).status_code, 200)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("assessments:overview_csv")).status_code, 200)

    def test_safe_cell(self):
        for value in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"):
            self.assertEqual(safe_cell(value), "'" + value)
        for value in ("Alice", "", "1.1: 3 → 4", "a=b"):
            self.assertEqual(safe_cell(value), value)


class PresenterWordingTests(TestCase):
    """Stored values in words, in the page's language."""

    def test_values_in_words(self):
        event = AuditEvent(kind=AuditKind.CHARACTERISTICS_CHANGED, changes={"fields": [
            ["phase", "idee", "experiment"], ["uses_ai", False, True]]})
        self.assertEqual(changes_in_words(event),
                         ["Fase: Idee → Experiment / pilot", "Gebruikt AI: nee → ja"])
        answers = AuditEvent(kind=AuditKind.ANSWER_CHANGED, changes={"fields": [
            ["2.3", "na", "unknown"], ["2.3:na_reason", "Geen", ""]]})
        self.assertEqual(changes_in_words(answers), [
            "Vraag 2.3: Niet van toepassing → Weet ik niet",
            "Vraag 2.3, reden niet van toepassing: Geen → –"])

    def test_an_actions_perspective_in_the_readers_language(self):
        """Stored as "7. <title>" in the saver's language; read in the reader's."""
        dutch = Perspective.objects.get(number=7)
        event = AuditEvent(kind=AuditKind.ACTION_CHANGED, changes={"fields": [
            ["perspective", "2. Een oude titel", f"7. {dutch.title_nl}"]]})
        with translation.override("en"):
            english = Perspective.objects.get(number=7).title_en
            two = Perspective.objects.get(number=2).title_en
            self.assertEqual(changes_in_words(event), [f"Perspective: 2. {two} → 7. {english}"])
        self.assertNotEqual(english, dutch.title_nl)
        self.assertEqual(changes_in_words(event),
                         [f"Perspectief: 2. {Perspective.objects.get(number=2).title_nl} → "
                          f"7. {dutch.title_nl}"])
        # What is not "<number>. <title>" of a perspective that exists is shown as stored.
        odd = AuditEvent(kind=AuditKind.ACTION_ADDED, changes={"fields": [
            ["perspective", None, "12. Verdwenen"], ["description", None, "3. Geen perspectief"]]})
        self.assertEqual(changes_in_words(odd), ["Perspectief: 12. Verdwenen",
                                                 "Actie: 3. Geen perspectief"])
