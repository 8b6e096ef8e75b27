"""The library of examples: publishing (what is and is never copied), who sees what, withdrawal,
and starting a project from an example with its answers marked as adopted."""

from django.contrib.admin.models import LogEntry
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Answer, AnswerKind, Assessment, Project
from perspectives.models import Perspective, Question
from waardevol.audit.models import AuditEvent, AuditKind
from waardevol.examples import services
from waardevol.examples.models import PublishedExample

from .base import BaseTestCase, completed_assessment, set_answer
from .htmlforms import form_data

NOTE = "Besproken met wethouder Jansen en Pietje Puk"
REASON = "Geregeld door Klaasje Kwak"


def with_notes(assessment):
    set_answer(assessment, "1.1", 2, note=NOTE)
    Answer.objects.filter(assessment=assessment, question__code="2.1").update(
        kind=AnswerKind.NOT_APPLICABLE, score=None, na_reason=REASON)


class ExampleTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alice.first_name, cls.alice.last_name = "Alice", "Achternaam"
        cls.alice.save()
        cls.source = completed_assessment(cls.utrecht, cls.alice, "Geheim Utrechts project",
                                          processes_personal_data=True, adjust=with_notes)
        assessment_services.action_create(
            assessment=cls.source, user=cls.alice, perspective=Perspective.objects.get(number=1),
            description="Geheime Utrechtse actie", owner="Eigenaar Erik")

    def publish(self, *, include_notes=False, title="Sensoren in de binnenstad", **kwargs):
        return services.example_publish(
            assessment=self.source, user=self.alice, title=title,
            description="Wat wij leerden van sensoren.", include_notes=include_notes, **kwargs)


class PublishTests(ExampleTestCase):
    def test_publish_form_prefills_the_project_name_and_says_what_is_shown(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("examples:publish", args=[self.source.pk]))
        self.assertContains(response, 'value="Geheim Utrechts project"')
        self.assertContains(response, "De naam van uw gemeente (Utrecht)")
        self.assertContains(response, "die namen worden niet getoond")
        # Notes are free text: the page does not promise that they hold no names.
        self.assertContains(response, "haal die er dan eerst uit")
        self.assertNotContains(response, "Namen van personen")

    def test_publishing_needs_the_no_names_check_and_records_it_in_the_trail(self):
        self.client.force_login(self.alice)
        url = reverse("examples:publish", args=[self.source.pk])
        data = {"title": "Sensoren", "description": "Leerzaam."}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(PublishedExample.objects.exists())
        response = self.client.post(url, {**data, "no_names": "on"})
        example = PublishedExample.objects.get()
        self.assertRedirects(response, reverse("examples:detail", args=[example.pk]))
        self.assertEqual((example.municipality, example.title, example.include_notes),
                         (self.utrecht, "Sensoren", False))
        event = AuditEvent.objects.get(kind=AuditKind.EXAMPLE_PUBLISHED)
        self.assertEqual((event.assessment_id, event.changes["title"]), (self.source.pk, "Sensoren"))

    def test_title_and_description_are_cleaned_and_limited(self):
        self.client.force_login(self.alice)
        url = reverse("examples:publish", args=[self.source.pk])
        response = self.client.post(url, {"title": "x" * 121, "description": "ok",
                                          "no_names": "on"})
        self.assertEqual(response.status_code, 400)
        self.client.post(url, {"title": "Sensoren\u202e", "description": "a\u0000b",
                               "no_names": "on"})
        example = PublishedExample.objects.get()
        self.assertEqual((example.title, example.description), ("Sensoren", "ab"))

    def test_a_concept_cannot_be_published(self):
        concept = Assessment.objects.create(project=self.source.project, started_by=self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("examples:publish", args=[concept.pk]),
                                    {"title": "x", "description": "y", "no_names": "on"})
        self.assertRedirects(response, reverse("assessments:results", args=[concept.pk]),
                             fetch_redirect_response=False)
        self.assertFalse(PublishedExample.objects.exists())
        with self.assertRaises(services.NotPublishable):
            services.example_publish(assessment=concept, user=self.alice, title="x",
                                     description="y", include_notes=False)

    def test_an_assessment_is_published_once_at_a_time(self):
        example = self.publish()
        with self.assertRaises(services.AlreadyPublished):
            self.publish()
        self.client.force_login(self.alice)
        response = self.client.get(reverse("examples:publish", args=[self.source.pk]))
        self.assertContains(response, "al gepubliceerd")
        self.assertNotContains(response, 'name="title"')
        services.example_withdraw(example=example, user=self.alice)
        self.assertNotEqual(self.publish(title="Opnieuw").pk, example.pk)

    def test_results_page_offers_publishing_to_bewerkers_only(self):
        url = reverse("assessments:results", args=[self.source.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url), "Publiceren als voorbeeld")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(url), "Publiceren als voorbeeld")


class WhatAnExampleShowsTests(ExampleTestCase):
    """Another municipality sees the example and nothing else: no person, no action or owner,
    no notes or reasons unless chosen, no project name unless typed as the title."""

    SECRETS = ["Alice", "Achternaam", "alice", "Geheim Utrechts project",
               "Geheime Utrechtse actie", "Eigenaar Erik"]

    def pages(self, example):
        self.client.force_login(self.charlie)
        return [self.client.get(url) for url in (
            reverse("examples:library"), reverse("examples:detail", args=[example.pk]),
            reverse("examples:start", args=[example.pk]))]

    def test_without_notes(self):
        example = self.publish()
        for response in self.pages(example):
            self.assertEqual(response.status_code, 200)
            body = response.content.decode()
            for secret in [*self.SECRETS, NOTE, REASON, "Jansen"]:
                self.assertNotIn(secret, body)
            self.assertIn("Sensoren in de binnenstad", body)
            self.assertIn("Utrecht", body)  # the publishing municipality is named
        # Nor in the stored copy, whatever a future page might read of it.
        stored = str(PublishedExample.objects.values("result").get())
        self.assertNotIn(NOTE, stored)
        self.assertNotIn(REASON, stored)

    def test_with_notes_only_the_notes_are_added(self):
        example = self.publish(include_notes=True)
        detail = self.pages(example)[1]
        self.assertContains(detail, NOTE)
        self.assertContains(detail, REASON)
        for secret in self.SECRETS:
            self.assertNotContains(detail, secret)

    def test_the_project_name_shows_when_the_publisher_typed_it_as_title(self):
        example = self.publish(title="Geheim Utrechts project")
        self.assertContains(self.pages(example)[1], "Geheim Utrechts project")

    def test_later_changes_and_deletion_of_the_source_never_show(self):
        example = self.publish()
        Project.objects.filter(pk=self.source.project_id).update(name="Nieuwe naam")
        concept = assessment_services.assessment_reopen(assessment=self.source, user=self.alice)
        set_answer(concept, "1.1", 4, note="Nieuwe notitie")
        self.source.project.delete()
        example.refresh_from_db()
        self.assertIsNone(example.source_id)
        detail = self.pages(example)[1]
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, "Nieuwe notitie")
        self.assertNotContains(detail, "Nieuwe naam")

    def test_other_municipalities_data_never_appears_in_the_library(self):
        self.publish()
        completed_assessment(self.amersfoort, self.charlie, "Amersfoorts ongepubliceerd")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(reverse("examples:library")),
                               "Amersfoorts ongepubliceerd")


class WithdrawalTests(ExampleTestCase):
    def test_withdrawal_makes_it_invisible_at_once_for_everyone(self):
        example = self.publish()
        detail = reverse("examples:detail", args=[example.pk])
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(detail).status_code, 200)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("examples:withdraw", args=[example.pk]))
        self.assertRedirects(response, reverse("examples:library"))
        for user in (self.alice, self.bob, self.charlie):
            self.client.force_login(user)
            self.assertEqual(self.client.get(detail).status_code, 404)
            self.assertEqual(
                self.client.get(reverse("examples:start", args=[example.pk])).status_code, 404)
            self.assertNotContains(self.client.get(reverse("examples:library")),
                                   "Sensoren in de binnenstad")
        example.refresh_from_db()
        self.assertEqual(example.withdrawn_by, self.alice)
        self.assertTrue(AuditEvent.objects.filter(kind=AuditKind.EXAMPLE_WITHDRAWN,
                                                  assessment=self.source).exists())

    def test_only_bewerkers_of_the_publisher_withdraw(self):
        example = self.publish()
        url = reverse("examples:withdraw", args=[example.pk])
        for user in (self.bob, self.charlie):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, 403)
        example.refresh_from_db()
        self.assertTrue(example.is_published)
        self.client.force_login(self.charlie)
        self.assertNotContains(self.client.get(reverse("examples:detail", args=[example.pk])),
                               "Voorbeeld intrekken")

    def test_withdrawing_asks_first(self):
        example = self.publish()
        self.client.force_login(self.alice)
        url = reverse("examples:withdraw", args=[example.pk])
        detail = self.client.get(reverse("examples:detail", args=[example.pk]))
        self.assertContains(detail, f'<a class="utrecht-link" href="{url}">Voorbeeld intrekken</a>')
        page = self.client.get(url)
        self.assertContains(page, "Voorbeeld intrekken?")
        self.assertContains(page, "Na intrekken ziet geen enkele gemeente ‘Sensoren in de "
                                  "binnenstad’ meer.")
        self.assertContains(page, f'<form method="post" action="{url}"')
        self.assertContains(page, "Ja, intrekken")
        self.assertContains(page, "Nee, terug")
        example.refresh_from_db()
        self.assertTrue(example.is_published)  # asking withdrew nothing
        self.assertEqual(self.client.put(url).status_code, 405)
        # Others may not even be asked.
        for user in (self.bob, self.charlie):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        # The source's results page says it is published, and links it.
        self.client.force_login(self.alice)
        results = self.client.get(reverse("assessments:results", args=[self.source.pk]))
        self.assertContains(results, "Gepubliceerd als voorbeeld:")
        self.assertContains(results, reverse("examples:detail", args=[example.pk]))
        self.assertNotContains(results, "Publiceren als voorbeeld")
        self.client.post(url)
        results = self.client.get(reverse("assessments:results", args=[self.source.pk]))
        self.assertContains(results, "Publiceren als voorbeeld")
        self.assertRedirects(self.client.get(url), reverse("examples:library"))

    def test_withdrawing_twice_is_told_not_an_error(self):
        example = self.publish()
        self.client.force_login(self.alice)
        url = reverse("examples:withdraw", args=[example.pk])
        self.client.post(url)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "al ingetrokken")


class VngWithdrawalTests(ExampleTestCase):
    """VNG editors take down an example in the admin: the same withdrawal, with their name in
    the publisher's history; they read its texts there and change nothing else."""

    changelist = reverse("admin:examples_publishedexample_changelist")

    def withdraw_in_admin(self, *examples):
        """The list's action, confirmed on the page it shows first."""
        return self.client.post(self.changelist, {
            "action": "withdraw", "_selected_action": [e.pk for e in examples], "post": "yes"},
            follow=True)

    def test_withdrawing_asks_first_and_names_what_goes(self):
        example = self.publish(title="Sensoren <i>binnenstad</i>")
        self.client.force_login(self.vng)
        for url in (self.changelist,  # the list's action, or the example page's button
                    reverse("admin:examples_publishedexample_change", args=[example.pk])):
            with self.subTest(url=url):
                if url != self.changelist:
                    self.assertContains(self.client.get(url), f'action="{self.changelist}"')
                page = self.client.post(self.changelist, {"action": "withdraw",
                                                          "_selected_action": [example.pk]})
                self.assertContains(page, "Weet u zeker dat u dit voorbeeld wilt intrekken?")
                self.assertContains(page, "Sensoren &lt;i&gt;binnenstad&lt;/i&gt; (Utrecht)")
                self.assertContains(page, 'name="post" value="yes"')
                self.assertContains(page, f'name="_selected_action" value="{example.pk}"')
                self.assertContains(page, f'href="{self.changelist}"')  # "Nee, terug"
                example.refresh_from_db()
                self.assertTrue(example.is_published)
        self.assertFalse(AuditEvent.objects.filter(kind=AuditKind.EXAMPLE_WITHDRAWN).exists())
        self.assertContains(self.withdraw_in_admin(example), "1 voorbeeld is ingetrokken")

    def test_a_confirmation_tells_what_was_withdrawn_meanwhile(self):
        """Asked on a filtered list, with one example of the selection withdrawn already and
        the other withdrawn by a colleague before the editor confirms: both are told."""
        first = self.publish(title="Eerste")
        other = completed_assessment(self.utrecht, self.alice, "Tweede project")
        second = services.example_publish(assessment=other, user=self.alice, title="Tweede",
                                          description="d", include_notes=False)
        services.example_withdraw(example=first, user=self.alice)
        self.client.force_login(self.vng)
        page = self.client.post(f"{self.changelist}?status=published", {
            "action": "withdraw", "_selected_action": [first.pk, second.pk]})
        self.assertContains(page, "Tweede (Utrecht)")
        self.assertNotContains(page, "Eerste (Utrecht)")  # not named as going: it is gone
        self.assertContains(page, f'action="{self.changelist}"')
        services.example_withdraw(example=second, user=self.alice)  # a colleague, meanwhile
        response = self.client.post(self.changelist, {
            "action": "withdraw", "_selected_action": [first.pk, second.pk], "post": "yes"},
            follow=True)
        self.assertContains(response, "2 voorbeelden waren al ingetrokken.")

    def test_an_editor_finds_an_example_and_reads_its_texts_escaped(self):
        example = self.publish(include_notes=True, title="Sensoren <b>binnenstad</b>")
        self.client.force_login(self.vng)
        listing = self.client.get(self.changelist, {"q": "binnenstad"})
        self.assertContains(listing, "Sensoren &lt;b&gt;binnenstad&lt;/b&gt;")
        self.assertContains(listing, "Utrecht")
        self.assertNotContains(self.client.get(self.changelist, {"q": "sloot"}),
                               "binnenstad")
        detail = self.client.get(
            reverse("admin:examples_publishedexample_change", args=[example.pk]))
        self.assertEqual(detail.status_code, 200)
        # The notes and reasons a moderator has to read, by question; never the publisher.
        self.assertContains(detail, f"1.1 (toelichting): {NOTE}")
        self.assertContains(detail, f"2.1 (reden n.v.t.): {REASON}")
        self.assertNotContains(detail, "Achternaam")
        self.assertNotContains(detail, 'name="title"')  # nothing to edit
        self.assertContains(detail, "Dit voorbeeld intrekken")
        # Whatever a stored text holds is shown as text.
        example.result["questions"]["1.1"]["answer"]["note"] = "<script>alert(1)</script>"
        PublishedExample.objects.filter(pk=example.pk).update(result=example.result)
        detail = self.client.get(
            reverse("admin:examples_publishedexample_change", args=[example.pk]))
        self.assertContains(detail, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(detail, "<script>alert(1)")

    def test_an_editor_withdraws_it_for_everyone_and_the_publisher_sees_who(self):
        example = self.publish()
        self.vng.first_name, self.vng.last_name = "Vera", "VNG"
        self.vng.save()
        self.client.force_login(self.vng)
        response = self.withdraw_in_admin(example)
        self.assertContains(response, "1 voorbeeld is ingetrokken")
        example.refresh_from_db()
        self.assertEqual(example.withdrawn_by, self.vng)
        self.assertContains(self.client.get(self.changelist, {"status": "withdrawn"}),
                            "ingetrokken op")
        detail = self.client.get(
            reverse("admin:examples_publishedexample_change", args=[example.pk]))
        self.assertContains(detail, "ingetrokken op")
        self.assertNotContains(detail, "Dit voorbeeld intrekken")
        self.assertTrue(LogEntry.objects.filter(user=self.vng, object_id=str(example.pk),
                                                change_message="Ingetrokken").exists())
        self.assertNotContains(self.client.get(self.changelist, {"status": "published"}),
                               "Sensoren in de binnenstad")
        event = AuditEvent.objects.get(kind=AuditKind.EXAMPLE_WITHDRAWN, assessment=self.source)
        self.assertEqual(event.actor, self.vng)
        for user in (self.alice, self.charlie):
            self.client.force_login(user)
            self.assertEqual(
                self.client.get(reverse("examples:detail", args=[example.pk])).status_code, 404)
        self.client.force_login(self.alice)
        history = self.client.get(reverse("audit:assessment_history", args=[self.source.pk]))
        self.assertContains(history, "Vera VNG")
        # Twice (a second editor at the same moment) is told, not an error, and not recorded.
        self.client.force_login(self.vng)
        self.assertContains(self.withdraw_in_admin(example), "1 voorbeeld was al ingetrokken")
        self.assertEqual(AuditEvent.objects.filter(kind=AuditKind.EXAMPLE_WITHDRAWN).count(), 1)

    def test_the_list_names_no_municipal_employee_and_filters_by_no_person(self):
        example = self.publish()  # without notes
        services.example_withdraw(example=example, user=self.alice)  # the publisher herself
        self.client.force_login(self.vng)
        listing = self.client.get(self.changelist)
        self.assertContains(listing, "door de gemeente")
        # The list's count calls the withdrawn example what it is (it said "gepubliceerd").
        self.assertContains(listing, "1 voorbeeld")
        self.assertNotContains(listing, "gepubliceerd voorbeeld")
        self.assertNotContains(listing, "Achternaam")
        detail = self.client.get(
            reverse("admin:examples_publishedexample_change", args=[example.pk]))
        self.assertContains(detail, "door de gemeente")
        self.assertContains(detail, "geen: het voorbeeld is zonder toelichtingen gepubliceerd")
        self.assertNotContains(detail, "Achternaam")
        for lookup in ("published_by", "withdrawn_by", "source"):
            with self.subTest(lookup=lookup):
                response = self.client.get(self.changelist, {lookup: self.alice.pk})
                self.assertEqual(response.status_code, 400)

    def test_the_editor_group_keeps_its_example_rights_when_made_again(self):
        from django.contrib.auth.models import Group

        from perspectives.services import vng_editor_group_ensure

        group = Group.objects.get(name="VNG-beheerder")
        rights = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        group.permissions.clear()
        vng_editor_group_ensure()
        again = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        self.assertEqual(again, rights)
        self.assertTrue({"examples.view_publishedexample",
                         "examples.withdraw_publishedexample"} <= again)
        self.assertFalse({"examples.change_publishedexample",
                          "examples.delete_publishedexample"} & again)

    def test_nobody_adds_changes_or_deletes_an_example_in_the_admin(self):
        from django.contrib.auth.models import User

        example = self.publish()
        change = reverse("admin:examples_publishedexample_change", args=[example.pk])
        root = User.objects.create_superuser("root", "root@example.org", "x")
        for user in (self.vng, root):  # not even a superuser: the copy is what was published
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.post(change, {"title": "Anders", "description": "Anders"})
                self.assertEqual(response.status_code, 403)
                for name, args in (("admin:examples_publishedexample_add", []),
                                   ("admin:examples_publishedexample_delete", [example.pk])):
                    self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 403)
                self.client.post(self.changelist, {"action": "delete_selected",
                                                   "_selected_action": [example.pk]})
        example.refresh_from_db()
        self.assertEqual((example.title, example.is_published, PublishedExample.objects.count()),
                         ("Sensoren in de binnenstad", True, 1))

    def test_staff_without_the_permission_and_municipal_users_cannot_withdraw(self):
        from django.contrib.auth.models import Permission

        example = self.publish()
        viewer = self.make_staff_viewer(Permission.objects.get(codename="view_publishedexample"))
        self.client.force_login(viewer)
        self.assertEqual(self.client.get(self.changelist).status_code, 200)
        self.assertNotContains(self.client.get(
            reverse("admin:examples_publishedexample_change", args=[example.pk])),
            "Dit voorbeeld intrekken")
        self.withdraw_in_admin(example)
        self.client.force_login(self.alice)  # a bewerker of the publisher, but not staff
        self.assertEqual(self.withdraw_in_admin(example).redirect_chain[0][1], 302)
        example.refresh_from_db()
        self.assertTrue(example.is_published)

    def make_staff_viewer(self, permission):
        from django.contrib.auth.models import User

        user = User.objects.create_user("kijker", "kijker@example.org", "x", is_staff=True)
        user.user_permissions.add(permission)
        return user


class SearchTests(ExampleTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        other = completed_assessment(cls.amersfoort, cls.charlie, "Chatbot", uses_ai=True,
                                     has_public_channel=True)
        services.example_publish(assessment=other, user=cls.charlie, title="Chatbot voor inwoners",
                                 description="Een AI-chatbot.", include_notes=False)
        services.example_publish(assessment=cls.source, user=cls.alice, title="Sensoren",
                                 description="Meten in de stad.", include_notes=False)

    def titles(self, query):
        self.client.force_login(self.bob)
        response = self.client.get(reverse("examples:library") + query)
        return response.status_code, [row.title for row in response.context["library"].rows]

    def test_search_and_filters(self):
        self.assertEqual(self.titles(""), (200, ["Sensoren", "Chatbot voor inwoners"]))
        self.assertEqual(self.titles("?q=chatbot"), (200, ["Chatbot voor inwoners"]))
        self.assertEqual(self.titles("?q=stad"), (200, ["Sensoren"]))
        self.assertEqual(self.titles("?kenmerk=ai"), (200, ["Chatbot voor inwoners"]))
        self.assertEqual(self.titles("?kenmerk=personal_data"), (200, ["Sensoren"]))
        self.assertEqual(self.titles("?kenmerk=ai&kenmerk=personal_data"), (200, []))
        self.assertEqual(self.titles("?fase=idee"), (200, ["Sensoren", "Chatbot voor inwoners"]))
        self.assertEqual(self.titles("?fase=beheer"), (200, []))

    def test_an_invalid_filter_is_named_and_left_out(self):
        status, titles = self.titles("?kenmerk=bestaat-niet&q=chatbot")
        self.assertEqual((status, titles), (400, ["Chatbot voor inwoners"]))
        self.assertEqual(self.titles("?fase=%00")[0], 400)
        self.assertEqual(self.titles("?pagina=99999")[0], 200)

    def test_a_filter_repeated_a_thousand_times_counts_once(self):
        """Each copy was a condition of its own: SQLite refused the query (a 500), and every
        link on the page repeated the value as often."""
        query = "?" + "&".join(["kenmerk=ai"] * 1000)
        self.assertEqual(self.titles(query), (200, ["Chatbot voor inwoners"]))
        response = self.client.get(reverse("examples:library") + query)
        self.assertEqual(response.context["library"].query_string(), "kenmerk=ai")


class StartFromExampleTests(ExampleTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.example = services.example_publish(
            assessment=cls.source, user=cls.alice, title="Sensoren", description="d",
            include_notes=True)

    def start(self, copy=True, user=None):
        self.client.force_login(user or self.charlie)
        data = {"name": "Amersfoortse sensoren"}
        if copy:
            data["copy_answers"] = "on"
        return self.client.post(reverse("examples:start", args=[self.example.pk]), data)

    def test_creates_a_project_of_the_own_municipality_with_characteristics_and_phase(self):
        response = self.start(copy=False)
        project = Project.objects.get(name="Amersfoortse sensoren")
        assessment = project.assessments.get()
        self.assertRedirects(response, reverse("assessments:step", args=[assessment.pk, 0]))
        self.assertEqual(project.municipality, self.amersfoort)
        self.assertTrue(project.processes_personal_data)
        self.assertEqual(project.phase, self.example.phase)
        self.assertFalse(assessment.answers.exists())

    def test_answers_are_copied_as_adopted_without_notes(self):
        self.start()
        assessment = Assessment.objects.get(project__name="Amersfoortse sensoren")
        answers = {a.question.code: a for a in assessment.answers.select_related("question")}
        source = {a.question.code: a for a in self.source.answers.select_related("question")}
        self.assertEqual(answers.keys(), source.keys())
        self.assertTrue(all(a.adopted_from_example for a in answers.values()))
        self.assertEqual(answers["1.1"].score, 2)
        self.assertEqual(answers["1.1"].note, "")
        self.assertEqual(answers["2.1"].na_reason, REASON)  # the example included its reasons
        self.assertEqual(answers["1.1"].updated_by, self.charlie)
        event = AuditEvent.objects.get(kind=AuditKind.EXAMPLE_ADOPTED)
        self.assertEqual(event.changes["copied"], len(source))

    def test_answers_to_questions_that_no_longer_exist_are_named(self):
        Question.objects.filter(code="1.1").update(code="1.1-oud")
        from perspectives.selectors import content_snapshot_forget
        from perspectives.services import content_publish
        content_publish(user=self.vng, note="1.1 hernummerd")
        content_snapshot_forget()
        response = self.start()
        assessment = Assessment.objects.get(project__name="Amersfoortse sensoren")
        self.assertFalse(assessment.answers.filter(question__code="1.1-oud").exists())
        self.client.get(response["Location"])
        page = self.client.get(response["Location"])
        self.assertEqual(page.status_code, 200)
        event = AuditEvent.objects.get(kind=AuditKind.EXAMPLE_ADOPTED)
        self.assertEqual(event.changes["skipped"], ["1.1"])

    def test_adopted_answers_are_marked_until_confirmed_or_changed(self):
        self.start()
        assessment = Assessment.objects.get(project__name="Amersfoortse sensoren")
        step = reverse("assessments:step", args=[assessment.pk, 1])
        page = self.client.get(step)
        self.assertContains(page, "overgenomen uit voorbeeld")
        data = form_data(page.content.decode())
        q11 = Question.objects.get(code="1.1")
        q12 = Question.objects.get(code="1.2")
        # Confirm 1.1 as it is; change 1.2: both lose the mark.
        data[f"q{q12.pk}-answer"] = "0"
        response = self.client.post(step, {**data, "navigate": f"confirm-{q11.pk}"})
        self.assertRedirects(response, step + "#vraag-1.1", fetch_redirect_response=False)
        adopted = dict(assessment.answers.values_list("question__code", "adopted_from_example"))
        self.assertFalse(adopted["1.1"])
        self.assertFalse(adopted["1.2"])
        self.assertTrue(adopted["1.3"])
        self.assertTrue(AuditEvent.objects.filter(kind=AuditKind.ADOPTED_ANSWERS_CONFIRMED,
                                                  assessment=assessment).exists())

    def test_confirm_all_on_a_step_and_review_warns_about_the_rest(self):
        self.start()
        assessment = Assessment.objects.get(project__name="Amersfoortse sensoren")
        step = reverse("assessments:step", args=[assessment.pk, 1])
        data = form_data(self.client.get(step).content.decode())
        self.assertEqual(self.client.post(step, {**data, "navigate": "confirm-all"}).status_code,
                         302)
        result_codes = set(assessment.answers.filter(adopted_from_example=True)
                           .values_list("question__perspective__number", flat=True))
        self.assertNotIn(1, result_codes)
        review = self.client.get(reverse("assessments:step", args=[assessment.pk, 11]))
        self.assertContains(review, "nog niet bevestigd")
        # A warning, not a block: completing keeps the adopted answers as they are.
        assessment_services.assessment_complete(assessment=assessment, user=self.charlie)

    def test_autosave_of_a_changed_answer_clears_the_mark(self):
        self.start()
        assessment = Assessment.objects.get(project__name="Amersfoortse sensoren")
        answer = assessment.answers.select_related("question").get(question__code="1.1")
        q = answer.question_id
        response = self.client.post(
            reverse("assessments:answer_autosave", args=[assessment.pk, q]),
            {f"q{q}-answer": "4", f"q{q}-version": str(answer.version), f"q{q}-original": "x"})
        self.assertEqual(response.status_code, 200, response.content)
        answer.refresh_from_db()
        self.assertFalse(answer.adopted_from_example)

    def test_a_lezer_cannot_start_and_reopening_does_not_copy_the_mark(self):
        self.client.force_login(self.bob)
        url = reverse("examples:start", args=[self.example.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"name": "x"}).status_code, 403)
        self.assertFalse(Project.objects.filter(name="x").exists())
