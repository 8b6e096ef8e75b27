"""The national benchmark (issue 13 §4): opt-in, the k ≥ 5 rule for every figure, quartiles as
PostgreSQL's percentile_cont computes them (on SQLite too), and what a municipality sees."""

import statistics
from datetime import timedelta
from io import StringIO

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments import report
from assessments.management.bulk import bulk_seed
from assessments.models import Assessment, Municipality, PerspectiveResult, Project, Status
from assessments.results import ResultsPresenter
from waardevol.benchmark import services
from waardevol.benchmark.models import BenchmarkParticipation
from waardevol.benchmark.presenters import (
    NationalPresenter,
    ProjectComparison,
    count_text,
    position_text,
    range_text,
    too_few_text,
)
from waardevol.benchmark.selectors import (
    MIN_MUNICIPALITIES,
    BenchmarkFilters,
    Distribution,
    benchmark_distributions,
)

from .base import BaseTestCase, completed_assessment

TOO_FEW = "te weinig vergelijkbare beoordelingen"
FIRST_CODE = 6000


def seed_municipalities(count: int, *, first: int = 0, projects: int = 4,
                        opted_in: bool = True) -> list[Municipality]:
    """`count` municipalities with `projects` completed assessments each (bulk data: phases and
    characteristics vary per project), opted in or not."""
    bulk_seed(municipalities=first + count, projects=projects, password="x",
              first_code=FIRST_CODE, prefix="k")
    municipalities = list(Municipality.objects.filter(
        cbs_code__in=[f"GM{FIRST_CODE + i:04d}" for i in range(first, first + count)]))
    for municipality in municipalities:
        services.participation_set(municipality=municipality, opted_in=opted_in, user=None)
    return municipalities


def set_scores(municipality, number: int, score: int) -> None:
    PerspectiveResult.objects.filter(assessment__project__municipality=municipality,
                                     number=number).update(score=score)


def reference_quartiles(values: list[int]) -> tuple[float, float, float]:
    """percentile_cont's definition (linear between the closest ranks), in plain Python."""
    q1, q2, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return q1, q2, q3


class ParticipationTests(BaseTestCase):
    def test_a_municipality_is_not_counted_until_a_beheerder_opts_in(self):
        self.assertFalse(BenchmarkParticipation.objects.exists())
        self.client.force_login(self.alice)
        page = self.client.get(reverse("benchmark:participation"))
        self.assertContains(page, "Uw gemeente doet niet mee.")
        self.assertContains(page, "Nooit projectnamen")
        self.assertContains(page, "Zo is uw gemeente niet te herkennen in de cijfers.")
        self.assertNotContains(page, "Niemand kan dus")
        response = self.client.post(reverse("benchmark:participation"), {"keuze": "meedoen"},
                                    follow=True)
        self.assertContains(response, "Uw gemeente doet nu mee aan de landelijke vergelijking.")
        participation = BenchmarkParticipation.objects.get(municipality=self.utrecht)
        self.assertTrue(participation.opted_in)
        self.assertEqual(participation.changed_by, self.alice)
        self.assertContains(response, "Laatst gewijzigd door Alice")
        # A second beheerder on the same old page asks for the same: nothing changes twice.
        response = self.client.post(reverse("benchmark:participation"), {"keuze": "meedoen"},
                                    follow=True)
        self.assertContains(response, "deed al mee")
        response = self.client.post(reverse("benchmark:participation"), {"keuze": "stoppen"},
                                    follow=True)
        self.assertContains(response, "doet niet meer mee")
        self.assertFalse(BenchmarkParticipation.objects.get(municipality=self.utrecht).opted_in)

    def test_only_a_beheerder_decides(self):
        for user in (self.bob, self.charlie):
            self.client.force_login(user)
            response = self.client.post(reverse("benchmark:participation"), {"keuze": "meedoen"})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(BenchmarkParticipation.objects.exists())

    def test_an_unknown_choice_is_a_400_and_changes_nothing(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("benchmark:participation"), {"keuze": "altijd"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(BenchmarkParticipation.objects.exists())

    def test_the_members_page_links_to_it(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("members")),
                            reverse("benchmark:participation"))


class SmallGroupTests(BaseTestCase):
    """k ≥ 5: every figure of a group of four municipalities is withheld, five show."""

    def figures(self, by_year=False):
        return benchmark_distributions(filters=BenchmarkFilters(), by_year=by_year)

    def test_four_municipalities_show_no_figure_anywhere(self):
        seed_municipalities(MIN_MUNICIPALITIES - 1)
        for by_year in (False, True):
            distributions = self.figures(by_year)
            self.assertTrue(distributions)
            for d in distributions:
                self.assertTrue(d.suppressed)
                self.assertEqual((d.municipalities, d.assessments, d.p25, d.median, d.p75),
                                 (None,) * 5)
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national")).content.decode()
        # Every perspective, and once in the sentence that explains the rule. The table over
        # time has no column at all: one would tell that assessments were completed that year.
        self.assertEqual(page.count(TOO_FEW), 10 + 1)
        self.assertIn("Voor de afgelopen jaren is geen cijfer per jaar te tonen.", page)

    def test_five_municipalities_show_every_figure(self):
        seed_municipalities(MIN_MUNICIPALITIES)
        for by_year in (False, True):
            for d in self.figures(by_year):
                self.assertFalse(d.suppressed)
                self.assertEqual(d.municipalities, 5)
                self.assertIsNotNone(d.median)
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national")).content.decode()
        self.assertEqual(page.count(TOO_FEW), 1)  # the sentence that explains the rule
        self.assertIn(f"<th scope=\"col\" class=\"utrecht-table__header-cell\">"
                      f"{timezone.localdate().year}</th>", page)

    def test_a_filter_that_leaves_four_municipalities_shows_no_figure(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES)
        # One municipality's AI projects become something else: four municipalities remain.
        Project.objects.filter(municipality=municipalities[0]).update(uses_ai=False)
        ai = BenchmarkFilters(characteristics=("ai",))
        self.assertTrue(all(d.suppressed for d in benchmark_distributions(filters=ai)))
        self.assertTrue(all(not d.suppressed
                            for d in benchmark_distributions(filters=BenchmarkFilters())))

    def test_a_projects_comparison_follows_the_same_rule_for_other_municipalities(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES)
        # Utrecht takes part with a project like the bulk's "idee" projects (no personal data,
        # no AI): five other municipalities compare.
        services.participation_set(municipality=self.utrecht, opted_in=True, user=self.alice)
        completed = completed_assessment(self.utrecht, self.alice, "Wijkpanel",
                                         in_public_space=True)
        comparison = ResultsPresenter.for_assessment(completed).national_comparison
        self.assertTrue(comparison.takes_part)
        self.assertTrue(comparison.has_figures)
        # Without one of the bulk municipalities the group is Utrecht and four others. Utrecht
        # knows its own scores, so the figures would describe four: nothing shows.
        services.participation_set(municipality=municipalities[0], opted_in=False, user=None)
        comparison = ResultsPresenter.for_assessment(completed).national_comparison
        self.assertFalse(comparison.has_figures)
        self.assertTrue(all(row.median == too_few_text() and row.middle_half == "–"
                            and row.position == "–" for row in comparison.rows))

    def test_a_projects_comparison_leaves_the_own_municipality_out(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES, projects=1)
        for municipality in municipalities:
            Project.objects.filter(municipality=municipality).update(
                phase="idee", processes_personal_data=False, uses_ai=False)
            set_scores(municipality, 1, 50)
        for municipality in (self.utrecht, self.amersfoort):
            services.participation_set(municipality=municipality, opted_in=True, user=None)
        own = completed_assessment(self.utrecht, self.alice, "Wijkpanel", phase="idee")
        other = completed_assessment(self.amersfoort, self.charlie, "Buurtapp", phase="idee")
        PerspectiveResult.objects.filter(assessment__in=[own, other], number=1).update(score=100)
        cache.clear()
        # Six municipalities score 50 on perspective 1 and Amersfoort 100. Utrecht's comparison
        # counts Amersfoort, not itself, and Amersfoort's the reverse; both five others + one.
        for assessment in (own, other):
            comparison = ResultsPresenter.for_assessment(assessment).national_comparison
            first = comparison.rows[0]
            self.assertEqual((first.median, first.middle_half), ("50", "50"), assessment)
            dist = comparison._distributions[1]
            self.assertEqual(dist.municipalities, MIN_MUNICIPALITIES + 1)
            self.assertIn("niet uw eigen gemeente", comparison.group_sentence)
            self.assertIn("ten minste 5 andere gemeenten", comparison.rule_sentence)
        # The cache is per municipality: Utrecht's figures are not Amersfoort's.
        utrecht = benchmark_distributions(filters=comparison.filters, other_than=self.utrecht.pk)
        amersfoort = benchmark_distributions(filters=comparison.filters,
                                             other_than=self.amersfoort.pk)
        self.assertEqual(utrecht, amersfoort)  # same spread: 50 ×5 + 100 ×1 each way
        Project.objects.filter(municipality=self.amersfoort).update(uses_ai=True)
        cache.clear()
        self.assertEqual(benchmark_distributions(filters=comparison.filters,
                                                 other_than=self.utrecht.pk)[0].municipalities,
                         MIN_MUNICIPALITIES)
        self.assertEqual(benchmark_distributions(filters=comparison.filters,
                                                 other_than=self.amersfoort.pk)[0]
                         .municipalities, MIN_MUNICIPALITIES + 1)

    def test_a_project_without_a_phase_has_no_empty_phase_clause(self):
        comparison = ProjectComparison(scores={}, titles={}, phase="", characteristics=[],
                                       takes_part=True, municipality_id=self.utrecht.pk)
        self.assertNotIn("(–)", comparison.group_sentence)
        self.assertNotIn("fase", comparison.group_sentence)
        self.assertIn("Vergeleken met projecten die net als dit project geen "
                      "persoonsgegevens verwerken", comparison.group_sentence)
        self.assertIn("kan de deelname aanzetten via ‘Leden’",
                      comparison.not_taking_part_sentence)


class DifferencingTests(BaseTestCase):
    """Nested filters must not reveal a few municipalities by subtraction."""

    def test_a_middle_half_without_width_is_one_figure(self):
        """Most comparable projects capped at 39 made "39–39" and "in de middelste helft"."""
        self.assertEqual(range_text(48.2, 71.0), "48–71")
        self.assertEqual(range_text(39.0, 39.4), "39")
        self.assertEqual(range_text(None, None), "–")
        flat = Distribution(7, None, False, 5, 5, p25=39.0, median=39.0, p75=39.0)
        self.assertEqual(position_text(39, flat), "gelijk aan de middelste helft")
        self.assertEqual(position_text(50, flat),
                         "hoger dan driekwart van de vergelijkbare projecten")
        wide = Distribution(7, None, False, 5, 5, p25=30.0, median=39.0, p75=50.0)
        self.assertEqual(position_text(39, wide), "in de middelste helft")

    def test_counts_are_shown_in_bands(self):
        self.assertEqual([count_text(n) for n in (None, 5, 9, 10, 19, 20, 49, 50, 99, 100, 499,
                                                   500, 34200)],
                         ["–", "5–9", "5–9", "10–19", "10–19", "20–49", "20–49", "50–99",
                          "50–99", "100–499", "100–499", "500 of meer", "500 of meer"])
        seed_municipalities(MIN_MUNICIPALITIES + 2, projects=3)
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national")).content.decode()
        # Seven municipalities, 21 assessments per perspective: in bands, never exact.
        self.assertIn('data-label="Gemeenten">5–9</td>', page)
        self.assertIn('data-label="Beoordelingen">20–49</td>', page)
        self.assertNotIn(">7</td>", page)
        self.assertNotIn(">21</td>", page)

    def test_a_filtered_group_whose_complement_has_one_to_four_municipalities_is_hidden(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES + 1)
        Project.objects.filter(municipality__in=municipalities).update(uses_ai=True)
        # One municipality's projects do not use AI: "all" minus "AI" would be that municipality.
        Project.objects.filter(municipality=municipalities[0]).update(uses_ai=False)
        cache.clear()
        ai = BenchmarkFilters(characteristics=("ai",))
        self.assertTrue(all(d.suppressed for d in benchmark_distributions(
            filters=ai, guard_complement=True)))
        self.assertTrue(all(d.suppressed for d in benchmark_distributions(
            filters=ai, by_year=True, guard_complement=True)))
        self.assertTrue(all(not d.suppressed
                            for d in benchmark_distributions(filters=BenchmarkFilters(),
                                                             guard_complement=True)))
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national"), {"kenmerk": ["ai"]})
        self.assertContains(page, TOO_FEW, count=10 + 1)  # every perspective; the rule
        # The same filter repeated (SQLite refused the query of 500 copies: a 500).
        page = self.client.get(reverse("benchmark:national"), {"kenmerk": ["ai"] * 1000})
        self.assertContains(page, TOO_FEW, count=10 + 1)
        self.assertContains(page, "Voor de afgelopen jaren is geen cijfer per jaar te tonen.")
        # An empty complement (every project uses AI) says nothing new: the figures show.
        Project.objects.filter(municipality=municipalities[0]).update(uses_ai=True)
        cache.clear()
        self.assertTrue(all(not d.suppressed for d in benchmark_distributions(
            filters=ai, guard_complement=True)))

    def test_a_complement_of_five_municipalities_does_not_hide(self):
        municipalities = seed_municipalities(2 * MIN_MUNICIPALITIES)
        Project.objects.filter(municipality__in=municipalities[:5]).update(uses_ai=True)
        Project.objects.filter(municipality__in=municipalities[5:]).update(uses_ai=False)
        cache.clear()
        ai = BenchmarkFilters(characteristics=("ai",))
        self.assertTrue(all(not d.suppressed for d in benchmark_distributions(
            filters=ai, guard_complement=True)))

    def test_the_year_table_lists_only_years_with_a_shown_figure(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES + 1)
        this_year = timezone.localdate().year
        Assessment.objects.filter(project__municipality__in=municipalities,
                                  status=Status.COMPLETED).update(completed_at=timezone.now())
        # One municipality completed last year: a suppressed cell, and no column either.
        Assessment.objects.filter(project__municipality=municipalities[0],
                                  status=Status.COMPLETED).update(
            completed_at=timezone.now().replace(year=this_year - 1, month=6, day=1))
        cache.clear()
        presenter = NationalPresenter(BenchmarkFilters())
        self.assertEqual(presenter.years, [this_year])
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national")).content.decode()
        self.assertNotIn(f">{this_year - 1}</th>", page)
        self.assertIn(f">{this_year}</th>", page)


class OptedOutTests(BaseTestCase):
    def test_an_opted_out_municipality_is_never_counted(self):
        included = seed_municipalities(MIN_MUNICIPALITIES)
        excluded = seed_municipalities(1, first=MIN_MUNICIPALITIES, opted_in=False)[0]
        never_chose = seed_municipalities(1, first=MIN_MUNICIPALITIES + 1)[0]
        BenchmarkParticipation.objects.filter(municipality=never_chose).delete()
        for number, municipality in enumerate(included, start=1):
            set_scores(municipality, 1, number * 10)
        set_scores(excluded, 1, 100)
        set_scores(never_chose, 1, 100)
        cache.clear()
        first = next(d for d in benchmark_distributions(filters=BenchmarkFilters())
                     if d.number == 1)
        self.assertEqual(first.municipalities, 5)
        self.assertEqual(first.assessments, 5 * 4)
        self.assertEqual((first.p25, first.median, first.p75), (20.0, 30.0, 40.0))

    def test_opting_out_takes_effect_at_once_despite_the_cache(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES)
        self.assertFalse(benchmark_distributions(filters=BenchmarkFilters())[0].suppressed)
        services.participation_set(municipality=municipalities[0], opted_in=False, user=None)
        self.assertTrue(benchmark_distributions(filters=BenchmarkFilters())[0].suppressed)

    def test_an_opted_out_municipality_sees_no_comparison(self):
        seed_municipalities(MIN_MUNICIPALITIES)
        completed = completed_assessment(self.utrecht, self.alice, "Wijkpanel")
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:results", args=[completed.pk]))
        self.assertContains(response, "Uw gemeente doet niet mee aan de landelijke vergelijking")
        self.assertNotContains(response, "Landelijke mediaan")


class FigureTests(BaseTestCase):
    def test_quartiles_are_percentile_cont_on_every_database(self):
        municipalities = seed_municipalities(6, projects=1)
        scores = [12, 40, 41, 77, 90, 95]
        for municipality, score in zip(municipalities, scores, strict=True):
            set_scores(municipality, 3, score)
        cache.clear()
        found = next(d for d in benchmark_distributions(filters=BenchmarkFilters())
                     if d.number == 3)
        for value, expected in zip((found.p25, found.median, found.p75),
                                   reference_quartiles(scores), strict=True):
            self.assertAlmostEqual(value, expected)
        self.assertEqual((found.p25, found.median, found.p75), (40.25, 59.0, 86.75))

    def test_only_the_latest_completed_assessment_of_a_project_counts(self):
        municipalities = seed_municipalities(MIN_MUNICIPALITIES, projects=1)
        # An older completed assessment of the first project, scored very low: not counted.
        latest = Assessment.objects.get(project__municipality=municipalities[0],
                                        status=Status.COMPLETED)
        older = Assessment.objects.create(
            project=latest.project, status=Status.COMPLETED, started_by=latest.started_by,
            completed_at=latest.completed_at - timedelta(days=400), result=latest.result)
        PerspectiveResult.objects.bulk_create(
            [PerspectiveResult(assessment=older, number=n, score=0) for n in range(1, 11)])
        cache.clear()
        for d in benchmark_distributions(filters=BenchmarkFilters()):
            self.assertEqual(d.assessments, MIN_MUNICIPALITIES)
        for d in benchmark_distributions(filters=BenchmarkFilters(), by_year=True):
            self.assertEqual(d.year, timezone.localdate().year)

    def test_filters_by_phase_and_characteristics(self):
        seed_municipalities(MIN_MUNICIPALITIES, projects=8)
        everything = benchmark_distributions(filters=BenchmarkFilters())
        pilots = benchmark_distributions(filters=BenchmarkFilters(phase="experiment"))
        personal = benchmark_distributions(filters=BenchmarkFilters(
            phase="experiment", characteristics=("personal_data",)))
        # Per municipality: eight projects, four of them pilots, two of those with personal data.
        self.assertEqual(everything[0].assessments, 8 * 5)
        self.assertEqual(pilots[0].assessments, 4 * 5)
        self.assertEqual(personal[0].assessments, 2 * 5)
        self.client.force_login(self.vng)
        response = self.client.get(reverse("benchmark:national"),
                                   {"fase": "experiment", "kenmerk": ["personal_data"]})
        self.assertContains(response, "in de fase ‘Experiment / pilot’, met het kenmerk "
                                      "‘verwerkt persoonsgegevens’")

    def test_an_unknown_filter_is_named_and_left_out(self):
        self.client.force_login(self.vng)
        response = self.client.get(reverse("benchmark:national"),
                                   {"fase": "nooit", "kenmerk": ["ai", "<script>"]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Spreiding per perspectief", status_code=400)
        self.assertNotContains(response, "<script>", status_code=400)

    def test_the_national_page_names_no_municipality_project_or_person(self):
        seed_municipalities(MIN_MUNICIPALITIES)
        self.client.force_login(self.vng)
        page = self.client.get(reverse("benchmark:national")).content.decode()
        for secret in ("Benchgemeente", "Project 0000", "k0001", "Bench", "Informatiebord",
                       "Zie projectplan"):
            self.assertNotIn(secret, page)


class ResultsAndReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        seed_municipalities(MIN_MUNICIPALITIES, projects=8)
        services.participation_set(municipality=cls.utrecht, opted_in=True, user=cls.alice)
        # Like the bulk's pilots with personal data: phase "experiment", personal data, no AI.
        cls.completed = completed_assessment(
            cls.utrecht, cls.alice, "Geheim Utrechts project", phase="experiment",
            in_public_space=True, processes_personal_data=True)

    def test_results_page_shows_the_comparison_as_of_today(self):
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:results", args=[self.completed.pk]))
        self.assertContains(response, "Landelijke vergelijking")
        self.assertContains(response, "projecten in dezelfde fase (experiment / pilot) die net "
                                      "als dit project persoonsgegevens verwerken en geen AI "
                                      "gebruiken")
        self.assertContains(response, "Stand van ")
        comparison = response.context["results"].national_comparison
        self.assertTrue(comparison.has_figures)
        self.assertContains(response, TOO_FEW, count=1)  # the sentence that explains the rule

    def test_the_report_has_the_same_section(self):
        presenter = report.ReportPresenter.for_assessment(self.completed)
        html = report.report_html(presenter)
        self.assertIn("Landelijke vergelijking", html)
        for row in presenter.national_comparison.rows:
            self.assertIn(row.middle_half, html)

    def test_a_stored_report_keeps_its_dated_comparison_when_the_national_figures_change(self):
        """A download of a completed report never renders (issue 12): other municipalities
        completing assessments does not make its stored PDF stale; the PDF dates its figures."""
        before = report.completed_report_digest(self.completed)
        PerspectiveResult.objects.filter(
            assessment__project__municipality__cbs_code__startswith="GM6").update(score=1)
        cache.clear()
        self.assertEqual(report.completed_report_digest(self.completed), before)
        html = report.report_html(report.ReportPresenter.for_assessment(self.completed))
        self.assertIn("Stand van", html)

    def test_opting_in_or_out_changes_the_stored_reports_digest(self):
        """Whether the own municipality takes part decides what the section shows: opting out
        (or in again) makes the next download render once."""
        taking_part = report.completed_report_digest(self.completed)
        services.participation_set(municipality=self.utrecht, opted_in=False, user=self.alice)
        not_taking_part = report.completed_report_digest(self.completed)
        self.assertNotEqual(not_taking_part, taking_part)
        html = report.report_html(report.ReportPresenter.for_assessment(self.completed))
        self.assertIn("Uw gemeente doet niet mee aan de landelijke vergelijking", html)
        services.participation_set(municipality=self.utrecht, opted_in=True, user=self.alice)
        self.assertEqual(report.completed_report_digest(self.completed), taking_part)


class DemoTests(BaseTestCase):
    def test_seed_demo_opts_the_demo_municipalities_in(self):
        from django.core.management import call_command

        call_command("seed_demo", stdout=StringIO())
        demo = Municipality.objects.get(cbs_code="GM9999")
        self.assertTrue(demo.benchmark_participation.opted_in)
        completed = Assessment.objects.get(project__municipality=demo, status=Status.COMPLETED)
        comparison = ResultsPresenter.for_assessment(completed).national_comparison
        self.assertTrue(comparison.has_figures)
