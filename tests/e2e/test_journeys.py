"""Journeys as a new user would go, in a real Chromium, with axe-core and the Nu Html Checker
on every page they see."""

import io
import re
from base64 import b32decode

from django_otp.oath import totp
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

    # Add an improvement action beside perspective 4's advice: the form pre-selects it, and an
    # error shows on that page with the focus on the summary.
    perspective = Perspective.objects.get(number=4)
    page.click("#perspectief-4 summary")
    page.click("#perspectief-4 a.wv-add-action")
    assert page.locator("#id_perspective").input_value() == str(perspective.pk)
    page.click("main button:has-text('Actie toevoegen')")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    audit.check(page, "action-form-error")
    page.fill("#id_description", "Informatiebord plaatsen bij de sensoren")
    page.fill("#id_owner", "Projectleider")
    page.fill("#id_due_date", "2027-03-01")
    page.click("main button:has-text('Actie toevoegen')")
    actions = "section[aria-labelledby=acties]"
    page.wait_for_selector(f"{actions} th:has-text('Informatiebord plaatsen bij de sensoren')")
    assert "4. " in page.locator(f"{actions} tbody td").first.inner_text()
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
    page.click(".wv-lead-score a")
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
    """The editor changes the draft, previews it, publishes it with a note: only then do users
    see it, and a completed report never changes."""
    from assessments import report

    assessment = completed_assessment(site.municipality, site.users["alice"], "Afgerond project")
    before = pdf_text(report.render_report_pdf(assessment))
    new_title = "Verhelder nut en grenzen – herzien door de VNG"

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/beheer/")
    page.fill("#id_username", "vng")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    # Staff set up a second factor before anything else: the authenticator app is played by
    # django-otp's own TOTP with the secret the page shows for typing.
    page.wait_for_url("**/tweestapsverificatie/instellen/**")
    audit.check(page, "two-factor-setup")
    secret = page.locator(".wv-secret").inner_text().replace(" ", "")
    page.fill("#id_code", f"{totp(b32decode(secret)):06d}")
    page.click("button:has-text('Instellen')")
    page.wait_for_selector(".wv-recovery-codes")
    assert page.locator(".wv-recovery-codes li").count() == 10
    audit.check(page, "two-factor-recovery-codes")
    page.click("a:has-text('Verder')")
    page.get_by_role("link", name="Perspectieven", exact=True).first.click()
    audit.check_admin(page, "admin-changelist")
    page.click("a:has-text('Verhelder nut en grenzen')")
    audit.check_admin(page, "admin-perspective")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.fill("#id_title_nl", new_title)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.click("a.historylink")
    audit.check_admin(page, "admin-history")
    assert "Titel [nl]" in page.locator("#change-history").inner_text()
    page.go_back()
    page.click("table.wv-admin-questions a:has-text('1.1')")
    page.wait_for_selector("#question_form")
    audit.check_admin(page, "admin-question")

    page.goto(f"{site.url}/")
    assert page.locator("#perspectief-1-titel").inner_text() != f"1. {new_title}"  # a draft still

    page.goto(f"{site.url}/beheer/perspectives/publication/")
    audit.check_admin(page, "admin-publications")
    page.click("text=Voorbeeld van de conceptinhoud")
    assert page.locator("#perspectief-1-titel").inner_text() == f"1. {new_title}"
    audit.check(page, "admin-preview")
    page.click("text=Naar publiceren")
    assert "Perspectief 1: gewijzigd" in page.locator("main").inner_text()
    audit.check_admin(page, "admin-publish")
    page.fill("#id_note", "Titel van perspectief 1 herzien")
    page.click("input[value=Publiceren]")
    page.wait_for_selector(".messagelist")
    assert "Titel van perspectief 1 herzien" in page.locator("#result_list").inner_text()

    page.goto(f"{site.url}/")
    assert page.locator("#perspectief-1-titel").inner_text() == f"1. {new_title}"
    audit.check(page, "perspectives-after-publishing")
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
            # The reason field is hidden until n.v.t. is chosen: back from the note is the group.
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("document.activeElement.type") == "radio"
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


def focus_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_answer_layout_errors_and_resume(browser, site, audit):
    """The radio precedes its label, the n.v.t. reason appears when needed, each form's errors
    take the focus, the step list follows background saves, and "Nieuwe beoordeling starten"
    in a stale tab resumes the concept a colleague started."""
    context = browser.new_context()
    page = context.new_page()
    # Login: a wrong password gives one error, in the summary, which takes the focus.
    page.goto(f"{site.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong password")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert focus_id(page) == "error-summary"
    assert page.locator("main").inner_text().count("Controleer uw gebruikersnaam") == 1
    audit.check(page, "login-error")
    log_in(page, site, "alice")

    # Project form: an empty name.
    page.click("text=Nieuw project")
    assert page.locator("legend:has-text('Wat voor project is het?')").count() == 1
    page.click("main button:has-text('Opslaan')")
    page.wait_for_selector("#error-summary")
    assert focus_id(page) == "error-summary"
    audit.check(page, "project-form-error")
    page.fill("#id_name", "Chatbot Loket")
    page.check("#id_phase_2")
    page.click("main button:has-text('Opslaan')")
    page.wait_for_selector("h1:has-text('Chatbot Loket')")
    project_url = page.url

    # A colleague's tab still shows "Nieuwe beoordeling starten" when alice starts one.
    other = context.new_page()
    other.goto(project_url)
    page.click("text=Nieuwe beoordeling starten")
    page.wait_for_selector("text=Introductie: over het project")
    other.click("text=Nieuwe beoordeling starten")
    other.wait_for_selector("text=Dit project heeft al een conceptbeoordeling")
    assert Assessment.objects.filter(project__name="Chatbot Loket").count() == 1
    other.close()

    # Step 1: the answer layout.
    page.click("main button:has-text('Volgende')")
    question = page.locator("section.wv-question").first
    radio = question.locator("input[value='3']")
    label = question.locator(f"label[for='{radio.get_attribute('id')}']")
    assert radio.evaluate("(r, l) => !!(r.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING)",
                          label.element_handle())
    assert radio.bounding_box()["x"] + radio.bounding_box()["width"] <= label.bounding_box()["x"]
    assert label.evaluate("l => getComputedStyle(l).fontWeight") == "400"
    assert question.locator("legend .wv-question-number").inner_text() == "1.1"
    reason = question.locator(".wv-reason input")
    assert not reason.is_visible()
    question.locator("input[value='na']").check()
    assert reason.is_visible()

    # The step list counts the background save.
    step_item = page.locator(".wv-step[data-step='1']")
    before = step_item.inner_text()
    page.wait_for_selector(f"#{radio.get_attribute('name').split('-')[0]}-status[data-state]")
    question.locator("input[value='3']").check()
    page.wait_for_function(
        "before => document.querySelector(\".wv-step[data-step='1']\").innerText !== before",
        arg=before)
    assert "1 van" in step_item.inner_text()

    # n.v.t. without a reason: the summary names the question and takes the focus.
    question.locator("input[value='na']").check()
    page.click("main button:has-text('Volgende')")
    page.wait_for_selector("#error-summary")
    assert focus_id(page) == "error-summary"
    assert "Vraag 1.1" in page.locator("#error-summary").inner_text()
    buttons = page.locator(".wv-wizard-buttons button:visible").all_inner_texts()
    assert buttons.index("Vorige") < buttons.index("Volgende")
    audit.check(page, "wizard-error")

    # Invitation form: an empty address.
    page.goto(f"{site.url}/account/uitnodigen/")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert focus_id(page) == "error-summary"
    audit.check(page, "invite-error")
    context.close()
    audit.assert_clean()


def test_the_audit_itself_catches_problems(browser, site, tmp_path):
    """The checks above can fail: a page with known problems is reported."""
    from .conftest import PHONE, PageAudit, horizontal_overflow, validate_html

    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    audit = PageAudit()
    results = audit.axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a"]}})
    assert results.violations_count >= 2  # image-alt, label
    errors = validate_html({"broken": "<!DOCTYPE html><html><body><p><div></p></body></html>"})
    assert errors, "the Nu Html Checker found nothing in invalid HTML"
    context.close()
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.set_content('<html><body><table><tr><td>Toelichtingtoelichtingtoelichting'
                      '</td><td style="min-width:600px">x</td></tr></table></body></html>')
    assert "scrollWidth" in horizontal_overflow(phone)
    phone.set_content("<html><body><p>Past op een telefoon.</p></body></html>")
    assert horizontal_overflow(phone) == ""
    phone.context.close()
