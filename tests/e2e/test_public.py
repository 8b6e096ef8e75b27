"""The public pages as a first-time visitor sees them: audited, and the way in above the fold."""

import re

from .conftest import PHONE

DESKTOP = {"width": 1280, "height": 800}


def above_the_fold(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_home_page_shows_the_way_in_above_the_fold(browser, site, audit):
    for viewport in [DESKTOP, PHONE]:
        for language in ["nl", "en"]:
            context = browser.new_context(viewport=viewport)
            host = re.sub(r"^https?://([^:/]+).*", r"\1", site.url)
            context.add_cookies([{"name": "django_language", "value": language, "domain": host,
                                  "path": "/"}])
            page = context.new_page()
            page.goto(f"{site.url}/")
            where = f"{language} at {viewport['width']} px"
            assert above_the_fold(page, "h1"), where
            assert above_the_fold(page, "a.wv-access__login"), where
            assert above_the_fold(page, "#toegang-titel ~ p strong"), where  # "Nog geen account?"
            # No detail is open until asked for (one opens with the keyboard below).
            assert page.locator("details[open]").count() == 0
            context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site.url}/")
    assert page.locator("#perspectieven article.wv-perspective").count() == 10
    audit.check(page, "home")
    page.locator("#perspectief-3 summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#perspectief-3 details").get_attribute("open") is not None
    audit.check(page, "home-detail-open")
    page.click("a.wv-access__login")
    page.wait_for_url(re.compile(r"/account/login/"))
    context.close()
    audit.assert_clean()


def test_home_page_sends_a_member_to_the_projects(browser, site, audit):
    from .test_journeys import log_in

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/")
    assert above_the_fold(page, "a:has-text('Naar de projecten van uw gemeente')")
    audit.check(page, "home-member")
    page.click("a:has-text('Naar de projecten van uw gemeente')")
    page.wait_for_url(re.compile(r"/gemeente/$"))
    context.close()
    audit.assert_clean()


def test_accessibility_statement(browser, site, audit):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site.url}/")
    page.click("footer a:has-text('Toegankelijkheid')")
    page.wait_for_url(re.compile(r"/toegankelijkheid/$"))
    assert page.locator("h1").inner_text().replace("\u00ad", "") == "Toegankelijkheidsverklaring"
    assert page.locator("main h2:has-text('Status: voldoet gedeeltelijk')").is_visible()
    assert page.locator("main a[href^='mailto:']").first.is_visible()
    audit.check(page, "accessibility-statement")
    context.close()
    audit.assert_clean()


def test_language_buttons_are_named_by_their_visible_text(browser, site):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site.url}/")
    # What speech-input users say ("click NL") must match the button's accessible name.
    page.get_by_role("button", name=re.compile(r"^EN\b")).click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name=re.compile(r"^NL\b")).get_attribute("lang") == "nl"
    assert page.locator("header button[lang=en]").get_attribute("aria-current") == "true"
    context.close()
