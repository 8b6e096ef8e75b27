"""Every view × every kind of user: the expected status, and no data of another municipality."""

from django.urls import reverse

from assessments import services
from assessments.models import AnswerKind, Rater
from perspectives.models import Question
from waardevol.examples import services as example_services

from .base import BaseTestCase, completed_assessment

LOGIN = "/account/login/"


class PermissionMatrixTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_assessed_project("Geheim Utrechts project", action="Geheime Utrechtse actie")
        cls.question = Question.objects.get(code="1.1")
        cls.other_project = cls.make_project(cls.amersfoort, cls.charlie, name="Amersfoorts project")
        # A rating round on another concept: alice submitted, bob (a lezer) still has to.
        rated = services.assessment_start(
            project=cls.make_project(cls.utrecht, cls.alice, name="Geheim Utrechts project 2"),
            user=cls.alice, language="nl")
        cls.rating_round = services.rating_round_start(assessment=rated, user=cls.alice,
                                                       raters=[cls.alice, cls.bob])
        alice_rater = Rater.objects.get(round=cls.rating_round, user=cls.alice)
        services.rating_save(rater=alice_rater, question=cls.question, values=services.AnswerValues(
            AnswerKind.SCORE, score=2, note="Geheime Utrechtse actie"))
        services.rating_submit(rater=alice_rater)
        # Utrecht publishes its completed assessment (the title is not the project's name), and
        # withdraws an earlier one of another project.
        cls.example = example_services.example_publish(
            assessment=cls.completed, user=cls.alice, title="Openbaar voorbeeld",
            description="Wat wij leerden.", include_notes=False)
        withdrawn = completed_assessment(cls.utrecht, cls.alice, "Geheim ingetrokken project")
        cls.withdrawn = example_services.example_publish(
            assessment=withdrawn, user=cls.alice, title="Ingetrokken voorbeeld",
            description="Weg.", include_notes=False)
        example_services.example_withdraw(example=cls.withdrawn, user=cls.alice)

    def matrix(self):
        p, a, c = self.project.pk, self.concept.pk, self.completed.pk
        e, w = self.example.pk, self.withdrawn.pk
        r = self.rating_round.pk
        q = self.question.pk
        # name, args, method, {role: status}; roles: anon, editor, reader, other, vng
        return [
            ("assessments:overview", [], "get", (302, 200, 200, 200, 302)),
            ("assessments:overview_csv", [], "get", (302, 200, 200, 200, 302)),
            ("assessments:portfolio", [], "get", (302, 200, 200, 200, 302)),
            ("assessments:portfolio_actions_csv", [], "get", (302, 200, 200, 200, 302)),
            ("assessments:portfolio_pdf", [], "get", (302, 200, 200, 200, 302)),
            ("assessments:project_create", [], "get", (302, 200, 403, 200, 403)),
            ("assessments:project_detail", [p], "get", (302, 200, 200, 404, 404)),
            ("assessments:project_edit", [p], "get", (302, 200, 403, 404, 404)),
            ("assessments:project_compare", [p], "get", (302, 200, 200, 404, 404)),
            ("assessments:assessment_start", [p], "post", (302, 302, 403, 404, 404)),
            ("assessments:resume", [a], "get", (302, 302, 302, 404, 404)),
            ("assessments:step", [a, 1], "get", (302, 200, 403, 404, 404)),
            ("assessments:step", [a, 0], "get", (302, 200, 403, 404, 404)),
            ("assessments:step", [a, 11], "get", (302, 200, 403, 404, 404)),
            ("assessments:answer_autosave", [a, q], "post", (302, 400, 403, 404, 404)),
            ("assessments:complete", [a], "post", (302, 302, 403, 404, 404)),
            ("assessments:reopen", [c], "post", (302, 302, 403, 404, 404)),
            ("assessments:results", [a], "get", (302, 200, 200, 404, 404)),
            ("assessments:results", [c], "get", (302, 200, 200, 404, 404)),
            ("assessments:action_create", [c], "get", (302, 200, 403, 404, 404)),
            ("assessments:action_create", [c], "post", (302, 400, 403, 404, 404)),
            # A completed assessment is refused with a message (302); see test_lifecycle.
            ("assessments:delete", [c], "post", (302, 302, 403, 404, 404)),
            ("assessments:delete", [a], "get", (302, 405, 405, 405, 405)),
            ("assessments:action_edit", [self.action.pk], "get", (302, 200, 403, 404, 404)),
            # The history is for bewerkers: a lezer gets a 403, as for a write.
            ("audit:municipality_history", [], "get", (302, 200, 403, 200, 302)),
            ("audit:municipality_history_csv", [], "get", (302, 200, 403, 200, 302)),
            ("audit:project_history", [p], "get", (302, 200, 403, 404, 404)),
            ("audit:project_history_csv", [p], "get", (302, 200, 403, 404, 404)),
            ("audit:assessment_history", [c], "get", (302, 200, 403, 404, 404)),
            ("audit:assessment_history", [a], "get", (302, 200, 403, 404, 404)),
            ("audit:assessment_history_csv", [c], "get", (302, 200, 403, 404, 404)),
            # Rating rounds. A lezer may rate (bob is a rater who has not submitted: he sees no
            # discussion yet); alice submitted, so her questionnaire sends her to the discussion.
            ("assessments:round_start", [a], "get", (302, 200, 403, 404, 404)),
            ("assessments:round_start", [a], "post", (302, 400, 403, 404, 404)),
            ("assessments:rating_step", [r, 1], "get", (302, 302, 200, 404, 404)),
            ("assessments:rating_step", [r, 0], "get", (302, 302, 200, 404, 404)),
            ("assessments:rating_submit", [r], "get", (302, 405, 405, 405, 405)),
            ("assessments:round_discussion", [r], "get", (302, 200, 403, 404, 404)),
            ("assessments:round_choose", [r, q], "post", (302, 400, 403, 404, 404)),
            ("assessments:round_close", [r], "get", (302, 405, 405, 405, 405)),
            # The library: every member of every municipality reads published examples; only
            # a bewerker of the publisher withdraws; a withdrawn one is gone for everyone.
            ("examples:library", [], "get", (302, 200, 200, 200, 302)),
            ("examples:detail", [e], "get", (302, 200, 200, 200, 302)),
            ("examples:detail", [w], "get", (302, 404, 404, 404, 302)),
            ("examples:start", [e], "get", (302, 200, 403, 200, 302)),
            ("examples:start", [e], "post", (302, 400, 403, 400, 302)),
            ("examples:start", [w], "get", (302, 404, 404, 404, 302)),
            ("examples:publish", [c], "get", (302, 200, 403, 404, 302)),
            # Published already: the example is shown instead (see test_examples).
            ("examples:publish", [c], "post", (302, 302, 403, 404, 302)),
            # Asks first; only the publishing municipality's bewerkers.
            ("examples:withdraw", [e], "get", (302, 200, 403, 403, 302)),
            ("examples:withdraw", [w], "post", (302, 302, 403, 404, 302)),
            ("invite_create", [], "get", (302, 200, 403, 403, 403)),
            ("members", [], "get", (302, 200, 403, 403, 403)),
            # Withdrawing and blocking are POSTs (test_audit's PendingInvitationTests and
            # MemberAccessTests say who may).
            ("invitation_withdraw", [1], "get", (302, 405, 405, 405, 405)),
            ("member_access", [self.bob.membership.pk], "get", (302, 405, 405, 405, 405)),
            # The national benchmark: the VNG's page of aggregates, and the beheerder's opt-in.
            ("benchmark:national", [], "get", (302, 403, 403, 403, 200)),
            ("benchmark:participation", [], "get", (302, 200, 403, 403, 403)),
            ("benchmark:participation", [], "post", (302, 400, 403, 403, 403)),
            ("member_edit", [self.bob.membership.pk], "get", (302, 200, 403, 404, 404)),
            # The second factor is for staff; vng has given it already (see SecondFactorClient).
            ("two_factor_verify", [], "get", (302, 403, 403, 403, 302)),
            ("two_factor_setup", [], "get", (302, 403, 403, 403, 200)),
            ("two_factor_recovery_codes", [], "get", (302, 403, 403, 403, 200)),
            ("two_factor_recovery_codes", [], "post", (302, 403, 403, 403, 302)),
        ]

    def users(self):
        return [None, self.alice, self.bob, self.charlie, self.vng]

    def test_matrix(self):
        for name, args, method, expected in self.matrix():
            for user, status in zip(self.users(), expected, strict=True):
                with self.subTest(view=name, args=args, user=getattr(user, "username", "anon")):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    response = getattr(self.client, method)(reverse(name, args=args))
                    self.assertEqual(response.status_code, status)
                    if user is None:
                        self.assertTrue(response["Location"].startswith(LOGIN))
                    else:
                        # Whatever the outcome, nothing a logged-in user sees may be cached.
                        self.assertEqual(response["Cache-Control"], "private, no-store")
                    if user in (self.charlie, self.vng):
                        # (A PDF is binary; test_portfolio reads the portfolio PDF's text.)
                        body = response.getvalue().decode(errors="replace")
                        self.assertNotIn("Geheim Utrechts project", body)
                        self.assertNotIn("Geheime Utrechtse actie", body)
                        self.assertNotIn("Geheim ingetrokken project", body)
                        self.assertNotIn("Ingetrokken voorbeeld", body)
                        # Of a published example: no person's name (the action's owner and
                        # Alice are people); only the example's own title may appear.
                        self.assertNotIn("Wethouder", body)
                        self.assertNotIn("Alice", body)

    def test_portfolio_and_exports_show_only_own_municipality(self):
        for name in ("assessments:overview_csv", "assessments:portfolio",
                     "assessments:portfolio_actions_csv"):
            with self.subTest(view=name):
                self.client.force_login(self.charlie)
                self.assertNotContains(self.client.get(reverse(name)), "Geheim")
                self.client.force_login(self.bob)
                response = self.client.get(reverse(name))
                self.assertContains(response, "Geheim Utrechts project")
                self.assertNotContains(response, "Amersfoorts project")

    def test_the_benchmark_shows_other_municipalities_only_as_anonymised_aggregates(self):
        from assessments.models import Municipality
        from waardevol.benchmark import services as benchmark_services

        from .test_benchmark import seed_municipalities

        seed_municipalities(5)
        for municipality in (self.utrecht, self.amersfoort):
            benchmark_services.participation_set(municipality=municipality, opted_in=True,
                                                 user=None)
        others = ["Geheim Utrechts project", "Geheime Utrechtse actie", "Alice", "Bench",
                  "Project 0000", "Zie projectplan", "Informatiebord plaatsen",
                  *Municipality.objects.exclude(pk=self.amersfoort.pk)
                  .values_list("name", flat=True)]
        self.client.force_login(self.vng)
        for url in (reverse("benchmark:national"),
                    reverse("benchmark:national") + "?fase=idee&kenmerk=ai"):
            body = self.client.get(url).content.decode()
            for secret in [*others, "Amersfoort", "Charlie"]:
                self.assertNotIn(secret, body)
        # Amersfoort's own results page: its own project, the others only as aggregates.
        self.client.force_login(self.charlie)
        own = completed_assessment(self.amersfoort, self.charlie, "Amersfoortse meting")
        response = self.client.get(reverse("assessments:results", args=[own.pk]))
        self.assertContains(response, "Landelijke mediaan")
        for secret in others:
            self.assertNotContains(response, secret)

    def test_vng_editor_is_sent_to_the_admin_from_the_portfolio(self):
        self.client.force_login(self.vng)
        for name in ("assessments:portfolio", "assessments:overview_csv",
                     "assessments:portfolio_actions_csv", "assessments:portfolio_pdf"):
            self.assertRedirects(self.client.get(reverse(name)), reverse("admin:index"))

    def test_overview_lists_only_own_municipality(self):
        self.client.force_login(self.charlie)
        response = self.client.get(reverse("assessments:overview"))
        self.assertContains(response, "Amersfoorts project")
        self.assertNotContains(response, "Geheim Utrechts project")
        self.client.force_login(self.bob)
        response = self.client.get(reverse("assessments:overview"))
        self.assertContains(response, "Geheim Utrechts project")
        self.assertNotContains(response, "Amersfoorts project")

    def test_guessed_sequential_ids_of_another_municipality_are_404(self):
        self.client.force_login(self.charlie)
        for pk in range(max(self.project.pk - 2, 1), self.project.pk + 3):
            if pk == self.other_project.pk:
                continue
            self.assertEqual(
                self.client.get(reverse("assessments:project_detail", args=[pk])).status_code, 404)
        for pk in (self.concept.pk, self.completed.pk, self.completed.pk + 1):
            self.assertEqual(
                self.client.get(reverse("assessments:results", args=[pk])).status_code, 404)

    def test_reader_cannot_write_anything(self):
        self.client.force_login(self.bob)
        before = self.concept.answers.count()
        response = self.client.post(
            reverse("assessments:answer_autosave", args=[self.concept.pk, self.question.pk]),
            {f"q{self.question.pk}-answer": "4", f"q{self.question.pk}-version": "0"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.concept.answers.count(), before)
        results = self.client.get(reverse("assessments:results", args=[self.completed.pk]))
        self.assertNotContains(results, "Verbeteractie toevoegen")
        self.assertNotContains(results, "Heropenen")

    def test_vng_editor_lands_in_the_admin_after_login(self):
        self.client.force_login(self.vng)
        response = self.client.get(reverse("assessments:overview"))
        self.assertRedirects(response, reverse("admin:index"))

    def test_rating_round_writes_by_role(self):
        """The POSTs the matrix leaves out because they change state: submitting and closing."""
        submit = reverse("assessments:rating_submit", args=[self.rating_round.pk])
        close = reverse("assessments:round_close", args=[self.rating_round.pk])
        for user, status in ((self.charlie, 404), (self.vng, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(submit).status_code, status)
            self.assertEqual(self.client.post(close).status_code, status)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(close).status_code, 403)
        self.assertEqual(self.client.post(submit).status_code, 302)
        self.assertTrue(Rater.objects.get(round=self.rating_round, user=self.bob).is_submitted)
        self.assertEqual(self.client.post(close).status_code, 403)  # a lezer, submitted or not
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(close).status_code, 302)
        self.rating_round.refresh_from_db()
        self.assertFalse(self.rating_round.is_open)
