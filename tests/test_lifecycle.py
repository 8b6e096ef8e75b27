"""A project has one concept at a time: double clicks and colleagues continue the same one."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Assessment, Municipality, Project, Role, Status
from perspectives.models import Perspective
from waardevol.accounts import services as accounts_services

from .base import BaseTestCase, completed_assessment


class OneConceptTests(BaseTestCase):
    def setUp(self):
        self.project = self.make_project(self.utrecht, self.alice)
        self.client.force_login(self.alice)
        self.url = reverse("assessments:assessment_start", args=[self.project.pk])

    def test_a_double_submit_resumes_the_first_concept(self):
        first = self.client.post(self.url)
        concept = Assessment.objects.get(project=self.project)
        self.assertRedirects(first, reverse("assessments:step", args=[concept.pk, 0]))
        services.assessment_set_step(assessment=concept, step=4)
        second = self.client.post(self.url, follow=True)
        self.assertRedirects(second, reverse("assessments:step", args=[concept.pk, 4]))
        self.assertContains(second, "Dit project heeft al een conceptbeoordeling")
        self.assertEqual(Assessment.objects.filter(project=self.project).count(), 1)

    def test_the_database_refuses_a_second_concept(self):
        Assessment.objects.create(project=self.project, started_by=self.alice)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Assessment.objects.create(project=self.project, started_by=self.bob)

    def test_reopening_while_a_concept_is_under_way_returns_that_concept(self):
        completed = completed_assessment(self.utrecht, self.alice, "Afgerond project")
        concept, created = services.assessment_start_or_resume(
            project=completed.project, user=self.alice, language="nl")
        self.assertTrue(created)
        response = self.client.post(reverse("assessments:reopen", args=[completed.pk]),
                                    follow=True)
        self.assertContains(response, "Dit project heeft al een conceptbeoordeling")
        self.assertEqual(
            Assessment.objects.filter(project=completed.project, status=Status.CONCEPT).get(),
            concept)

    def test_a_superseded_concept_is_kept_and_read_only(self):
        old = Assessment.objects.create(project=self.project, started_by=self.alice,
                                        status=Status.SUPERSEDED)
        response = self.client.get(reverse("assessments:step", args=[old.pk, 1]), follow=True)
        self.assertRedirects(response, reverse("assessments:results", args=[old.pk]))
        self.assertContains(response, "vervangen door een nieuwer concept")
        self.assertTrue(Assessment.objects.filter(pk=old.pk).exists())

    def test_the_overview_never_counts_a_superseded_concept(self):
        completed = completed_assessment(self.utrecht, self.alice, "Afgerond project")
        # Even when it is the newest (a clock skew, an edit in the admin), it is not the latest.
        Assessment.objects.create(project=completed.project, started_by=self.alice,
                                  status=Status.SUPERSEDED)
        row = selectors.projects_overview(municipality=self.utrecht).get(pk=completed.project.pk)
        self.assertEqual(row.completed_id, completed.pk)
        self.assertIsNone(row.concept_id)


class EmptyConceptTests(BaseTestCase):
    """A concept started by mistake can go; anything someone worked on stays."""

    def setUp(self):
        self.project = self.make_project(self.utrecht, self.alice)
        self.concept = Assessment.objects.create(project=self.project, started_by=self.alice)
        self.url = reverse("assessments:delete", args=[self.concept.pk])
        self.page = reverse("assessments:project_detail", args=[self.project.pk])

    def test_an_editor_deletes_an_empty_concept_from_the_project_page(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.page), f'action="{self.url}"')
        response = self.client.post(self.url, follow=True)
        self.assertRedirects(response, self.page)
        self.assertContains(response, "Het lege concept is verwijderd")
        self.assertFalse(Assessment.objects.filter(pk=self.concept.pk).exists())
        self.assertContains(response, "Nieuwe beoordeling starten")

    def test_a_concept_with_an_answer_or_an_action_is_kept(self):
        self.answer_all(self.concept, self.alice)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.page), f'action="{self.url}"')
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "niet leeg en kan niet worden verwijderd")
        self.assertTrue(Assessment.objects.filter(pk=self.concept.pk).exists())
        other = self.make_project(self.utrecht, self.alice, name="Met actie")
        concept = Assessment.objects.create(project=other, started_by=self.alice)
        services.action_create(assessment=concept, user=self.alice,
                               perspective=Perspective.objects.get(number=1),
                               description="Al begonnen", owner="X")
        with self.assertRaises(services.AssessmentNotEmpty):
            services.assessment_delete_empty(assessment=concept, user=self.alice)
        self.assertNotContains(
            self.client.get(reverse("assessments:project_detail", args=[other.pk])),
            "Leeg concept verwijderen")

    def test_a_completed_assessment_is_never_deleted(self):
        completed = completed_assessment(self.utrecht, self.alice, "Afgerond project")
        with self.assertRaises(services.AssessmentNotEmpty):
            services.assessment_delete_empty(assessment=completed, user=self.alice)
        self.assertTrue(Assessment.objects.filter(pk=completed.pk).exists())

    def test_a_reader_sees_no_button_and_cannot_delete(self):
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.page), "Leeg concept verwijderen")
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Assessment.objects.filter(pk=self.concept.pk).exists())

    def test_a_double_click_deletes_once_and_does_not_fail(self):
        self.client.force_login(self.alice)
        self.client.post(self.url)
        self.assertEqual(self.client.post(self.url).status_code, 404)


class LatestCompletedResultTests(BaseTestCase):
    """The alderman sees the latest completed result; a concept is marked beside it."""

    def test_overview_and_project_page_show_the_result_with_the_concept_marked(self):
        completed = completed_assessment(self.utrecht, self.alice, "Afgerond project")
        concept, _ = services.assessment_start_or_resume(
            project=completed.project, user=self.alice, language="nl")
        self.client.force_login(self.bob)
        overview = self.client.get(reverse("assessments:overview")).content.decode()
        self.assertIn(f'href="{reverse("assessments:results", args=[completed.pk])}"', overview)
        self.assertIn("concept in bewerking", overview)
        self.assertIn(f"{completed.overall_score} –", overview)
        page = self.client.get(reverse("assessments:project_detail", args=[completed.project.pk]))
        self.assertContains(page, "Concept in bewerking.")
        self.assertContains(page, "blijft het resultaat hierboven gelden")
        self.assertContains(page, f'href="{reverse("assessments:results", args=[completed.pk])}"')

    def test_new_assessment_button_resumes_the_open_concept(self):
        project = self.make_project(self.utrecht, self.alice)
        concept, _ = services.assessment_start_or_resume(
            project=project, user=self.alice, language="nl")
        services.assessment_set_step(assessment=concept, step=3)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("assessments:project_detail", args=[project.pk]))
        self.assertContains(page, "Verder met de beoordeling")
        self.assertNotContains(page, "Nieuwe beoordeling starten")
        response = self.client.post(reverse("assessments:assessment_start", args=[project.pk]))
        self.assertRedirects(response, reverse("assessments:step", args=[concept.pk, 3]))
        self.assertEqual(Assessment.objects.filter(project=project).count(), 1)


@pytest.mark.flushes_db
class ConcurrentStartTests(TransactionTestCase):
    def test_two_colleagues_starting_at_once_get_the_same_concept(self):
        town = Municipality.objects.create(name="Gelijktijdig", cbs_code="GM0998")
        users = [User.objects.create_user(f"u{i}") for i in range(2)]
        for user in users:
            accounts_services.membership_create(user=user, municipality=town, role=Role.EDITOR)
        project = Project.objects.create(municipality=town, owner=users[0], name="Tegelijk")
        barrier, results, errors = threading.Barrier(2), [], []

        def start(user):
            try:
                barrier.wait(timeout=10)
                results.append(services.assessment_start_or_resume(
                    project=project, user=user, language="nl"))
            except Exception as exc:  # reported below; a thread cannot fail the test itself
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=start, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(len({assessment.pk for assessment, _created in results}), 1)
        self.assertEqual(sorted(created for _a, created in results), [False, True])
        self.assertEqual(Assessment.objects.filter(project=project).count(), 1)
