"""Who has access, in a real browser: a beheerder invites a colleague, sees the invitation open
on *Leden*, withdraws it, blocks a colleague who left, and reads it all in the municipality's
history; each page audited with axe-core and the Nu Html Checker, and at 390 px (PageAudit)."""

from .test_journeys import PASSWORD, log_in


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


def test_an_account_without_a_municipality_joins_by_invitation(browser, site, audit):
    """Bob's membership was ended by an administrator; invited again, he logs in from the
    invitation with the account he has and accepts it."""
    from assessments.models import Invitation, Membership, Role

    Membership.objects.filter(user=site.users["bob"]).delete()
    invitation = Invitation.objects.create(municipality=site.municipality, email="bob@example.org",
                                           role=Role.EDITOR, invited_by=site.users["alice"])
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{site.url}/account/uitnodiging/{invitation.token}/")
    assert "U heeft al een account" in page.locator("main").inner_text()
    audit.check(page, "invitation-existing-account")
    page.click("main a:has-text('Log in met uw account')")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/account/uitnodiging/{invitation.token}/")
    assert "als bewerker mee te werken" in page.locator("main").inner_text()
    audit.check(page, "invitation-join")
    page.click("main button:has-text('Uitnodiging aannemen')")
    page.wait_for_url("**/gemeente/")
    assert "U werkt nu mee aan de projecten van Utrecht" in page.locator("main").inner_text()
    assert Membership.objects.get(user=site.users["bob"]).role == Role.EDITOR
    audit.assert_clean()
