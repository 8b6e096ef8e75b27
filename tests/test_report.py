"""The PDF advice report: content, accessibility tags, safety against hostile text, access, cache."""

import gc
import io
import re
import shutil
import subprocess
import tempfile
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from pypdf import PdfReader

from assessments import pdf, report, services
from assessments.models import Answer, AnswerKind, Assessment
from perspectives.models import Advice, Perspective, Question
from perspectives.selectors import content_changed
from perspectives.services import content_publish

from .base import BaseTestCase, completed_assessment, set_answer, text_outside_boxes

LOCMEM = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
          for alias in ("default", "limits")}


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


class ReportTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()

    def completed_assessment(self, name="Slimme lantaarnpalen", **options):
        return completed_assessment(self.utrecht, self.alice, name, **options)


@override_settings(CACHES=LOCMEM)
class ReportContentTests(ReportTestCase):
    def test_pdf_contains_project_titles_scores_answers_advice_and_actions(self):
        question = Question.objects.get(code="2.1")
        assessment = self.completed_assessment(
            in_public_space=True,
            adjust=lambda a: Answer.objects.filter(assessment=a, question=question).update(
                score=0, note="Besproken in de stuurgroep"),
        )
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=7),
                               description="DPIA laten uitvoeren", owner="Privacy officer")
        with self.assertNoLogs("weasyprint", level="ERROR"):
            pdf = report.render_report_pdf(assessment)
        text = pdf_text(pdf)
        self.assertIn("Slimme lantaarnpalen", text)
        self.assertIn("Bestuurlijke samenvatting", text)
        for perspective in Perspective.objects.all():
            self.assertIn(" ".join(perspective.title_nl.split()), text)
        self.assertIn("Besproken in de stuurgroep", text)
        # Answer labels, not just numbers (first words: the PDF wraps long labels).
        self.assertIn(f"0 – {' '.join(question.scale_0_nl.split()[:4])}", text)
        self.assertIn(f"3 – {' '.join(Question.objects.get(code='1.1').scale_3_nl.split()[:4])}", text)
        self.assertIn("DPIA laten uitvoeren", text)
        self.assertIn("Privacy officer", text)
        self.assertIn(f"Het project scoort {assessment.overall_score} van de 100", text)
        # All questions at 3 -> 75 "op orde", so the op_orde advice of perspective 1 is there.
        advice = Advice.objects.get(perspective__number=1, band="op_orde").text_nl
        self.assertIn(" ".join(advice.split()[:8]), text)
        wrong = Advice.objects.get(perspective__number=1, band="aandacht").text_nl
        self.assertNotIn(" ".join(wrong.split()[:8]), text)
        self.assertIn("pagina 1 van", text)
        self.assertIn("Rathenau Instituut", text)

    def test_pdf_is_tagged_with_language_and_title_and_passes_qpdf(self):
        assessment = self.completed_assessment()
        pdf = report.render_report_pdf(assessment)
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        self.assertIn("/StructTreeRoot", root)
        self.assertEqual(root["/Lang"], "nl")
        self.assertTrue(root["/MarkInfo"]["/Marked"])
        self.assertEqual(reader.metadata.title, "Adviesrapport Slimme lantaarnpalen")
        self.assertNotIn("/EmbeddedFiles", root.get("/Names", {}))
        if shutil.which("qpdf") is None:
            self.fail("qpdf is not installed (.ci/run installs it)")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            result = subprocess.run(["qpdf", "--check", handle.name], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_radar_has_a_text_alternative_and_tables_have_headers(self):
        assessment = self.completed_assessment()
        html = report.report_html(report.ReportPresenter.for_assessment(assessment))
        self.assertIn('alt="Radardiagram van de score per perspectief', html)
        self.assertIn('<th scope="col">Proces en perspectief</th>', html)
        self.assertEqual(html.count('<img class="bar" src="data:image/svg+xml;base64,'), 5)
        self.assertNotIn('alt=""', html)
        headings = [int(level) for level in __import__("re").findall(r"<h([1-6])", html)]
        self.assertEqual(headings[0], 1)
        for previous, current in zip(headings, headings[1:], strict=False):
            self.assertLessEqual(current, previous + 1, "heading levels skip")

    def test_radar_text_prints_at_a_readable_size(self):
        """The radar is scaled down to the summary's side column: its ring values printed at
        3.4 pt, too small to read on paper. Every text in it is now at least 5 pt."""
        presenter = report.ReportPresenter.for_assessment(self.completed_assessment())
        svg = str(presenter.radar_svg)
        css = (settings.BASE_DIR / "static/css/print.css").read_text()
        printed_mm = float(re.search(r"\.radar \{ width: ([\d.]+)mm", css).group(1))
        view_width = float(re.search(r'viewBox="\S+ \S+ ([\d.]+) ', svg).group(1))
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
        self.assertGreaterEqual(len(sizes), 14)  # ten axis numbers, four ring values
        smallest_pt = min(sizes) * printed_mm / view_width / 25.4 * 72
        self.assertGreaterEqual(smallest_pt, 5)

    def test_concept_with_every_kind_of_answer_and_no_actions_renders(self):
        project = self.make_project(self.utrecht, self.alice, name="Concept project")
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        values = [
            services.AnswerValues(AnswerKind.NOT_APPLICABLE, na_reason="Geen sensoren"),
            services.AnswerValues(AnswerKind.UNKNOWN),
            services.AnswerValues(AnswerKind.SCORE, score=2, note="x" * 2000),
            services.AnswerValues(AnswerKind.SCORE, score=4, note=""),
        ]
        for question, value in zip(Question.objects.filter(perspective__number__lte=2), values * 3,
                                   strict=False):
            services.answer_save(assessment=assessment, question=question, user=self.alice,
                                 values=value, base_version=0)
        with self.assertNoLogs("weasyprint", level="ERROR"):
            pdf = report.render_report_pdf(assessment)
        text = pdf_text(pdf)
        self.assertIn("CONCEPT", text)
        self.assertIn("Weet ik niet", text)
        self.assertIn("Niet van toepassing: Geen sensoren", text)
        self.assertIn("Niet beantwoord", text)
        self.assertIn("Er zijn nog geen verbeteracties vastgelegd.", text)

    def test_pdfua_checker_finds_no_error_and_no_warning(self):
        """The `pdfua` package checks the machine-checkable subset of PDF/UA-1 independently of
        WeasyPrint: header cells with /Scope, tables whose rows survive a page break."""
        from pdfua import validate

        assessment = self.completed_assessment(
            in_public_space=True, processes_personal_data=True,
            adjust=lambda a: (set_answer(a, "1.4", 0),
                              Answer.objects.filter(assessment=a).update(note="Toelichting " * 30)))
        for number in (1, 7, 10):
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=Perspective.objects.get(number=number),
                                   description=f"Actie bij perspectief {number}", owner="X")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(report.render_report_pdf(assessment))
            handle.flush()
            result = validate(handle.name)
        findings = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in result.findings]
        self.assertEqual(findings, [])
        self.assertGreaterEqual(len(result.outcomes) - len(result.skipped), 10)

    def test_every_table_header_cell_has_a_scope(self):
        import pikepdf

        with pikepdf.open(io.BytesIO(report.render_report_pdf(self.completed_assessment()))) as doc:
            scopes = {"/THead": set(), "/TBody": set()}
            stack = [(doc.Root.StructTreeRoot, None)]
            while stack:
                element, section = stack.pop()
                kind = str(element.get("/S", ""))
                section = kind if kind in scopes else section
                if kind == "/TH":
                    scopes[section].add(str(element.A.get("/Scope")))
                kids = element.get("/K")
                kids = [kids] if isinstance(kids, pikepdf.Dictionary) else kids
                if isinstance(kids, pikepdf.Array):
                    stack += [(k, section) for k in kids
                              if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        self.assertEqual(scopes, {"/THead": {"/Column"}, "/TBody": {"/Row"}})

    def test_an_emoji_in_a_name_prints_in_the_fallback_font(self):
        import pikepdf

        assessment = self.completed_assessment(name="Fietstellers 🚲 ’s-Hertogenbosch")
        document = report.render_report_pdf(assessment)
        with pikepdf.open(io.BytesIO(document)) as doc:
            fonts = {str(font.get("/BaseFont")) for page in doc.pages
                     for font in page.Resources.get("/Font", {}).values()}
        self.assertTrue(any("Symbola" in font for font in fonts), fonts)
        self.assertTrue(any("DejaVu" in font for font in fonts), fonts)
        cover = PdfReader(io.BytesIO(document)).pages[0].extract_text()
        self.assertIn("🚲", cover)
        # The cover's title does not break after ’s-: a non-breaking hyphen.
        self.assertIn("’s\u2011Hertogenbosch", cover)

    def test_cover_names_the_content_publication_by_number_and_date(self):
        from assessments.labels import date_label
        from perspectives.models import ContentRevision

        assessment = self.completed_assessment()
        publication = ContentRevision.objects.get(pk=assessment.content_id)
        self.assertIsNotNone(publication.number)
        expected = f"publicatie {publication.number} van {date_label(publication.published_at)}"
        cover = PdfReader(io.BytesIO(report.render_report_pdf(assessment))).pages[0].extract_text()
        self.assertIn(expected, " ".join(cover.split()))
        self.assertNotIn(publication.revision, cover)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("assessments:results", args=[assessment.pk])),
                            expected)

    def test_summary_is_one_page_with_minimums_instruments_and_dutch_dates(self):
        assessment = self.completed_assessment(
            processes_personal_data=True, adjust=lambda a: set_answer(a, "1.4", 0))
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=7),
                               description="DPIA laten uitvoeren", owner="Privacy officer",
                               due_date=date(2027, 3, 1))
        pages = [" ".join((page.extract_text() or "").split())
                 for page in PdfReader(io.BytesIO(report.render_report_pdf(assessment))).pages]
        summary = pages[1]
        self.assertIn("Bestuurlijke samenvatting", summary)
        self.assertIn("Niet voldaan aan een minimumeis", summary)
        self.assertIn("1.4 Rechtmatige en noodzakelijke verwerking", summary)
        self.assertIn("Vervolginstrumenten", summary)
        self.assertIn("De eerstvolgende uiterste datum is 1 maart 2027", summary)
        self.assertIn("Hier is de meeste aandacht nodig", summary)
        self.assertTrue(pages[2].startswith("Waarderen Score van dit proces"), pages[2][:200])
        plan = next(page for page in pages if "Alle verbeteracties" in page)
        self.assertIn("7. Heb oog voor de risico’s", plan)
        self.assertIn("1 maart 2027", plan)
        self.assertNotIn("Mrt", " ".join(pages))
        self.assertNotIn("Balk", " ".join(pages))

    def test_summary_with_six_unmet_minimums_stays_one_page(self):
        """Six unmet minimums, each with its basis and what to do, pushed the summary onto a
        second page holding a few lines; what to do now follows on the next page."""
        everything = dict(is_experiment=True, in_public_space=True, processes_personal_data=True,
                          uses_impactful_algorithm=True, uses_ai=True,
                          citizens_participate=True, citizens_affected=True,
                          involves_partners=True, has_public_channel=True)
        assessment = self.completed_assessment(score=1, **everything)
        presenter = report.ReportPresenter.for_assessment(assessment)
        self.assertGreaterEqual(len(presenter.unmet_minimums), 6)
        # A line the PDF wraps after a hyphen ("AI-/systeem") reads back as "AI- systeem".
        pages = [re.sub(r"-\s+", "-", " ".join((page.extract_text() or "").split()))
                 for page in PdfReader(io.BytesIO(report.render_report_pdf(assessment))).pages]
        summary, after = pages[1], pages[2]
        self.assertIn("Bestuurlijke samenvatting", summary)
        self.assertIn("Hier is de meeste aandacht nodig", summary)
        self.assertIn("staat direct na deze samenvatting", summary)
        self.assertTrue(after.startswith("Minimumeisen: wat te doen"), after[:100])
        for minimum in presenter.unmet_minimums:
            with self.subTest(code=minimum.code):
                self.assertIn(f"{minimum.code} {minimum.short_name}", summary)
                self.assertNotIn(" ".join(minimum.action.split()[:8]), summary)
                self.assertIn(" ".join(minimum.action.split()[:8]), after)
        # The perspectives flow on below it, not from a page of their own.
        self.assertIn("Waarderen Score van dit proces", after)

    def test_an_attention_item_whose_only_step_is_a_minimum_points_to_it(self):
        """The summary names unmet minimums first and does not repeat their steps; a perspective
        whose only step was one ended in its score, as if cut off."""
        assessment = self.completed_assessment(
            score=4, processes_personal_data=True, adjust=lambda a: set_answer(a, "1.4", 0))
        presenter = report.ReportPresenter.for_assessment(assessment)
        rows = {item.number: (steps, pointer)
                for item, steps, pointer in presenter.summary_attention}
        self.assertEqual(rows[1], ([], "eerst de minimumeis hierboven (1.4)."))
        pages = [" ".join((page.extract_text() or "").split())
                 for page in PdfReader(io.BytesIO(report.render_report_pdf(assessment))).pages]
        self.assertIn("– aandacht nodig): eerst de minimumeis hierboven (1.4).", pages[1])

    def test_no_text_runs_outside_its_cell_or_column(self):
        """Fixed-layout tables take their widths from the stylesheet, and a word longer than its
        column used to run into the next one ("Projectleider" over the date, "2026" over the
        status); in the summary's narrow column "(gegevensbeschermingseffectbeoordeling)" ran
        into the score table, and a long web address in a note off the paper."""
        address = "https://www.voorbeeldgemeente.nl/" + "documenten/" * 12 + "dpia.pdf"
        assessment = self.completed_assessment(
            processes_personal_data=True,
            adjust=lambda a: (set_answer(a, "7.4", 0),  # the DPIA in the summary's column
                              Answer.objects.filter(assessment=a, question__code="1.4").update(
                                  note=f"Zie {address}")))
        for owner, due in (("Projectleider openbare ruimte", date(2027, 9, 23)),
                           ("Informatiebeveiligingsfunctionaris", date(2027, 12, 30))):
            services.action_create(assessment=assessment, user=self.alice, owner=owner,
                                   perspective=Perspective.objects.get(number=7),
                                   description="Verwerkersovereenkomst-controlewerkzaamheden",
                                   due_date=due)
        cells, problems = text_outside_boxes(
            report.report_html(report.ReportPresenter.for_assessment(assessment)))
        self.assertGreater(len(cells), 40)  # the score, comparison and action tables
        self.assertIn("Informatiebeveiligingsfunctionaris", "".join(cells))
        self.assertEqual(problems, [])
        text = pdf_text(report.render_report_pdf(assessment))
        self.assertRegex(text, "DPIA \\(gegevensbe\u2010\\s+schermingseffectbeoordeling\\)")
        self.assertIn("documenten/documenten", text)

    def test_english_assessment_gives_an_english_report(self):
        assessment = self.completed_assessment(language="en")
        text = pdf_text(report.render_report_pdf(assessment))
        self.assertIn("Executive summary", text)
        self.assertIn(" ".join(Perspective.objects.get(number=3).title_en.split()), text)
        root = PdfReader(io.BytesIO(report.render_report_pdf(assessment))).trailer["/Root"]
        self.assertEqual(root["/Lang"], "en")

    def test_completed_report_stays_the_same_after_content_edits(self):
        assessment = self.completed_assessment()
        before = pdf_text(report.render_report_pdf(assessment))
        perspective = Perspective.objects.get(number=5)
        perspective.title_nl = "Een heel andere titel"
        perspective.save()
        Advice.objects.filter(perspective__number=1).update(text_nl="Nieuw advies van de VNG.")
        Question.objects.filter(code="1.1").update(text_nl="Een herschreven vraag?")
        content_changed()
        content_publish(user=None, note="Nieuwe teksten")
        after = pdf_text(report.render_report_pdf(Assessment.objects.get(pk=assessment.pk)))
        self.assertEqual(before, after)
        self.assertNotIn("Een heel andere titel", after)

    def test_render_report_command_writes_the_pdf(self):
        assessment = self.completed_assessment()
        with tempfile.TemporaryDirectory() as directory:
            target = f"{directory}/report.pdf"
            call_command("render_report", assessment.pk, output=target, stdout=io.StringIO())
            with open(target, "rb") as handle:
                self.assertIn("Slimme lantaarnpalen", pdf_text(handle.read()))


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"root:x:0:0:leaked")

    def log_message(self, *args):
        pass


@override_settings(CACHES=LOCMEM)
class HostileContentTests(ReportTestCase):
    def setUp(self):
        super().setUp()
        _Recorder.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_hostile_names_notes_and_admin_content_are_harmless(self):
        listener = f"http://127.0.0.1:{self.port}"
        payloads = [
            '<img src="file:///etc/passwd">',
            '<link rel="attachment" href="file:///etc/passwd">',
            f"<style>@font-face {{ font-family: x; src: url({listener}/font.woff) }}</style>",
            f'<div style="background: url({listener}/bg.png)">x</div>',
            f'<img src="{listener}/pixel.png">',
        ]
        hostile = " ".join(payloads)
        project = self.make_project(self.utrecht, self.alice,
                                    name="<script>alert('naam')</script> Project")
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        self.answer_all(assessment, self.alice, score=1)
        Answer.objects.filter(assessment=assessment).update(note=hostile[:2000])
        Advice.objects.all().update(text_nl=hostile + f"\n\n![x]({listener}/md.png)")
        Perspective.objects.filter(number=2).update(
            title_nl=f"<style>* {{ background: url({listener}/t) }}</style>Titel")
        content_changed()
        content_publish(user=None, note="Vijandige inhoud")
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=1),
                               description='<link rel="attachment" href="file:///etc/passwd">',
                               owner="<b>eigenaar</b>")
        with self.assertNoLogs("weasyprint", level="ERROR"):
            pdf = report.render_report_pdf(assessment)
        self.assertEqual(_Recorder.requests, [])
        reader = PdfReader(io.BytesIO(pdf))
        self.assertNotIn("/EmbeddedFiles", reader.trailer["/Root"].get("/Names", {}))
        self.assertNotIn(b"/EmbeddedFile", pdf)
        text = pdf_text(pdf)
        self.assertNotIn("root:x:0:0", text)
        self.assertIn("<script>alert('naam')</script> Project", text)  # shown as text, not markup
        self.assertIn('<link rel="attachment"', text)
        self.assertIn("Titel", text)  # the hostile perspective title is there, as text
        html = report.report_html(report.ReportPresenter.for_assessment(assessment))
        self.assertNotIn("<script>alert", html)
        self.assertNotIn('<img src="file:', html)
        self.assertNotIn(f"url({listener}", html.replace("&#x27;", "'").split("</head>")[0])
        self.assertNotIn("<style>*", html)

    def test_the_fetcher_serves_only_our_static_files(self):
        fetcher = pdf.static_files_fetcher()
        response = fetcher.fetch(pdf.STATIC_PREFIX + "css/print.css")
        self.assertIn(b"@page", response.read())
        self.assertEqual(fetcher.fetch("data:text/plain,hallo").read(), b"hallo")
        refused = [
            "file:///etc/passwd",
            f"http://127.0.0.1:{self.port}/x.png",
            f"https://127.0.0.1:{self.port}/x.png",
            pdf.STATIC_PREFIX + "../../../../etc/passwd",
            pdf.STATIC_PREFIX + "css/../../manage.py",
            pdf.STATIC_PREFIX + "%2e%2e/%2e%2e/manage.py",
            "https://waardevol.invalid/admin/",
            "https://example.org/static/css/print.css",
        ]
        for url in refused:
            with self.subTest(url=url), self.assertRaises(ValueError):
                fetcher.fetch(url)
        self.assertEqual(_Recorder.requests, [])


@override_settings(CACHES=LOCMEM)
class ReportDownloadTests(ReportTestCase):
    def test_members_download_with_a_descriptive_file_name(self):
        assessment = self.completed_assessment(name="Chatbot Burgerzaken")
        url = reverse("assessments:report_pdf", args=[assessment.pk])
        for user in (self.alice, self.bob):
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], "application/pdf")
            date = assessment.completed_at.astimezone().strftime("%Y-%m-%d")
            self.assertIn(f'filename="waardevol-chatbot-burgerzaken-{date}.pdf"',
                          response["Content-Disposition"])
            self.assertTrue(response.getvalue().startswith(b"%PDF"))
            self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_other_municipality_gets_404_and_anonymous_goes_to_login(self):
        assessment = self.completed_assessment()
        url = reverse("assessments:report_pdf", args=[assessment.pk])
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.vng)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/account/login/"))

    def test_results_page_links_the_report(self):
        assessment = self.completed_assessment()
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:results", args=[assessment.pk]))
        self.assertContains(response, reverse("assessments:report_pdf", args=[assessment.pk]))
        self.assertContains(response, "Download rapport (PDF)")

    def test_reports_are_rendered_again_only_when_what_they_show_changed(self):
        assessment = self.completed_assessment()
        url = reverse("assessments:report_pdf", args=[assessment.pk])
        self.client.force_login(self.bob)
        with mock.patch("assessments.pdf.html_to_pdf",
                        wraps=pdf.html_to_pdf) as render:
            first = self.client.get(url).getvalue()
            second = self.client.get(url).getvalue()
            self.assertEqual(render.call_count, 1)
            self.assertEqual(first, second)
            # A new action changes what the report says: a new render.
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=Perspective.objects.get(number=3),
                                   description="Nieuwe actie", owner="X")
            self.client.get(url)
            self.assertEqual(render.call_count, 2)

            # So does a new name of the person who completed it.
            self.alice.last_name = "Jansen"
            self.alice.save()
            self.client.get(url)
            self.assertEqual(render.call_count, 3)

            concept = services.assessment_start(project=assessment.project, user=self.alice,
                                                language="nl")
            concept_url = reverse("assessments:report_pdf", args=[concept.pk])
            self.client.get(concept_url)
            self.client.get(concept_url)
            self.assertEqual(render.call_count, 4)  # an unchanged concept is rendered once

    def test_html_preview_is_for_staff_members_only(self):
        assessment = self.completed_assessment()
        url = reverse("assessments:report_preview", args=[assessment.pk])
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.alice.is_staff = True
        self.alice.save()
        self.client.force_login(self.alice)  # as staff now, with the second factor staff need
        response = self.client.get(url)
        self.assertContains(response, "Bestuurlijke samenvatting")
        # The inline @page rule carries the nonce the CSP header allows, so the browser applies it.
        nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
        self.assertIn(f"'nonce-{nonce}'", response["Content-Security-Policy"])
        self.client.force_login(self.vng)  # staff, but not of this municipality
        self.assertEqual(self.client.get(url).status_code, 404)


class CollectorPauseTests(SimpleTestCase):
    """Renders pause Python's cyclic garbage collector (see `pdf._CollectorPause`) and always
    switch it back on: a collector left off would let every later request's cycles pile up."""

    def tearDown(self):
        gc.enable()

    def test_a_render_runs_with_the_collector_off_and_switches_it_back_on(self):
        during = []

        def finisher(document, written):
            during.append(gc.isenabled())
            pdf_finisher(document, written)

        pdf_finisher = pdf.add_table_header_scopes
        with mock.patch.object(pdf, "add_table_header_scopes", finisher):
            document = pdf.html_to_pdf("<html lang='nl'><title>t</title><p>Hallo</p></html>")
        self.assertTrue(document.startswith(b"%PDF"))
        self.assertEqual(during, [False])
        self.assertTrue(gc.isenabled())

    def test_the_last_of_overlapping_renders_switches_it_back_on(self):
        pause = pdf._CollectorPause()
        with pause:
            with pause:  # a second thread's render, begun while the first one runs
                self.assertFalse(gc.isenabled())
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_a_failed_render_switches_it_back_on(self):
        with mock.patch.object(pdf, "laid_out", side_effect=RuntimeError("broken")):
            with self.assertRaises(RuntimeError):
                pdf.html_to_pdf("<p>x</p>")
        self.assertTrue(gc.isenabled())

    def test_a_collector_that_was_off_stays_off(self):
        gc.disable()
        with pdf._CollectorPause():
            pass
        self.assertFalse(gc.isenabled())
