"""Several raters, then one answer, in a real browser: a bewerker starts a round, fills in her
own scores (seeing nobody else's), submits, and chooses the group's answer in the discussion;
every page audited with axe-core and the Nu Html Checker, and at 390 px without sideways
scrolling (PageAudit)."""

from assessments import services
from assessments.models import Answer, AnswerKind, Rater
from perspectives.models import Question

from .test_journeys import answer_all_questions, log_in


def test_rating_round_and_discussion(browser, site, audit):
    alice, dave = site.users["alice"], site.users["dave"]
    project = services.project_create(municipality=site.municipality, owner=alice,
                                      name="Slimme lantaarnpalen", in_public_space=True)
    concept = services.assessment_start(project=project, user=alice, language="nl")
    services.answer_save(assessment=concept, question=Question.objects.get(code="1.2"),
                         user=alice, base_version=0,
                         values=services.AnswerValues(AnswerKind.SCORE, score=4,
                                                      note="Gedeeld antwoord"))

    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "alice")
    page.goto(f"{site.url}/gemeente/projecten/{project.pk}/")
    page.click("text=Collega's laten scoren")
    for name in ("Alice", "Dave", "Bob"):
        page.check(f"label:has-text('{name}')")
    audit.check(page, "rating-round-form")
    page.click("main button:has-text('Ronde starten')")
    page.wait_for_selector("h1:has-text('Mijn scores')")
    audit.check(page, "rating-intro")

    # Dave submits his scores meanwhile, with a note alice may not see yet.
    rating_round = concept.rating_rounds.get()
    dave_rater = Rater.objects.select_related("round__assessment").get(round=rating_round,
                                                                       user=dave)
    for code, level in (("1.1", 0), ("1.2", 1), ("1.3", 4)):
        services.rating_save(rater=dave_rater, question=Question.objects.get(code=code),
                             values=services.AnswerValues(AnswerKind.SCORE, score=level,
                                                          note=f"Dave over {code}"))
    services.rating_submit(rater=dave_rater)

    page.click("text=Beginnen")
    main = page.locator("main").inner_text()
    assert "Dave over" not in main and "Gedeeld antwoord" not in main
    answer_all_questions(page, "3")
    page.locator("textarea[name$='-note']").first.fill("Alice: het doel is helder")
    audit.check(page, "rating-step")
    page.click("main button:has-text('Volgende')")
    page.goto(f"{site.url}/gemeente/rondes/{rating_round.pk}/mijn-scores/stap/11/")
    audit.check(page, "rating-review")
    page.click("text=Mijn scores indienen")
    page.wait_for_selector("text=Uw scores zijn ingediend")

    # The discussion: the largest disagreement first, who gave what, and the group's choice.
    main = page.locator("main").inner_text()
    assert "Dave over 1.1" in main and "Alice: het doel is helder" in main
    assert "nog niet ingediend" in main  # bob
    first = page.locator("section.wv-discussion").first
    assert first.get_attribute("id") in ("vraag-1.1", "vraag-1.2")
    audit.check(page, "rating-discussion")
    section = page.locator("#vraag-1\\.1")
    section.locator("input[value='2']").check()
    section.locator("textarea").fill("Samen gekozen")
    section.locator("button:has-text('vastleggen')").click()
    page.wait_for_selector("text=Het antwoord op vraag 1.1 is vastgelegd")
    answer = Answer.objects.get(assessment=concept, question__code="1.1")
    assert (answer.score, answer.note) == (2, "Samen gekozen")
    context.close()

    # Bob (a lezer, not submitted) is sent to his own scores instead of the results.
    context = browser.new_context()
    page = context.new_page()
    log_in(page, site, "bob")
    page.goto(f"{site.url}/gemeente/beoordelingen/{concept.pk}/resultaten/")
    assert "Eerst uw eigen scores" in page.locator("main").inner_text()
    assert "Gedeeld antwoord" not in page.content()
    audit.check(page, "rating-pending")
    context.close()
    audit.assert_clean()
