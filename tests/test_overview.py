"""The municipality's overview: every project with its latest assessment, sortable."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

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

    def test_a_page_counts_open_actions_and_dates_as_the_full_query_does(self):
        """A page of the overview leaves the derived columns out of its query (they cost more to
        compile than to run) and counts its rows' open actions in one query of its own: the
        figures it shows must be those of the full query, for every kind of project."""
        from django.http import QueryDict

        from assessments.forms import OverviewFilterForm
        from assessments.labels import date_label
        from assessments.overview import OverviewPresenter

        perspective = Perspective.objects.get(number=3)
        self.make_project(self.utrecht, self.alice, name="A zonder beoordeling")
        concept_only = Assessment.objects.create(
            project=self.make_project(self.utrecht, self.alice, name="B alleen concept"),
            started_by=self.alice)
        for status in ("open", "gereed", "bezig", "open"):
            services.action_create(assessment=concept_only, user=self.alice, perspective=perspective,
                                   description=f"Concept {status}", owner="X", status=status)
        both = self.make_project(self.utrecht, self.alice, name="C afgerond en concept")
        completed = Assessment.objects.create(project=both, started_by=self.alice)
        self.answer_all(completed, self.alice, score=1)
        services.assessment_complete(assessment=completed, user=self.alice)
        services.action_create(assessment=completed, user=self.alice, perspective=perspective,
                               description="Afgerond open", owner="Y")
        completed.refresh_from_db()
        newer = services.assessment_reopen(assessment=completed, user=self.alice)
        services.action_create(assessment=newer, user=self.alice, perspective=perspective,
                               description="Alleen in het concept", owner="Z")
        # Concepts started on other days than the completion: each date can only be the right one.
        Assessment.objects.filter(pk=newer.pk).update(started_at=timezone.now() + timedelta(days=3))
        Assessment.objects.filter(pk=concept_only.pk).update(
            started_at=timezone.now() - timedelta(days=40))
        full = {p.name: p for p in projects_overview(municipality=self.utrecht)}
        self.assertEqual(full["B alleen concept"].open_action_count, 3)
        self.assertEqual(full["C afgerond en concept"].open_action_count, 1)
        membership = self.alice.membership
        for sort in ("name", "-actions", "status", "-date"):
            form = OverviewFilterForm(QueryDict(f"sort={sort}"))
            self.assertTrue(form.is_valid())
            rows = OverviewPresenter(membership, form).rows
            expected = list(projects_overview(municipality=self.utrecht, sort=sort))
            self.assertEqual([row.name for row in rows], [p.name for p in expected], sort)
            for row, project in zip(rows, expected, strict=True):
                self.assertEqual(row.open_actions, project.open_action_count, row.name)
                date = date_label(project.last_activity) or "–"
                # Only a concept: when it started, not a date that reads as a result.
                self.assertEqual(row.date_label, f"Gestart op {date}" if project.name.startswith("B")
                                 else date)
        self.assertEqual({row.name: row.date_label for row in rows}["C afgerond en concept"],
                         date_label(completed.completed_at))
        # The CSV's date column is the completed assessment's too: none for a concept alone.
        csv_dates = {row[0]: row[-1] for row in OverviewPresenter(membership, form).csv_rows}
        self.assertEqual((csv_dates["A zonder beoordeling"], csv_dates["B alleen concept"]), ("", ""))
        self.assertEqual(csv_dates["C afgerond en concept"],
                         timezone.localtime(completed.completed_at).date().isoformat())
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:overview") + "?sort=-actions")
        self.assertContains(response, '<td class="utrecht-table__cell" data-label="Open acties">3</td>',
                            html=False)
