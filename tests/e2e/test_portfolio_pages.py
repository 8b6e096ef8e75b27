"""The pages beyond one project, as a bewerker sees them: the filtered overview, the portfolio,
a comparison of two assessments and the history, each audited with axe-core and the Nu Html
Checker, and at 390 px without sideways scrolling (PageAudit)."""

from assessments import services
from assessments.models import Assessment
from perspectives.models import Perspective

from ..base import completed_assessment, set_answer
from .test_journeys import log_in


def test_portfolio_comparison_and_history_pages(browser, site, audit):
    alice = site.users["alice"]
    first = completed_assessment(site.municipality, alice, "Slimme lantaarnpalen", score=2,
                                 processes_personal_data=True)
    services.action_create(assessment=first, user=alice,
                           perspective=Perspective.objects.get(number=7),
                           description="DPIA laten uitvoeren", owner="Privacy officer")
    concept = services.assessment_reopen(assessment=first, user=alice)
    set_answer(concept, "1.1", 4)
    second = services.assessment_complete(assessment=concept, user=alice)
    completed_assessment(site.municipality, alice, "Chatbot Burgerzaken", score=3)
    assert Assessment.objects.filter(status="afgerond").count() == 3

    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/gemeente/?q=lantaarn")
    assert "Slimme lantaarnpalen" in page.locator("main").inner_text()
    assert "Chatbot Burgerzaken" not in page.locator("main table").inner_text()
    audit.check(page, "overview-filtered")
    page.goto(f"{site.url}/gemeente/portfolio/")
    assert "Chatbot Burgerzaken" in page.locator("main").inner_text()
    audit.check(page, "portfolio")
    page.goto(f"{site.url}/gemeente/projecten/{second.project_id}/vergelijken/")
    assert page.locator("main svg[role=img]").count() >= 1
    audit.check(page, "comparison")
    page.goto(f"{site.url}/gemeente/projecten/{second.project_id}/geschiedenis/")
    assert "DPIA laten uitvoeren" in page.locator("main").inner_text()
    audit.check(page, "project-history")
    page.goto(f"{site.url}/gemeente/beoordelingen/{second.pk}/geschiedenis/")
    audit.check(page, "assessment-history")
    context.close()
    audit.assert_clean()


def test_a_refused_download_is_a_page_that_says_why(browser, site, settings):
    """The download links had the `download` attribute: Chromium then saved whatever came back,
    and a refusal (the export limit, or a login page after the session ended) was a cancelled
    download without a word. The server's `Content-Disposition: attachment` makes a file of
    every real download; anything else is a page."""
    settings.EXPORTS_PER_USER = 1
    completed_assessment(site.municipality, site.users["alice"], "Slimme lantaarnpalen")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/gemeente/geschiedenis/")
    with page.expect_download() as download:
        page.click("text=Download als CSV")
    assert download.value.failure() is None
    assert download.value.suggested_filename.startswith("geschiedenis-")
    page.goto(f"{site.url}/gemeente/")
    page.click("text=Download deze projecten als CSV")
    page.wait_for_load_state()
    assert "veel bestanden gedownload" in page.locator("main").inner_text()
    context.close()
