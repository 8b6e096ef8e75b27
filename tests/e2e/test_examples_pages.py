"""The library of examples in a browser: Utrecht publishes a completed assessment, a bewerker of
Amersfoort finds it, reads it and starts a project from it, confirms an adopted answer, and
Utrecht withdraws it. Every page audited with axe-core and the Nu Html Checker, and at 390 px
without sideways scrolling (PageAudit)."""

import re

from assessments.models import Answer, AnswerKind, Municipality, Role
from waardevol.accounts import services as accounts_services

from ..base import completed_assessment
from .conftest import PASSWORD
from .test_journeys import log_in, log_out


def test_publish_find_start_from_and_withdraw_an_example(browser, site, audit):
    from django.contrib.auth.models import User

    alice = site.users["alice"]

    def with_note(assessment):
        Answer.objects.filter(assessment=assessment, question__code="1.1").update(
            kind=AnswerKind.SCORE, score=1, note="Besproken met Alice")

    source = completed_assessment(site.municipality, alice, "Slimme lantaarnpalen", score=3,
                                  processes_personal_data=True, in_public_space=True,
                                  adjust=with_note)
    amersfoort = Municipality.objects.create(name="Amersfoort", cbs_code="GM0307")
    erin = User.objects.create_user("erin", "erin@example.org", PASSWORD, first_name="Erin")
    accounts_services.membership_create(user=erin, municipality=amersfoort, role=Role.EDITOR)

    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/gemeente/beoordelingen/{source.pk}/resultaten/")
    page.click("text=Publiceren als voorbeeld")
    assert page.input_value("#id_title") == "Slimme lantaarnpalen"
    audit.check(page, "example-publish")
    page.fill("#id_title", "Sensoren in de openbare ruimte")
    page.fill("#id_description", "Lantaarnpalen met sensoren: wat wij leerden over privacy.")
    page.check("#id_no_names")
    page.click("main button:has-text('Publiceren')")
    page.wait_for_url(re.compile(r"/voorbeelden/\d+/$"))
    example_url = page.url
    log_out(page)

    log_in(page, site, "erin")
    page.click("header a:has-text('Voorbeelden')")
    page.check("input[name=kenmerk][value=public_space]")
    page.click("main button:has-text('Toon voorbeelden')")
    main = page.locator("main").inner_text()
    assert "Sensoren in de openbare ruimte" in main and "Utrecht" in main
    audit.check(page, "example-library")
    page.click("text=Sensoren in de openbare ruimte")
    main = page.locator("main").inner_text()
    assert "Alice" not in main and "Slimme lantaarnpalen" not in main
    assert page.locator("main svg[role=img]").count() == 1
    audit.check(page, "example-detail")
    page.click("text=Eigen project starten vanuit dit voorbeeld")
    audit.check(page, "example-start")
    page.fill("#id_name", "Amersfoortse lantaarnpalen")
    page.click("main button:has-text('Project aanmaken en beoordelen')")
    page.wait_for_url(re.compile(r"/stap/0/$"))
    assert page.is_checked("#id_in_public_space")
    page.click("main button.utrecht-button--primary-action:has-text('Volgende')")
    page.wait_for_url(re.compile(r"/stap/1/$"))
    assert page.locator("main .wv-tag--adopted").count() > 1
    assert "Besproken met Alice" not in page.locator("main").inner_text()
    audit.check(page, "example-adopted-step")
    tags = page.locator("main .wv-tag--adopted").count()
    with page.expect_navigation():
        page.locator("main .wv-adopted button").first.click()
    assert page.locator("main .wv-tag--adopted").count() == tags - 1
    log_out(page)

    log_in(page, site, "alice")
    page.goto(example_url)
    page.click("main a:has-text('Voorbeeld intrekken')")
    page.wait_for_url(re.compile(r"/intrekken/$"))
    audit.check(page, "example-withdraw")
    page.click("main button:has-text('Ja, intrekken')")
    page.wait_for_url(re.compile(r"/voorbeelden/$"))
    assert "Niemand kan het nog zien" in page.locator("main").inner_text()
    log_out(page)
    log_in(page, site, "erin")
    page.goto(f"{site.url}/voorbeelden/")
    assert "Sensoren in de openbare ruimte" not in page.locator("main").inner_text()
    assert page.goto(example_url).status == 404
    context.close()
    audit.assert_clean()
