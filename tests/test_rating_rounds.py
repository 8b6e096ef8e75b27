"""Several raters, then one answer: colleagues score a concept independently, then the group
chooses the assessment's answer per question in the discussion."""

from datetime import date
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import portfolio, readmodel, services
from assessments.discussion import DiscussionPresenter
from assessments.models import (
    Action,
    Answer,
    AnswerKind,
    Assessment,
    Rater,
    Rating,
    RatingRound,
    Role,
)
from perspectives.models import Perspective, Question
from waardevol.audit.models import AuditEvent, AuditKind

from .base import BaseTestCase


def step_data(assessment, step, rater, choices, navigate="next"):
    """The POST of one step of a rater's questionnaire: `choices` by question code."""
    result = readmodel.assessment_result(assessment, answers={})
    data = {"navigate": navigate}
    for question in result.perspectives[step - 1].questions:
        if not question.applicable:
            continue
        prefix = f"q{question.id}"
        data.update({f"{prefix}-version": "0", f"{prefix}-original": "none"})
        choice = choices.get(question.code)
        if choice is not None:
            value, note = choice if isinstance(choice, tuple) else (choice, "")
            data[f"{prefix}-answer"] = value
            data[f"{prefix}-note"] = note
            if value == AnswerKind.NOT_APPLICABLE:
                data[f"{prefix}-reason"] = "Geen camera's"
    return data


class RatingRoundTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.dave = cls.make_user("dave", cls.utrecht, Role.EDITOR)
        cls.project = cls.make_project(cls.utrecht, cls.alice, name="Slimme lantaarnpalen")
        cls.concept = services.assessment_start(project=cls.project, user=cls.alice,
                                                language="nl")
        cls.q11 = Question.objects.get(code="1.1")
        cls.q12 = Question.objects.get(code="1.2")

    def start_round(self, raters=None):
        return services.rating_round_start(assessment=self.concept, user=self.alice,
                                           raters=raters or [self.alice, self.dave, self.bob])

    def rate(self, rating_round, user, values_by_code, submit=True):
        rater = Rater.objects.select_related("round__assessment").get(round=rating_round,
                                                                       user=user)
        for code, values in values_by_code.items():
            services.rating_save(rater=rater, question=Question.objects.get(code=code),
                                 values=values)
        if submit:
            services.rating_submit(rater=rater)
        return rater


def score(level, note=""):
    return services.AnswerValues(AnswerKind.SCORE, score=level, note=note)


class StartingTests(RatingRoundTestCase):
    def test_a_bewerker_starts_a_round_with_colleagues_of_the_municipality(self):
        self.client.force_login(self.alice)
        url = reverse("assessments:round_start", args=[self.concept.pk])
        page = self.client.get(url)
        self.assertContains(page, "Dave")
        self.assertContains(page, "Bob – lezer")
        self.assertNotContains(page, "Charlie")  # another municipality
        response = self.client.post(url, {"raters": [self.dave.pk, self.bob.pk]})
        rating_round = RatingRound.objects.get(assessment=self.concept)
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[rating_round.pk]))
        self.assertEqual({r.user for r in rating_round.raters.all()}, {self.dave, self.bob})
        event = AuditEvent.objects.get(kind=AuditKind.RATING_ROUND_STARTED)
        self.assertEqual(event.changes["raters"], ["Bob", "Dave"])

    def test_a_starter_who_rates_too_goes_to_their_own_scores(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:round_start", args=[self.concept.pk]),
                                    {"raters": [self.alice.pk, self.dave.pk]})
        rating_round = RatingRound.objects.get(assessment=self.concept)
        self.assertRedirects(response, reverse("assessments:rating_step",
                                               args=[rating_round.pk, 0]))

    def test_raters_from_another_municipality_or_malformed_are_refused(self):
        self.client.force_login(self.alice)
        url = reverse("assessments:round_start", args=[self.concept.pk])
        for raters in ([self.dave.pk, self.charlie.pk], ["abc", self.dave.pk], [self.dave.pk],
                       [], [self.dave.pk, "9" * 25], [self.dave.pk, "-1"], [self.dave.pk, " 7"]):
            with self.subTest(raters=raters):
                response = self.client.post(url, {"raters": raters})
                self.assertEqual(response.status_code, 400)
        self.assertFalse(RatingRound.objects.exists())

    def test_one_open_round_per_assessment(self):
        rating_round = self.start_round()
        self.client.force_login(self.dave)  # dave must submit first; alice submits
        self.rate(rating_round, self.alice, {})
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:round_start", args=[self.concept.pk]),
                                    {"raters": [self.dave.pk, self.bob.pk]})
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[rating_round.pk]))
        self.assertEqual(RatingRound.objects.count(), 1)
        with self.assertRaises(services.RoundAlreadyOpen):
            services.rating_round_start(assessment=self.concept, user=self.alice,
                                        raters=[self.dave, self.bob])

    def test_the_project_page_links_the_feature(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("assessments:project_detail", args=[self.project.pk]))
        self.assertContains(page, reverse("assessments:round_start", args=[self.concept.pk]))
        rating_round = self.start_round()
        self.client.force_login(self.bob)
        page = self.client.get(reverse("assessments:project_detail", args=[self.project.pk]))
        self.assertContains(page, "Mijn scores invullen")
        self.assertContains(page, "0 van de 3 hebben ingediend")
        self.assertNotContains(page, reverse("assessments:round_discussion",
                                             args=[rating_round.pk]))
        # A concept with a round is someone's work: no "Leeg concept verwijderen".
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(
            reverse("assessments:project_detail", args=[self.project.pk])),
            "Leeg concept verwijderen")

    def test_a_bewerker_who_must_score_first_is_offered_only_their_scores(self):
        """Every link to the concept, its results or the history is a 403 until they submit:
        the page offered "Verder met de beoordeling" and three such links beside it."""
        rating_round = self.start_round()
        url = reverse("assessments:project_detail", args=[self.project.pk])
        closed = [reverse("assessments:results", args=[self.concept.pk]),
                  reverse("assessments:resume", args=[self.concept.pk]),
                  reverse("audit:project_history", args=[self.project.pk]),
                  reverse("assessments:assessment_start", args=[self.project.pk])]
        self.client.force_login(self.dave)  # a bewerker and a rater who has not submitted
        page = self.client.get(url)
        self.assertContains(page, "Mijn scores invullen")
        self.assertContains(page, "Dien eerst uw eigen scores in")
        self.assertContains(page, "na het indienen van uw scores")
        self.assertNotContains(page, "Verder met de beoordeling")
        for link in closed:
            self.assertNotContains(page, f'"{link}"')
            if link != closed[-1]:
                self.assertEqual(self.client.get(link).status_code, 403, link)
        self.assertContains(page, reverse("assessments:project_edit", args=[self.project.pk]))
        # Once submitted, or for a bewerker who is no rater, the links are back.
        self.rate(rating_round, self.dave, {})
        page = self.client.get(url)
        self.assertContains(page, "Verder met de beoordeling")
        for link in closed[:3]:
            self.assertContains(page, f'"{link}"')
        self.assertContains(page, "1 van de 3 heeft ingediend")


class RaterQuestionnaireTests(RatingRoundTestCase):
    def test_a_rater_fills_in_and_submits_their_own_scores(self):
        rating_round = self.start_round()
        self.client.force_login(self.bob)  # a lezer may rate
        intro = self.client.get(reverse("assessments:rating_step", args=[rating_round.pk, 0]))
        self.assertContains(intro, "Mijn scores")
        self.assertContains(intro, "Alice heeft u gevraagd mee te scoren.")
        # The starter is not told she asked herself.
        self.client.force_login(self.alice)
        own = self.client.get(reverse("assessments:rating_step", args=[rating_round.pk, 0]))
        self.assertContains(own, "U heeft deze ronde gestart en scoort zelf mee.")
        self.assertNotContains(own, "heeft u gevraagd")
        self.client.force_login(self.bob)
        url = reverse("assessments:rating_step", args=[rating_round.pk, 1])
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, step_data(self.concept, 1, None, {
            "1.1": ("2", "Bob twijfelt"), "1.2": AnswerKind.UNKNOWN}))
        self.assertRedirects(response, reverse("assessments:rating_step",
                                               args=[rating_round.pk, 2]))
        ratings = {r.question.code: r for r in Rating.objects.select_related("question")}
        self.assertEqual((ratings["1.1"].score, ratings["1.1"].note), (2, "Bob twijfelt"))
        self.assertEqual(ratings["1.2"].kind, AnswerKind.UNKNOWN)
        self.assertFalse(Answer.objects.exists())  # the assessment's answers are untouched
        self.assertContains(self.client.get(url), "Bob twijfelt")
        response = self.client.post(reverse("assessments:rating_submit", args=[rating_round.pk]))
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[rating_round.pk]))
        # Final: the questionnaire no longer takes scores.
        response = self.client.post(url, step_data(self.concept, 1, None, {"1.1": "4"}))
        self.assertEqual(Rating.objects.get(question=self.q11).score, 2)
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[rating_round.pk]))
        event = AuditEvent.objects.get(kind=AuditKind.RATING_SUBMITTED)
        self.assertEqual(event.actor, self.bob)
        self.assertIn(["1.1", None, "2"], event.changes["fields"])

    def test_the_questionnaires_rules_apply(self):
        rating_round = self.start_round()
        self.client.force_login(self.dave)
        url = reverse("assessments:rating_step", args=[rating_round.pk, 1])
        response = self.client.post(url, step_data(self.concept, 1, None,
                                                   {"1.1": AnswerKind.NOT_APPLICABLE})
                                    | {f"q{self.q11.pk}-reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Geef een korte reden", status_code=400)
        for navigate in ("step-x", "step-²", "nergens"):
            response = self.client.post(url, step_data(self.concept, 1, None, {"1.1": "3"},
                                                       navigate=navigate))
            self.assertEqual(response.status_code, 400)
        response = self.client.post(url, step_data(self.concept, 1, None, {"1.1": "9"}))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Rating.objects.exists())

    def test_someone_who_is_not_a_rater_cannot_open_the_rating_screens(self):
        rating_round = self.start_round(raters=[self.alice, self.bob])
        for user, status in ((self.dave, 403), (self.charlie, 404), (self.vng, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                for url in (reverse("assessments:rating_step", args=[rating_round.pk, 1]),):
                    self.assertEqual(self.client.get(url).status_code, status)
                response = self.client.post(reverse("assessments:rating_submit",
                                                    args=[rating_round.pk]))
                self.assertEqual(response.status_code, status)
        self.assertFalse(Rater.objects.filter(submitted_at__isnull=False).exists())


class IndependenceTests(RatingRoundTestCase):
    """Independent rating: a rater cannot see others' ratings before submitting (HTML and any
    JSON), nor the assessment's own answers."""

    def setUp(self):
        self.rating_round = self.start_round()
        # The assessment has an answer of its own, and dave submitted his scores.
        services.answer_save(assessment=self.concept, question=self.q12, user=self.alice,
                             values=score(4, "Gedeeld antwoord van de beoordeling"),
                             base_version=0)
        self.rate(self.rating_round, self.dave, {"1.1": score(0, "Dave vindt het slecht")})
        self.rate(self.rating_round, self.alice, {"1.1": score(4, "Alice concept")},
                  submit=False)

    def pages_with_shared_answers(self):
        pk, round_pk = self.concept.pk, self.rating_round.pk
        return [
            ("get", reverse("assessments:round_discussion", args=[round_pk])),
            ("get", reverse("assessments:results", args=[pk])),
            ("get", reverse("assessments:step", args=[pk, 1])),
            ("get", reverse("assessments:step", args=[pk, 11])),
            ("get", reverse("assessments:report_pdf", args=[pk])),
            ("get", reverse("audit:assessment_history", args=[pk])),
            ("get", reverse("audit:assessment_history_csv", args=[pk])),
            ("get", reverse("audit:project_history", args=[self.project.pk])),
            ("get", reverse("audit:project_history_csv", args=[self.project.pk])),
            ("post", reverse("assessments:answer_autosave", args=[pk, self.q11.pk])),
            ("post", reverse("assessments:round_choose", args=[round_pk, self.q11.pk])),
        ]

    def test_a_rater_who_has_not_submitted_sees_nobody_elses_answers(self):
        self.client.force_login(self.bob)  # lezer, rater, not submitted
        for user in (self.bob, self.alice):  # alice: bewerker, rater, not submitted
            self.client.force_login(user)
            for method, url in self.pages_with_shared_answers():
                with self.subTest(user=user.username, url=url):
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 403)
                    body = response.content.decode(errors="replace")
                    self.assertNotIn("Dave vindt het slecht", body)
                    self.assertNotIn("Gedeeld antwoord", body)
                    if user == self.alice:
                        self.assertIn("Eerst uw eigen scores", body)
                        self.assertIn(reverse("assessments:rating_step",
                                              args=[self.rating_round.pk, 0]), body)

    def test_the_raters_own_screens_show_only_their_own_scores(self):
        self.client.force_login(self.alice)
        for step in range(0, 12):
            with self.subTest(step=step):
                response = self.client.get(reverse("assessments:rating_step",
                                                   args=[self.rating_round.pk, step]))
                self.assertEqual(response.status_code, 200)
                body = response.content.decode()
                self.assertNotIn("Dave vindt het slecht", body)
                self.assertNotIn("Gedeeld antwoord", body)
                if step == 1:
                    self.assertIn("Alice concept", body)
        # The shared answer 4 on 1.2 is not what her form shows for 1.2: nothing is checked.
        page = self.client.get(reverse("assessments:rating_step",
                                       args=[self.rating_round.pk, 1])).content.decode()
        self.assertNotIn(f'name="q{self.q12.pk}-answer" id="id_q{self.q12.pk}-answer_4" '
                         'value="4" checked', page)
        project = self.client.get(reverse("assessments:project_detail", args=[self.project.pk]))
        self.assertContains(project, "Mijn scores invullen")
        self.assertNotContains(project, "Naar de bespreking")

    def test_after_submitting_the_rater_sees_everything(self):
        self.rate(self.rating_round, self.alice, {})
        self.client.force_login(self.alice)
        response = self.client.get(reverse("assessments:round_discussion",
                                           args=[self.rating_round.pk]))
        self.assertContains(response, "Dave vindt het slecht")
        self.assertContains(response, "Alice concept")
        self.assertEqual(self.client.get(
            reverse("assessments:results", args=[self.concept.pk])).status_code, 200)

    def test_closing_the_round_ends_the_wait(self):
        self.client.force_login(self.dave)
        response = self.client.post(reverse("assessments:round_close",
                                            args=[self.rating_round.pk]))
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[self.rating_round.pk]))
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(
            reverse("assessments:results", args=[self.concept.pk])).status_code, 200)
        discussion = self.client.get(reverse("assessments:round_discussion",
                                             args=[self.rating_round.pk]))
        self.assertContains(discussion, "Dave vindt het slecht")
        self.assertNotContains(discussion, "Alice concept")  # never submitted: never shown
        response = self.client.get(reverse("assessments:rating_step",
                                           args=[self.rating_round.pk, 1]))
        self.assertRedirects(response, reverse("assessments:project_detail",
                                               args=[self.project.pk]))
        self.assertTrue(AuditEvent.objects.filter(kind=AuditKind.RATING_ROUND_CLOSED).exists())


class DiscussionTests(RatingRoundTestCase):
    def setUp(self):
        self.rating_round = self.start_round()
        self.rate(self.rating_round, self.alice, {
            "1.1": score(1, "Geen doel beschreven"), "1.2": score(3),
            "2.1": services.AnswerValues(AnswerKind.NOT_APPLICABLE, na_reason="Geen sensoren")})
        self.rate(self.rating_round, self.dave, {
            "1.1": score(4, "Staat in het plan"), "1.2": score(3), "2.1": score(2)})
        self.url = reverse("assessments:round_discussion", args=[self.rating_round.pk])

    def test_largest_disagreement_first_with_who_answered_what(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        # 1.1: 1 and 4 (3 apart); 2.1: n.v.t. beside 2; 1.2: both 3.
        self.assertLess(body.index('id="vraag-1.1"'), body.index('id="vraag-2.1"'))
        self.assertLess(body.index('id="vraag-2.1"'), body.index('id="vraag-1.2"'))
        self.assertContains(response, "Scores van 1 tot 4: grote verschillen.")
        self.assertContains(response, "Alle scores 3: eensgezind.")
        self.assertContains(response, "Alle scores 2; 1 keer niet van toepassing")
        self.assertContains(response, "Geen doel beschreven")
        self.assertContains(response, "Staat in het plan")
        self.assertContains(response, "Geen sensoren")
        self.assertContains(response, "Bob: <span class=\"wv-rater-open\">nog niet ingediend")
        self.assertContains(response, "2 van de 3 beoordelaars hebben ingediend.")

    def test_each_question_offers_the_scale_a_reason_and_a_note_to_choose_with(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url).content.decode()
        q = self.q11.pk
        section = body[body.index('id="vraag-1.1"'):body.index('id="vraag-2.1"')]
        for value in ("0", "1", "2", "3", "4", "unknown", "na"):
            self.assertRegex(section, rf'<input type="radio" [^>]*name="q{q}-answer" [^>]*value="{value}"')
        # The reason and the note are drawn as fields, not shown as escaped HTML.
        self.assertRegex(section, rf'<input type="text" name="q{q}-reason"')
        self.assertRegex(section, rf'<textarea name="q{q}-note"')
        self.assertNotIn("&lt;div", section)

    def test_the_group_chooses_the_answer_and_the_history_keeps_both(self):
        self.client.force_login(self.alice)
        q = self.q11.pk
        response = self.client.post(
            reverse("assessments:round_choose", args=[self.rating_round.pk, q]),
            {f"q{q}-answer": "2", f"q{q}-note": "Samen besloten", f"q{q}-version": "0",
             f"q{q}-original": "none"})
        self.assertRedirects(response, self.url + "#vraag-1.1", fetch_redirect_response=False)
        answer = Answer.objects.get(assessment=self.concept, question=self.q11)
        self.assertEqual((answer.score, answer.note, answer.updated_by),
                         (2, "Samen besloten", self.alice))
        self.assertEqual(Rating.objects.filter(question=self.q11).count(), 2)  # kept
        history = self.client.get(reverse("audit:assessment_history", args=[self.concept.pk]))
        self.assertContains(history, "Antwoord gekozen in de bespreking")
        self.assertContains(history, "Eigen scores ingediend")
        self.assertContains(history, "Staat in het plan")
        self.assertContains(history, "Vraag 1.1: 4")

    def test_a_unanimous_question_offers_the_raters_answer(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url).content.decode()
        self.assertIn(f'id="id_q{self.q12.pk}-answer_3" value="3" checked', body)

    def test_a_settled_question_folds_its_form(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url).content.decode()
        sections = body.split('<section class="wv-question')[1:]
        unrated = [x for x in sections if "Niemand heeft deze vraag gescoord." in x]
        rated = [x for x in sections if x not in unrated]
        self.assertTrue(rated and unrated)
        # Scored and not settled: open. Nobody scored it: folded, nothing to discuss.
        for section in rated:
            self.assertIn('class="wv-more wv-choose-details" open', section)
        for section in unrated:
            self.assertIn('class="wv-more wv-choose-details">', section)
        services.answer_save(assessment=self.concept, question=self.q12, user=self.dave,
                             values=score(3), base_version=0)
        body = self.client.get(self.url).content.decode()
        section = body[body.index('id="vraag-1.2"'):]
        section = section[:section.index("</section>")]
        self.assertIn('class="wv-more wv-choose-details">', section)  # folded: everyone agreed
        self.assertIn("Antwoord op 1.2 kiezen", section)

    def test_a_colleagues_answer_since_the_page_loaded_is_not_overwritten(self):
        services.answer_save(assessment=self.concept, question=self.q11, user=self.dave,
                             values=score(3), base_version=0)
        self.client.force_login(self.alice)
        q = self.q11.pk
        data = {f"q{q}-answer": "1", f"q{q}-version": "0", f"q{q}-original": "none"}
        url = reverse("assessments:round_choose", args=[self.rating_round.pk, q])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Dave heeft het antwoord intussen vastgelegd als: 3",
                            status_code=409)
        self.assertEqual(Answer.objects.get(question=self.q11).score, 3)
        # Choosing again, deliberately, replaces it.
        page = response.content.decode()
        self.assertIn(f'name="q{q}-version" value="1"', page)
        response = self.client.post(url, {**data, f"q{q}-version": "1"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Answer.objects.get(question=self.q11).score, 1)

    def test_malformed_choices_are_refused_without_writing(self):
        self.client.force_login(self.alice)
        q = self.q11.pk
        url = reverse("assessments:round_choose", args=[self.rating_round.pk, q])
        for data in ({}, {f"q{q}-answer": "7"}, {f"q{q}-answer": "2", f"q{q}-version": "-1"},
                     {f"q{q}-answer": "na", f"q{q}-version": "0"},
                     {f"q{q}-answer": "2", f"q{q}-note": "x" * 2001, f"q{q}-version": "0"}):
            with self.subTest(data=data):
                self.assertEqual(self.client.post(url, data).status_code, 400)
        self.assertEqual(self.client.post(reverse(
            "assessments:round_choose", args=[self.rating_round.pk, 999999]),
            {}).status_code, 404)
        self.assertFalse(Answer.objects.exists())

    def test_a_lezer_who_submitted_reads_the_discussion_but_cannot_choose(self):
        self.rate(self.rating_round, self.bob, {"1.1": score(2)})
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertContains(response, "Staat in het plan")
        self.assertNotContains(response, "vastleggen")
        q = self.q11.pk
        response = self.client.post(
            reverse("assessments:round_choose", args=[self.rating_round.pk, q]),
            {f"q{q}-answer": "2", f"q{q}-version": "0"})
        self.assertEqual(response.status_code, 403)

    def test_completing_the_assessment_closes_the_round(self):
        self.answer_all(self.concept, self.alice)
        services.assessment_complete(assessment=self.concept, user=self.alice)
        self.rating_round.refresh_from_db()
        self.assertFalse(self.rating_round.is_open)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Staat in het plan")
        self.assertNotContains(response, "vastleggen")

    def test_discussion_queries_do_not_grow_with_raters_or_ratings(self):
        self.client.force_login(self.alice)

        def count():
            self.client.get(self.url)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            return len(queries)

        small = count()
        extra = [self.make_user(f"rater{i}", self.utrecht, Role.EDITOR) for i in range(6)]
        Rater.objects.bulk_create(Rater(round=self.rating_round, user=u) for u in extra)
        every = {q.code: score(i % 5, f"Toelichting {i}") for i, q in
                 enumerate(Question.objects.filter(is_active=True)[:30])}
        for user in [self.bob, *extra]:
            self.rate(self.rating_round, user, every)
        answers = [q for q in readmodel.assessment_result(self.concept).questions
                   if q.applicable]
        for view in answers[:10]:
            services.answer_save(assessment=self.concept, question=Question.objects.get(
                pk=view.id), user=self.dave, values=score(2), base_version=0)
        large = count()
        self.assertEqual(small, large)
        self.assertLess(large, 25)


class NotAConceptTests(RatingRoundTestCase):
    def test_a_completed_assessment_cannot_get_a_round(self):
        self.answer_all(self.concept, self.alice)
        services.assessment_complete(assessment=self.concept, user=self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("assessments:round_start", args=[self.concept.pk]),
                                    {"raters": [self.dave.pk, self.bob.pk]})
        self.assertRedirects(response, reverse("assessments:results", args=[self.concept.pk]))
        self.assertFalse(RatingRound.objects.exists())
        self.assertEqual(Assessment.objects.get(pk=self.concept.pk).status, "afgerond")


class PendingRaterActionTests(RatingRoundTestCase):
    """A concept's improvement actions are shared work too: a rater who has not submitted sees
    none of them, on the portfolio (page, CSV, PDF) nor on an action's own page."""

    def setUp(self):
        # The project has no completed assessment: its plan is the concept's.
        self.action = services.action_create(
            assessment=self.concept, user=self.alice,
            perspective=Perspective.objects.get(number=1),
            description="Geheime conceptactie", owner="Projectleider Geheim",
            due_date=date(2020, 1, 1))
        self.rating_round = self.start_round(raters=[self.dave, self.bob])

    def portfolio_texts(self, user):
        self.client.force_login(user)
        page = self.client.get(reverse("assessments:portfolio"))
        csv_file = self.client.get(reverse("assessments:portfolio_actions_csv"))
        self.assertEqual((page.status_code, csv_file.status_code), (200, 200))
        pdf_html = portfolio.portfolio_html(portfolio.PortfolioReportPresenter(user.membership))
        return {"page": page.content.decode(), "csv": csv_file.content.decode("utf-8-sig"),
                "pdf": pdf_html}

    def test_the_portfolio_leaves_out_a_concepts_actions_until_the_rater_submits(self):
        for user in (self.bob, self.dave):  # a lezer and a bewerker, both pending
            for where, text in self.portfolio_texts(user).items():
                with self.subTest(user=user.username, where=where):
                    self.assertNotIn("Geheime conceptactie", text)
                    self.assertNotIn("Projectleider Geheim", text)
        # alice is no rater: she sees the plan.
        for where, text in self.portfolio_texts(self.alice).items():
            with self.subTest(user="alice", where=where):
                self.assertIn("Geheime conceptactie", text)
        self.rate(self.rating_round, self.bob, {})
        for where, text in self.portfolio_texts(self.bob).items():
            with self.subTest(user="bob submitted", where=where):
                self.assertIn("Geheime conceptactie", text)
        services.rating_round_close(rating_round=self.rating_round, user=self.alice)
        for where, text in self.portfolio_texts(self.dave).items():
            with self.subTest(user="dave, round closed", where=where):
                self.assertIn("Geheime conceptactie", text)

    def test_a_pending_rater_cannot_open_the_concepts_action(self):
        url = reverse("assessments:action_edit", args=[self.action.pk])
        self.client.force_login(self.dave)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "Geheime conceptactie", status_code=403)
        self.assertContains(response, "Eerst uw eigen scores", status_code=403)
        response = self.client.post(url, {"description": "Overschreven"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Action.objects.get(pk=self.action.pk).description,
                         "Geheime conceptactie")
        self.rate(self.rating_round, self.dave, {})
        self.assertContains(self.client.get(url), "Geheime conceptactie")


class StaleRaterTests(RatingRoundTestCase):
    """The Rater a request read at its start may be stale by the time it saves: a second tab
    submitted, or a bewerker closed the round. Nothing changes after that."""

    def setUp(self):
        self.rating_round = self.start_round()
        self.stale = Rater.objects.select_related("round__assessment").get(
            round=self.rating_round, user=self.dave)

    def test_a_save_after_submission_in_another_tab_is_refused(self):
        services.rating_save(rater=self.stale, question=self.q11, values=score(1, "Eerst"))
        services.rating_submit(rater=Rater.objects.select_related("round__assessment").get(
            pk=self.stale.pk))
        with self.assertRaises(services.RatingClosed):
            services.rating_save(rater=self.stale, question=self.q11, values=score(4, "Later"))
        self.assertEqual(Rating.objects.get(rater=self.stale).note, "Eerst")

    def test_a_save_or_submit_after_the_round_closed_is_refused(self):
        services.rating_round_close(rating_round=self.rating_round, user=self.alice)
        with self.assertRaises(services.RatingClosed):
            services.rating_save(rater=self.stale, question=self.q11, values=score(4))
        with self.assertRaises(services.RatingClosed):
            services.rating_submit(rater=self.stale)
        self.assertFalse(Rating.objects.filter(rater=self.stale).exists())
        self.assertIsNone(Rater.objects.get(pk=self.stale.pk).submitted_at)

    def test_a_step_posted_from_a_stale_tab_says_the_scores_are_in(self):
        self.client.force_login(self.dave)
        url = reverse("assessments:rating_step", args=[self.rating_round.pk, 1])
        data = step_data(self.concept, 1, None, {"1.1": "2"})
        self.assertEqual(self.client.get(url).status_code, 200)
        # The tab's page was loaded; meanwhile the scores were submitted from another one.
        real = services.rating_submit

        def submitted_meanwhile(**kwargs):
            real(rater=Rater.objects.select_related("round__assessment").get(
                pk=kwargs["rater"].pk))
            return services_rating_save(**kwargs)

        services_rating_save = services.rating_save
        with mock.patch.object(services, "rating_save", submitted_meanwhile):
            response = self.client.post(url, data)
        self.assertRedirects(response, reverse("assessments:round_discussion",
                                               args=[self.rating_round.pk]))
        self.assertFalse(Rating.objects.filter(rater=self.stale).exists())


class AutosaveWhilePendingTests(RatingRoundTestCase):
    def test_a_pending_bewerker_gets_a_json_refusal(self):
        rating_round = self.start_round(raters=[self.dave, self.bob])
        self.client.force_login(self.dave)
        response = self.client.post(reverse("assessments:answer_autosave",
                                            args=[self.concept.pk, self.q11.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], "rating_pending")
        self.assertIn("Eerst uw eigen scores", body["message"])
        self.assertEqual(body["url"], reverse("assessments:rating_step",
                                              args=[rating_round.pk, 0]))


class DiscussionPresenterTests(RatingRoundTestCase):
    def test_the_questions_are_built_once_per_page(self):
        rating_round = self.start_round()
        self.rate(rating_round, self.alice, {"1.1": score(0)})
        self.rate(rating_round, self.dave, {"1.1": score(4)})
        applicable = sum(1 for q in readmodel.assessment_result(self.concept).questions
                         if q.applicable)
        self.client.force_login(self.alice)
        with mock.patch.object(DiscussionPresenter, "_question", autospec=True,
                               side_effect=DiscussionPresenter._question) as built:
            response = self.client.get(reverse("assessments:round_discussion",
                                               args=[rating_round.pk]))
        self.assertContains(response, "Bij 1 vraag lopen de scores uiteen")
        self.assertEqual(built.call_count, applicable)
