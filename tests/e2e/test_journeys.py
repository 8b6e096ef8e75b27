"""Journeys as a new user would go, in a real Chromium, with axe-core and the Nu Html Checker
on every page they see."""

import io
import re

from pypdf import PdfReader

from assessments.models import Answer, Assessment, Project, Status
from perspectives.models import Perspective, Question

from ..base import completed_assessment
from .conftest import PASSWORD


def log_in(page, site, username):
    page.goto(f"{site.url}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/gemeente/$"))


def log_out(page):
    page.click("header button:has-text('Uitloggen')")
    page.wait_for_url(re.compile(r"/$"))


def answer_all_questions(page, level="3"):
    """Choose the same score for every question on the step (clicking the labels)."""
    for group in page.locator("fieldset:has(input[name$='-answer'])").all():
        group.locator(f"input[name$='-answer'][value='{level}']").check()


def step_heading(page):
    return page.locator("#progress-label").inner_text()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def create_project_and_start(page, audit, name):
    page.click("text=Nieuw project")
    audit.check(page, "project-form")
    page.fill("#id_name", name)
    page.fill("#id_description", "Sensoren tellen fietsers op de Maliebaan.")
    page.check("#id_phase_1")
    page.check("#id_in_public_space")
    page.click("main button:has-text('Opslaan')")
    page.wait_for_selector(f"h1:has-text('{name}')")
    audit.check(page, "project-detail")
    page.click("text=Nieuwe beoordeling starten")
    page.wait_for_selector("text=Introductie: over het project")
    audit.check(page, "wizard-intro")


def test_editor_journey_with_javascript(browser, site, audit):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url + "/")
    audit.check(page, "perspectives")
    log_in(page, site, "alice")
    audit.check(page, "overview-empty")
    create_project_and_start(page, audit, "Fietstellers Maliebaan")
    page.click("text=Volgende")

    # Steps 1-5 (perspectives 1-5); the answers save in the background as they change.
    for step in range(1, 6):
        assert step_heading(page) == f"Stap {step + 1} van 12"
        answer_all_questions(page)
        first = page.locator("input[name$='-answer']").first.get_attribute("name")
        question_id = first.split("-")[0]
        page.wait_for_selector(f"#{question_id}-status[data-state='saved']")
        if step == 1:
            audit.check(page, "wizard-step")
        page.click("main button:has-text('Volgende')")
    assessment = Assessment.objects.get(project__name="Fietstellers Maliebaan")
    assert Answer.objects.filter(assessment=assessment).count() >= 15

    # Step 6: save and continue later, then log out and come back another day.
    answer_all_questions(page, "2")
    page.click("text=Opslaan en later verder")
    page.wait_for_selector("text=Uw antwoorden zijn opgeslagen")
    log_out(page)
    log_in(page, site, "alice")
    page.click("text=Fietstellers Maliebaan")
    page.click("text=Verder invullen")
    assert step_heading(page) == "Stap 7 van 12"
    assert page.locator("input[name$='-answer'][value='2']:checked").count() >= 3

    for _step in range(6, 11):
        answer_all_questions(page, "2")
        page.click("main button:has-text('Volgende')")
    assert step_heading(page) == "Stap 12 van 12"
    audit.check(page, "wizard-review")
    page.click("text=Beoordeling afronden")
    page.wait_for_selector("text=De beoordeling is afgerond.")
    assessment.refresh_from_db()
    assert assessment.status == Status.COMPLETED

    # The results: radar chart, table, advice, and the PDF.
    assert page.locator("svg[role=img] title").text_content() == "Radardiagram: score per perspectief"
    assert page.locator("svg[role=img] circle").count() == 10
    audit.check(page, "results")
    with page.expect_download() as download_info:
        page.click("text=Download rapport (PDF)")
    download = download_info.value
    assert re.fullmatch(r"waardevol-fietstellers-maliebaan-\d{4}-\d{2}-\d{2}\.pdf",
                        download.suggested_filename)
    text = pdf_text(open(download.path(), "rb").read())
    assert "Fietstellers Maliebaan" in text
    assert "Bestuurlijke samenvatting" in text
    assert f"{assessment.overall_score} van de 100" in text

    # Add an improvement action.
    page.select_option("#id_perspective", label=str(Perspective.objects.get(number=4)))
    page.fill("#id_description", "Informatiebord plaatsen bij de sensoren")
    page.fill("#id_owner", "Projectleider")
    page.fill("#id_due_date", "2027-03-01")
    page.click("main button:has-text('Actie toevoegen')")
    page.wait_for_selector("td:has-text('Informatiebord plaatsen bij de sensoren')")
    audit.check(page, "results-with-action")

    # The same pages in English.
    page.click("header button[value=en]")
    page.wait_for_selector("html[lang=en]")
    audit.check(page, "results-en")
    page.goto(f"{site.url}/gemeente/")
    audit.check(page, "overview-en")
    page.goto(f"{site.url}/")
    audit.check(page, "perspectives-en")
    context.close()
    audit.assert_clean()


def test_editor_journey_without_javascript(browser, site, audit):
    audit.without_javascript(browser)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, site, "alice")
    create_project_and_start(page, audit, "Chatbot zonder JS")
    page.click("text=Volgende")
    for step in range(1, 11):
        assert step_heading(page) == f"Stap {step + 1} van 12"
        answer_all_questions(page, "4" if step % 2 else "1")
        if step == 3:
            # An error: n.v.t. without a reason. Nothing typed is lost.
            question = page.locator("input[name$='-answer']").first.get_attribute("name")
            prefix = question.removesuffix("-answer")
            page.check(f"input[name='{prefix}-answer'][value='na']")
            page.fill(f"#id_{prefix}-note", "Mijn toelichting blijft staan")
            page.click("main button:has-text('Volgende')")
            assert page.locator("#error-summary").is_visible()
            assert page.input_value(f"#id_{prefix}-note") == "Mijn toelichting blijft staan"
            audit.check(page, "wizard-step-error")
            page.fill(f"#id_{prefix}-reason", "Geen living lab")
        page.click("main button:has-text('Volgende')")
    page.click("text=Beoordeling afronden")
    page.wait_for_selector("text=De beoordeling is afgerond.")
    assessment = Assessment.objects.get(project__name="Chatbot zonder JS")
    assert assessment.status == Status.COMPLETED
    assert Answer.objects.filter(assessment=assessment, kind="na",
                                 na_reason="Geen living lab").count() == 1
    assert page.locator("svg[role=img] circle").count() == 10
    context.close()
    audit.assert_clean()


def test_reader_can_read_and_download_but_not_edit(browser, site, audit):
    assessment = completed_assessment(site.municipality, site.users["alice"],
                                      "Slimme lantaarnpalen")

    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "bob")
    audit.check(page, "overview-reader")
    assert page.locator("text=Nieuw project").count() == 0
    page.click("text=Slimme lantaarnpalen")
    assert page.locator("text=Nieuwe beoordeling starten").count() == 0
    page.click("text=Resultaat")
    assert page.locator("text=Verbeteractie toevoegen").count() == 0
    assert page.locator("text=Heropenen").count() == 0
    audit.check(page, "results-reader")
    with page.expect_download() as download_info:
        page.click("text=Download rapport (PDF)")
    assert "Slimme lantaarnpalen" in pdf_text(open(download_info.value.path(), "rb").read())
    response = page.goto(f"{site.url}/gemeente/beoordelingen/{assessment.pk}/stap/1/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Geen toegang"
    audit.check(page, "forbidden")
    response = page.goto(f"{site.url}/gemeente/projecten/999999/")
    assert response.status == 404
    audit.check(page, "not-found")
    context.close()
    audit.assert_clean()


def test_vng_editor_changes_content_but_not_completed_reports(browser, site, audit):
    from assessments import report

    assessment = completed_assessment(site.municipality, site.users["alice"], "Afgerond project")
    before = pdf_text(report.render_report_pdf(assessment))

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/beheer/")
    page.fill("#id_username", "vng")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Perspectieven", exact=True).first.click()
    page.click("a:has-text('Verhelder nut en grenzen')")
    page.fill("#id_title_nl", "Verhelder nut en grenzen – herzien door de VNG")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    page.goto(f"{site.url}/")
    assert page.locator("#perspectief-1 h3").inner_text() == (
        "1. Verhelder nut en grenzen – herzien door de VNG")
    audit.check(page, "perspectives-after-edit")
    after = pdf_text(report.render_report_pdf(Assessment.objects.get(pk=assessment.pk)))
    assert after == before
    assert "herzien door de VNG" not in after
    context.close()
    audit.assert_clean()


def test_two_colleagues_editing_the_same_answer_see_the_conflict(browser, site):
    from assessments import services

    project = services.project_create(municipality=site.municipality, owner=site.users["alice"],
                                      name="Samen invullen")
    assessment = services.assessment_start(project=project, user=site.users["alice"],
                                           language="nl")
    question = Question.objects.get(code="2.1")
    url = f"{site.url}/gemeente/beoordelingen/{assessment.pk}/stap/2/"
    pages = {}
    for name in ("alice", "dave"):
        context = browser.new_context()
        pages[name] = context.new_page()
        log_in(pages[name], site, name)
        pages[name].goto(url)
    alice, dave = pages["alice"], pages["dave"]
    alice.check(f"input[name='q{question.pk}-answer'][value='4']")
    alice.wait_for_selector(f"#q{question.pk}-status[data-state='saved']")
    dave.check(f"input[name='q{question.pk}-answer'][value='1']")
    dave.wait_for_selector(f"#q{question.pk}-status[data-state='conflict']")
    assert Answer.objects.get(assessment=assessment, question=question).score == 4
    dave.click("main button:has-text('Volgende')")
    assert dave.locator("text=Antwoord van uw collega").is_visible()
    dave.check(f"input[name='q{question.pk}-resolve'][value='mine']")
    dave.click("main button:has-text('Volgende')")
    dave.wait_for_selector("text=Stap 4 van 12")
    answer = Answer.objects.get(assessment=assessment, question=question)
    assert (answer.score, answer.updated_by.username) == (1, "dave")


def test_keyboard_only_questionnaire(browser, site, audit):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "utrecht-skip-link"
    page.goto(f"{site.url}/account/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gemeente/$"))
    project = Project.objects.create(municipality=site.municipality, owner=site.users["alice"],
                                     name="Toetsenbordproject")
    assessment = Assessment.objects.create(project=project, started_by=site.users["alice"])
    page.goto(f"{site.url}/gemeente/beoordelingen/{assessment.pk}/stap/0/")

    def tab_to(predicate_js, limit=200):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate_js):
                outline = page.evaluate(
                    "getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", "focus is not visible"
                return
        raise AssertionError(f"never reached {predicate_js}")

    next_button = "document.activeElement.value === 'next'"
    tab_to(next_button)
    page.keyboard.press("Enter")
    for step in range(1, 11):
        page.wait_for_selector(f"text=Stap {step + 1} van 12")
        groups = page.locator("fieldset:has(input[name$='-answer'])").count()
        for _ in range(groups):
            tab_to("document.activeElement.type === 'radio' && "
                   "document.activeElement.name.endsWith('-answer') && "
                   "!document.activeElement.checked")
            page.keyboard.press("ArrowRight")  # moves to and selects score 1
            page.keyboard.press("ArrowRight")  # score 2
            page.keyboard.press("Space")
        if step == 2:
            # n.v.t. without a reason: the error summary takes the focus.
            tab_to("document.activeElement.name && document.activeElement.name.endsWith('-note')")
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowUp")  # wraps round from 0 to n.v.t.
            tab_to(next_button)
            page.keyboard.press("Enter")
            page.wait_for_selector("#error-summary")
            assert page.evaluate("document.activeElement.id") == "error-summary"
            audit.check(page, "keyboard-error")
            tab_to("document.activeElement.tagName === 'A'")
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.name").endswith("-reason")
            page.keyboard.type("Geen toepassing in dit project")
        tab_to(next_button)
        page.keyboard.press("Enter")
    page.wait_for_selector("text=Stap 12 van 12")
    tab_to("document.activeElement.textContent.trim() === 'Beoordeling afronden'")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=De beoordeling is afgerond.")
    assessment.refresh_from_db()
    assert assessment.status == Status.COMPLETED
    assert Answer.objects.filter(assessment=assessment, kind="na").count() == 1
    context.close()
    audit.assert_clean()


def test_the_audit_itself_catches_problems(browser, site, tmp_path):
    """The checks above can fail: a page with known problems is reported."""
    from .conftest import PageAudit, validate_html

    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    audit = PageAudit()
    results = audit.axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a"]}})
    assert results.violations_count >= 2  # image-alt, label
    errors = validate_html({"broken": "<!DOCTYPE html><html><body><p><div></p></body></html>"})
    assert errors, "the Nu Html Checker found nothing in invalid HTML"
    context.close()
