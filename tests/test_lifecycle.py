"""A project has one concept at a time: double clicks and colleagues continue the same one."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Assessment, Municipality, Project, Role, Status
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
        self.assertEqual(row.latest_assessment_id, completed.pk)
        self.assertEqual(row.latest_status, Status.COMPLETED)


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
