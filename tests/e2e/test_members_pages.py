"""Who has access, in a real browser: a beheerder invites a colleague, sees the invitation open
on *Leden*, withdraws it, blocks a colleague who left, and reads it all in the municipality's
history; each page audited with axe-core and the Nu Html Checker, and at 390 px (PageAudit)."""

from .test_journeys import log_in


def test_invite_withdraw_block_and_the_history(browser, site, audit):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/account/uitnodigen/")
    page.fill("#id_email", "nieuw.lid@example.org")
    page.click("main button[type=submit]")
    page.goto(f"{site.url}/account/leden/")
    main = page.locator("main").inner_text()
    assert "nieuw.lid@example.org" in main and "Uitnodigingen die nog niet zijn geaccepteerd" in main
    audit.check(page, "members")
    page.click("main button:has-text('Intrekken')")
    assert "is ingetrokken" in page.locator("main").inner_text()
    assert "Uitnodigingen die nog niet zijn geaccepteerd" not in page.locator("main").inner_text()

    page.click("main a:has-text('Rol of toegang wijzigen')")
    audit.check(page, "member-edit")
    page.click("main button:has-text('Account blokkeren')")
    assert "Account geblokkeerd: kan niet inloggen" in page.locator("main").inner_text()

    page.click("main a:has-text('Geschiedenis van de gemeente')")
    main = page.locator("main").inner_text()
    for text in ("Collega uitgenodigd", "Uitnodiging ingetrokken", "Account van een lid geblokkeerd",
                 "n…@example.org"):
        assert text in main, text
    audit.check(page, "municipality-history")
    audit.assert_clean()
