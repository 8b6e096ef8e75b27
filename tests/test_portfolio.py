"""The municipality's portfolio: the overview's filters, search, sort and pages; the heat map; the
weakest perspectives; the actions across projects; the CSV exports and the one-page PDF."""

import csv
import io
import tempfile
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import portfolio, services
from assessments.csv_export import safe_cell
from assessments.models import Action, Answer, Assessment, PerspectiveResult
from assessments.overview import OVERVIEW_PAGE_SIZE
from perspectives.models import Perspective

from .base import BaseTestCase, completed_assessment, set_answer, text_outside_boxes

OVERVIEW = reverse("assessments:overview")
PORTFOLIO = reverse("assessments:portfolio")


def minimum_missed(assessment):
    # Question 1.4 is a minimum requirement for a project in public space (see test_report).
    set_answer(assessment, "1.4", 0)


def minimums_met(assessment):
    Answer.objects.filter(assessment=assessment,
                          question__minimum_level__isnull=False).update(score=4)


class PortfolioDataMixin:
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.strong = completed_assessment(cls.utrecht, cls.alice, "Sterk project", score=4)
        cls.weak = completed_assessment(cls.utrecht, cls.alice, "Zwak project", score=1,
                                        in_public_space=True, adjust=minimum_missed)
        cls.middle = completed_assessment(cls.utrecht, cls.alice, "Middelmatig project",
                                          score=2, adjust=minimums_met)
        cls.concept_only = cls.make_project(cls.utrecht, cls.alice, name="Alleen concept",
                                            uses_ai=True)
        Assessment.objects.create(project=cls.concept_only, started_by=cls.alice)
        cls.unassessed = cls.make_project(cls.utrecht, cls.alice, name="Nog niets",
                                          phase="experiment")
        cls.other = completed_assessment(cls.amersfoort, cls.charlie, "Amersfoorts geheim",
                                         score=0)
        perspective = Perspective.objects.get(number=3)
        yesterday = date.today() - timedelta(days=1)
        cls.overdue = services.action_create(
            assessment=cls.weak, user=cls.alice, perspective=perspective,
            description="Verlopen actie", owner="Projectleider", due_date=yesterday)
        services.action_create(
            assessment=cls.weak, user=cls.alice, perspective=Perspective.objects.get(number=5),
            description="Lopende actie", owner="Privacy officer",
            due_date=date.today() + timedelta(days=10), status="bezig")
        services.action_create(
            assessment=cls.strong, user=cls.alice, perspective=perspective,
            description="Afgeronde actie", owner="Projectleider", due_date=yesterday,
            status="gereed")
        services.action_create(
            assessment=cls.other, user=cls.charlie, perspective=perspective,
            description="Amersfoortse actie", owner="Projectleider", due_date=yesterday)


class OverviewFilterTests(PortfolioDataMixin, BaseTestCase):
    def names(self, query=""):
        self.client.force_login(self.bob)
        response = self.client.get(OVERVIEW + query)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return [row.name for row in response.context["overview"].rows]

    def test_completion_copies_scores_and_unmet_count_into_columns(self):
        self.assertEqual(self.weak.unmet_minimum_count, 1)
        self.assertEqual(self.strong.unmet_minimum_count, 0)
        rows = dict(PerspectiveResult.objects.filter(assessment=self.strong)
                    .values_list("number", "score"))
        self.assertEqual(set(rows), set(range(1, 11)))
        self.assertEqual({score for score in rows.values() if score is not None}, {100})
        for number, data in self.weak.result["perspectives"].items():
            row = PerspectiveResult.objects.get(assessment=self.weak, number=int(number))
            self.assertEqual((row.score, row.band), (data["score"], data["band"] or ""))

    def test_each_filter(self):
        self.assertEqual(self.names("?q=project"),
                         ["Middelmatig project", "Sterk project", "Zwak project"])
        self.assertEqual(self.names("?q=ZWAK"), ["Zwak project"])
        self.assertEqual(self.names("?fase=experiment"), ["Nog niets"])
        # The pilot phase makes a project an experiment, ticked or not.
        self.assertEqual(self.names("?kenmerk=experiment"), ["Nog niets"])
        self.assertEqual(self.names("?kenmerk=ai"), ["Alleen concept"])
        self.assertEqual(self.names("?beoordeling=ontwikkeling"), ["Middelmatig project"])
        self.assertEqual(self.names("?beoordeling=op_orde"), ["Sterk project"])
        self.assertEqual(self.names("?beoordeling=aandacht"), ["Zwak project"])
        self.assertEqual(self.names("?status=geen"), ["Nog niets"])
        self.assertEqual(self.names("?status=concept"), ["Alleen concept"])
        self.assertEqual(self.names("?status=afgerond"),
                         ["Middelmatig project", "Sterk project", "Zwak project"])
        self.assertEqual(self.names("?minimumeisen=niet-gehaald"), ["Zwak project"])
        self.assertEqual(self.names("?minimumeisen=gehaald"),
                         ["Middelmatig project", "Sterk project"])
        self.assertEqual(self.names("?status=afgerond&q=sterk&beoordeling=op_orde"),
                         ["Sterk project"])
        self.assertEqual(self.names("?q=Amersfoorts"), [])

    def test_sort_keeps_the_filters_and_filters_keep_the_sort(self):
        self.assertEqual(self.names("?status=afgerond&sort=-score"),
                         ["Sterk project", "Middelmatig project", "Zwak project"])
        self.client.force_login(self.bob)
        response = self.client.get(OVERVIEW + "?status=afgerond&sort=-score")
        columns = {c.key: c.url for c in response.context["overview"].columns}
        self.assertIn("status=afgerond", columns["name"])
        self.assertIn("sort=score", columns["score"])  # the current column turns round
        self.assertContains(response, 'name="sort" value="-score"')
        self.assertContains(response, "3 projecten gevonden met deze filters")

    def test_pages_keep_filters_and_sort(self):
        for index in range(OVERVIEW_PAGE_SIZE + 3):
            self.make_project(self.utrecht, self.alice, name=f"Bulk {index:03d}")
        self.client.force_login(self.bob)
        first = self.client.get(OVERVIEW + "?q=bulk&sort=-name")
        rows = first.context["overview"].rows
        self.assertEqual(len(rows), OVERVIEW_PAGE_SIZE)
        self.assertEqual(rows[0].name, f"Bulk {OVERVIEW_PAGE_SIZE + 2:03d}")
        pagination = first.context["overview"].pagination
        self.assertEqual(pagination.previous.url, "")
        self.assertIn("q=bulk", pagination.next.url)
        self.assertIn("sort=-name", pagination.next.url)
        self.assertContains(first, "Pagina 1 van 2 (53 projecten)")
        second = self.client.get(OVERVIEW + pagination.next.url)
        self.assertEqual([r.name for r in second.context["overview"].rows],
                         ["Bulk 002", "Bulk 001", "Bulk 000"])
        # A page out of range or not a number shows a page that exists.
        self.assertEqual(self.client.get(OVERVIEW + "?pagina=999").status_code, 200)
        self.assertEqual(self.client.get(OVERVIEW + "?pagina=abc").status_code, 200)

    def test_bad_parameters_are_named_and_ignored_never_a_500(self):
        self.client.force_login(self.bob)
        for query in ("?fase=nope", "?kenmerk=%00", "?beoordeling=9", "?status=x",
                      "?minimumeisen=1", "?q=" + "x" * 500, "?fase=idee&fase=<script>"):
            with self.subTest(query=query):
                response = self.client.get(OVERVIEW + query)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Genegeerd, omdat de waarde niet kan",
                                    status_code=400)
                self.assertNotContains(response, "<script>", status_code=400)
                # The address's value is not repeated back as Django's message did.
                self.assertNotContains(response, "geen beschikbare keuze", status_code=400)
                if "q=" not in query:
                    self.assertContains(response, "Kies een waarde uit de lijst.",
                                        status_code=400)
        response = self.client.get(OVERVIEW + "?fase=nope&q=zwak")
        self.assertEqual([r.name for r in response.context["overview"].rows], ["Zwak project"])
        # An unknown sort quietly sorts by name, as before.
        self.assertEqual(self.names("?sort=password&q=project")[0], "Middelmatig project")
        self.assertEqual(self.client.get(reverse("assessments:overview_csv") + "?fase=x")
                         .status_code, 400)

    def test_query_count_is_constant_in_the_number_of_projects(self):
        self.client.force_login(self.bob)

        def count(query):
            with CaptureQueriesContext(connection) as queries:
                self.assertIn(self.client.get(OVERVIEW + query).status_code, (200,))
            return len(queries)

        count("")  # warm: the session and the published content are read once
        before = [count(q) for q in ("", "?status=afgerond&sort=-score", "?minimumeisen=gehaald")]
        for index in range(12):
            completed_assessment(self.utrecht, self.alice, f"Extra {index}", score=index % 5)
        after = [count(q) for q in ("", "?status=afgerond&sort=-score", "?minimumeisen=gehaald")]
        self.assertEqual(before, after)


class PortfolioPageTests(PortfolioDataMixin, BaseTestCase):
    def page(self, query="", user=None):
        self.client.force_login(user or self.bob)
        response = self.client.get(PORTFOLIO + query)
        self.assertEqual(response.status_code, 200)
        return response

    def test_heat_map_has_score_text_in_every_cell_and_an_accessible_table(self):
        response = self.page()
        rows = {row.name: row for row in response.context["portfolio"].heat_rows}
        self.assertEqual(set(rows), {"Sterk project", "Zwak project", "Middelmatig project"})
        strong = rows["Sterk project"]
        self.assertEqual(len(strong.cells), 10)
        self.assertEqual(strong.overall.score, "100")
        expected = dict(PerspectiveResult.objects.filter(assessment=self.strong)
                        .values_list("number", "score"))
        for number, cell in enumerate(strong.cells, start=1):
            score = expected[number]
            self.assertEqual(cell.score, "–" if score is None else str(score))
            self.assertTrue(cell.band_label)
        self.assertEqual(rows["Zwak project"].overall.band, "aandacht")
        html = response.content.decode()
        self.assertIn('<caption class="utrecht-table__caption">Scores per project en perspectief',
                      html)
        self.assertIn('class="utrecht-table__cell wv-heat wv-heat--op_orde" '
                      'data-label="Totaal">100<span class="wv-visually-hidden"> – op orde</span>',
                      html)
        self.assertEqual(html.count('scope="col" class="utrecht-table__header-cell"><abbr'), 10)

    def test_weakest_perspectives_by_median_lowest_first(self):
        presenter = self.page().context["portfolio"]
        weakest = presenter.weakest
        medians = [s.median for s in weakest if s.median is not None]
        self.assertEqual(medians, sorted(medians))
        # Three projects each: the median is the middle one's score.
        for spread in presenter.spreads:
            scores = sorted(
                score for score in PerspectiveResult.objects.filter(
                    assessment__in=[self.strong, self.weak, self.middle],
                    number=spread.number).values_list("score", flat=True)
                if score is not None)
            self.assertEqual(spread.median, scores[len(scores) // 2] if scores else None)
            self.assertEqual(sum(spread.band_counts) + spread.not_assessed, 3)
        self.assertIn(weakest[0].label, presenter.weakest_sentence)

    def test_median_of_counts(self):
        self.assertIsNone(portfolio.median_of_counts({}))
        self.assertEqual(portfolio.median_of_counts({50: 1}), 50)
        self.assertEqual(portfolio.median_of_counts({10: 1, 20: 1}), 15)
        self.assertEqual(portfolio.median_of_counts({10: 2, 90: 1}), 10)
        self.assertEqual(portfolio.median_of_counts({10: 1, 40: 2, 90: 1}), 40)

    def test_only_the_latest_completed_assessment_counts(self):
        copy, _ = services.assessment_reopen_or_resume(assessment=self.weak, user=self.alice)
        self.answer_all(copy, self.alice, score=4)
        services.assessment_complete(assessment=copy, user=self.alice)
        response = self.page()
        rows = {row.name: row for row in response.context["portfolio"].heat_rows}
        self.assertEqual(rows["Zwak project"].overall.score, "100")
        self.assertNotContains(response, "Zwak project (1 minimumeis)")
        # The reopened copy carried the actions over; each is listed once.
        self.assertEqual(sorted(r.description for r in response.context["portfolio"].action_rows),
                         ["Afgeronde actie", "Lopende actie", "Verlopen actie"])

    def test_unmet_minimums_list(self):
        response = self.page()
        self.assertContains(response, "1 project voldoet in zijn laatste afgeronde beoordeling")
        self.assertContains(response, "Zwak project</a> (1 minimumeis)")

    def test_actions_across_projects_and_their_filters(self):
        def descriptions(query):
            presenter = self.page(query).context["portfolio"]
            return [row.description for row in presenter.action_rows]

        # Earliest date first, then by project.
        self.assertEqual(descriptions(""), ["Afgeronde actie", "Verlopen actie", "Lopende actie"])
        self.assertEqual(descriptions("?verlopen=on"), ["Verlopen actie"])
        self.assertEqual(descriptions("?actiestatus=niet-gereed"),
                         ["Verlopen actie", "Lopende actie"])
        self.assertEqual(descriptions("?actiestatus=gereed"), ["Afgeronde actie"])
        self.assertEqual(descriptions("?eigenaar=privacy"), ["Lopende actie"])
        self.assertEqual(descriptions("?perspectief=5"), ["Lopende actie"])
        self.assertEqual(descriptions("?perspectief=3&actiestatus=open"), ["Verlopen actie"])
        response = self.page()
        self.assertContains(response, "1 verbeteractie is over de uiterste datum")
        self.assertContains(response, '<span class="wv-tag">verlopen</span>', count=1)
        owners = {o["owner"]: (o["open"], o["overdue"]) for o in response.context["portfolio"].owners}
        self.assertEqual(owners, {"Projectleider": (1, 1), "Privacy officer": (1, 0)})

    def test_bad_action_filters_are_400_not_500(self):
        self.client.force_login(self.bob)
        for query in ("?perspectief=99", "?perspectief=x", "?actiestatus=zzz",
                      "?eigenaar=" + "x" * 300, "?kaart=-1&pagina=zz"):
            with self.subTest(query=query):
                response = self.client.get(PORTFOLIO + query)
                self.assertIn(response.status_code, (200, 400))
                self.assertContains(response, "Verbeteracties van alle projecten",
                                    status_code=response.status_code)
        self.assertEqual(self.client.get(PORTFOLIO + "?perspectief=99").status_code, 400)
        self.assertEqual(self.client.get(reverse("assessments:portfolio_actions_csv")
                                         + "?actiestatus=zzz").status_code, 400)

    def test_nothing_of_another_municipality_appears(self):
        for user, own, foreign in ((self.bob, "Zwak project", "Amersfoort"),
                                   (self.charlie, "Amersfoorts geheim", "project")):
            response = self.page(user=user)
            body = response.content.decode()
            self.assertIn(own, body)
            self.assertNotIn(foreign + "s geheim" if foreign == "Amersfoort" else "Zwak project",
                             body)
            self.assertNotIn("Amersfoortse actie" if user == self.bob else "Verlopen actie", body)
        self.assertEqual(self.page(user=self.charlie).context["portfolio"].assessed_count, 1)

    def test_query_count_is_constant_in_the_number_of_projects(self):
        self.maxDiff = None
        self.client.force_login(self.bob)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(PORTFOLIO + "?verlopen=on").status_code, 200)
            return len(queries)

        count()  # warm: the published content is read once per process
        before = count()
        for index in range(6):
            assessment = completed_assessment(self.utrecht, self.alice, f"Extra {index}",
                                              score=index % 5)
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=Perspective.objects.get(number=index + 1),
                                   description="Extra", owner=f"Eigenaar {index}")
        self.assertEqual(count(), before)


class PortfolioExportTests(PortfolioDataMixin, BaseTestCase):
    def download(self, url):
        self.client.force_login(self.bob)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment; filename="))
        self.assertEqual(response["Cache-Control"], "private, no-store")
        return response

    def rows(self, response):
        self.assertTrue(response.content.startswith(b"\xef\xbb\xbf"))  # BOM for Excel
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))

    def test_overview_csv_has_every_filtered_project(self):
        rows = self.rows(self.download(reverse("assessments:overview_csv")
                                       + "?status=afgerond&sort=-score"))
        self.assertEqual(rows[0][0], "Project")
        self.assertEqual([r[0] for r in rows[1:]],
                         ["Sterk project", "Middelmatig project", "Zwak project"])
        weak = rows[3]
        self.assertEqual(weak[4], "Aandacht nodig")
        self.assertEqual(weak[5], "1")
        self.assertNotIn("Amersfoorts geheim", str(rows))

    def test_actions_csv(self):
        rows = self.rows(self.download(reverse("assessments:portfolio_actions_csv")
                                       + "?verlopen=on"))
        self.assertEqual(rows[1][:4], ["Zwak project", rows[1][1], "Verlopen actie",
                                       "Projectleider"])
        self.assertEqual(rows[1][-1], "ja")
        self.assertEqual(len(rows), 2)

    def test_formula_injection_is_neutralised(self):
        for start in ("=", "+", "-", "@", "\t", "\r"):
            self.assertEqual(safe_cell(f"{start}HYPERLINK(1)"), f"'{start}HYPERLINK(1)")
        self.assertEqual(safe_cell("Gewoon"), "Gewoon")
        self.assertEqual(safe_cell(42), 42)
        completed_assessment(self.utrecht, self.alice, '=HYPERLINK("http://x.invalid","klik")')
        Action.objects.filter(pk=self.overdue.pk).update(owner="@SUM(A1)", description="-2+3")
        overview = self.download(reverse("assessments:overview_csv")).content.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", overview)
        self.assertNotIn(';=HYPERLINK', overview)
        self.assertFalse(any(line.startswith("=") for line in overview.splitlines()))
        actions = self.download(reverse("assessments:portfolio_actions_csv")).content.decode(
            "utf-8-sig")
        self.assertIn("'@SUM(A1)", actions)
        self.assertIn("'-2+3", actions)

    def test_one_page_pdf_with_its_facts_and_no_pdfua_findings(self):
        import pikepdf
        from pdfua import validate
        from pypdf import PdfReader

        response = self.download(reverse("assessments:portfolio_pdf"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        document = response.content
        with pikepdf.open(io.BytesIO(document)) as pdf:
            self.assertEqual(len(pdf.pages), 1)
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
        text = " ".join(text.split())
        for expected in ("Portfolio van Utrecht", "Beoordeling per perspectief",
                         "Projecten die een minimumeis missen", "Zwak project",
                         "Verlopen verbeteracties", "Verlopen actie", "Projectleider"):
            self.assertIn(expected, text)
        self.assertNotIn("Amersfoort", text)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(document)
            handle.flush()
            result = validate(handle.name)
        self.assertEqual([f"{f.rule_id} {f.severity.name}: {f.message}" for f in result.findings],
                         [])

    def test_pdf_stays_one_page_with_long_lists(self):
        import pikepdf

        for index in range(15):
            assessment = completed_assessment(self.utrecht, self.alice,
                                              f"Langere projectnaam nummer {index}", score=1,
                                              in_public_space=True, adjust=minimum_missed)
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=Perspective.objects.get(number=2),
                                   description="Een verlopen actie met een wat langere omschrijving",
                                   owner="Afdeling Informatievoorziening",
                                   due_date=date.today() - timedelta(days=index + 2))
        presenter = portfolio.PortfolioReportPresenter(self.bob.membership)
        document = portfolio.portfolio_pdf(presenter)
        with pikepdf.open(io.BytesIO(document)) as pdf:
            self.assertEqual(len(pdf.pages), 1)
        self.assertEqual(presenter.unmet_more, "En nog 8 andere.")
        # "Informatievoorziening" and "ontwikkeling" ran over the next column before.
        cells, problems = text_outside_boxes(portfolio.portfolio_html(presenter))
        self.assertTrue(any("Informatievoorziening" in cell for cell in cells), cells)
        self.assertEqual(problems, [])
