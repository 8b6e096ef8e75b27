"""The national benchmark in a real browser: a beheerder opts in, a lezer reads the comparison on
the results page, and a VNG editor reads and filters the national figures; each page audited
with axe-core and the Nu Html Checker, and at 390 px without sideways scrolling (PageAudit)."""

import re
from base64 import b32decode

from django_otp.oath import totp

from ..base import completed_assessment
from ..test_benchmark import seed_municipalities
from .conftest import PASSWORD
from .test_journeys import log_in, log_out


def test_benchmark_opt_in_comparison_and_national_pages(browser, site, audit):
    seed_municipalities(5, projects=4)  # five other municipalities, opted in
    completed = completed_assessment(site.municipality, site.users["alice"], "Wijkpanel",
                                     in_public_space=True)

    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/account/leden/")
    page.click("a:has-text('Meedoen aan de landelijke vergelijking')")
    assert "Uw gemeente doet niet mee." in page.locator("main").inner_text()
    audit.check(page, "benchmark-participation")
    page.click("main button:has-text('Meedoen')")
    assert "Uw gemeente doet nu mee" in page.locator("main").inner_text()
    log_out(page)

    log_in(page, site, "bob")
    page.goto(f"{site.url}/gemeente/beoordelingen/{completed.pk}/resultaten/")
    section = page.locator("section:has(#landelijk)")
    assert "Landelijke mediaan" in section.inner_text()
    assert "te weinig vergelijkbare beoordelingen" not in section.locator("tbody").inner_text()
    audit.check(page, "results-benchmark")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/beheer/")
    page.fill("#id_username", "vng")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/tweestapsverificatie/instellen/**")
    secret = page.locator(".wv-secret").inner_text().replace(" ", "")
    page.fill("#id_code", f"{totp(b32decode(secret)):06d}")
    page.click("button:has-text('Instellen')")
    page.wait_for_selector(".wv-recovery-codes")
    page.click("a:has-text('Verder')")
    page.click("#user-tools a:has-text('Landelijke vergelijking')")
    page.wait_for_url(re.compile(r"/landelijk/$"))
    main = page.locator("main").inner_text()
    assert "Spreiding per perspectief" in main and "Door de tijd" in main
    assert "Benchgemeente" not in main and "Wijkpanel" not in main
    audit.check(page, "benchmark-national")
    page.select_option("#id_fase", "idee")
    page.check("input[name=kenmerk][value=ai]")
    page.click("main button:has-text('Toon cijfers')")
    page.wait_for_url(re.compile(r"fase=idee"))
    assert "met het kenmerk ‘gebruikt ai’" in page.locator("main").inner_text()
    audit.check(page, "benchmark-national-filtered")
    context.close()
    audit.assert_clean()
