"""Two colleagues with the same form open: nothing one of them saved is silently undone.

For every form that edits a shared object (project, the wizard's introduction, improvement action,
membership): both load the page, one saves; the other then saves a different field (both changes
stay) or the same field (the conflict is shown and nobody's value is lost until they choose).
"""

from unittest import mock

from django.test import Client, SimpleTestCase
from django.urls import reverse

from assessments import services
from assessments.models import Action, ActionStatus, Membership, Project, Role
from perspectives.models import Perspective
from waardevol import concurrency

from .base import BaseTestCase
from .htmlforms import form_data


class MergeRuleTests(SimpleTestCase):
    def base(self, **values):
        return {name: concurrency.fingerprint(value) for name, value in values.items()}

    def test_only_fields_the_user_changed_are_written(self):
        result = concurrency.merge(base=self.base(name="Oud", description="Oud"),
                                   submitted={"name": "Oud", "description": "Nieuw"},
                                   stored={"name": "Door collega", "description": "Oud"},
                                   resolutions={})
        self.assertEqual((result.changes, result.conflicts), ({"description": "Nieuw"}, []))

    def test_a_field_both_changed_is_a_conflict_until_chosen(self):
        args = dict(base=self.base(status="open"), submitted={"status": "bezig"},
                    stored={"status": "gereed"})
        self.assertEqual(concurrency.merge(**args, resolutions={}).conflicts, ["status"])
        theirs = concurrency.merge(**args, resolutions={"status": concurrency.THEIRS})
        self.assertEqual((theirs.changes, theirs.conflicts), ({}, []))
        # A choice for "mine" is made on a page whose base moved to the stored value.
        mine = concurrency.merge(base=self.base(status="gereed"), submitted={"status": "bezig"},
                                 stored={"status": "gereed"},
                                 resolutions={"status": concurrency.MINE})
        self.assertEqual(mine.changes, {"status": "bezig"})
        # ... and is asked again if yet another colleague changed it meanwhile.
        again = concurrency.merge(base=self.base(status="gereed"), submitted={"status": "bezig"},
                                  stored={"status": "open"},
                                  resolutions={"status": concurrency.MINE})
        self.assertEqual(again.conflicts, ["status"])

    def test_the_same_change_twice_is_no_conflict(self):
        result = concurrency.merge(base=self.base(name="Oud"), submitted={"name": "Nieuw"},
                                   stored={"name": "Nieuw"}, resolutions={})
        self.assertEqual((result.changes, result.conflicts), ({}, []))

    def test_a_page_without_base_writes_nothing_it_cannot_vouch_for(self):
        result = concurrency.merge(base={}, submitted={"name": "Mijn", "owner": "Zelfde"},
                                   stored={"name": "Hun", "owner": "Zelfde"}, resolutions={})
        self.assertEqual((result.changes, result.conflicts), ({}, ["name"]))

    def test_values_are_compared_by_what_they_mean(self):
        self.assertEqual(concurrency.value_key(True), "1")
        self.assertEqual(concurrency.value_key(None), "")
        self.assertEqual(concurrency.fingerprint(["b", "a"]), concurrency.fingerprint(("a", "b")))


class TwoColleagues(BaseTestCase):
    """Alice and Dave, bewerkers of Utrecht, each with their own browser."""

    def setUp(self):
        self.dave = self.make_user("dave", self.utrecht, Role.EDITOR)
        self.first, self.second = Client(), Client()
        self.first.force_login(self.alice)
        self.second.force_login(self.dave)

    def load(self, client, url, form_id=None):
        page = client.get(url)
        self.assertEqual(page.status_code, 200)
        return form_data(page.content.decode(), form_id=form_id)

    def post(self, client, url, data, **changes):
        data = {**data, **changes}
        for name, value in list(changes.items()):
            if value is None:
                data.pop(name)
        return client.post(url, data)


class ProjectEditTests(TwoColleagues):
    def setUp(self):
        super().setUp()
        self.project = self.make_project(self.utrecht, self.alice, name="Sensoren",
                                         description="Tellen", in_public_space=True)
        self.url = reverse("assessments:project_edit", args=[self.project.pk])

    def test_different_fields_both_survive(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.assertEqual(self.post(self.first, self.url, first, name="Sensoren Centrum")
                         .status_code, 302)
        response = self.post(self.second, self.url, second, description="Tellen en meten",
                             in_public_space=None)
        self.assertEqual(response.status_code, 302)
        self.project.refresh_from_db()
        self.assertEqual(self.project.name, "Sensoren Centrum")
        self.assertEqual(self.project.description, "Tellen en meten")
        self.assertFalse(self.project.in_public_space)

    def test_the_same_field_asks_and_keeps_both_until_chosen(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, name="Naam van Alice")
        response = self.post(self.second, self.url, second, name="Naam van Dave",
                             description="Ook nieuw")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Een collega heeft dit intussen ook gewijzigd",
                            status_code=409)
        self.assertContains(response, "uw collega heeft ‘Naam van Alice’ opgeslagen",
                            status_code=409)
        self.assertContains(response, 'value="Naam van Dave"', status_code=409)
        # The choice names both values, and is a question, not an error, until sent without it.
        self.assertContains(response, "Mijn waarde: ‘Naam van Dave’", status_code=409)
        self.assertContains(response, "De waarde van mijn collega: ‘Naam van Alice’",
                            status_code=409)
        self.assertNotContains(response, "Kies welke waarde u wilt bewaren.", status_code=409)
        self.project.refresh_from_db()
        self.assertEqual((self.project.name, self.project.description), ("Naam van Alice", "Tellen"))

        # Submitting without a choice keeps asking; choosing "mine" saves both of Dave's fields.
        page = form_data(response.content.decode())
        again = self.second.post(self.url, page)
        self.assertContains(again, "Kies welke waarde u wilt bewaren.", status_code=400)
        self.assertContains(again, "De waarde van mijn collega: ‘Naam van Alice’",
                            status_code=400)
        self.assertEqual(self.post(self.second, self.url, page, **{"resolve-name": "mine"})
                         .status_code, 302)
        self.project.refresh_from_db()
        self.assertEqual((self.project.name, self.project.description),
                         ("Naam van Dave", "Ook nieuw"))

    def test_choosing_the_colleagues_value_keeps_it(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, name="Naam van Alice")
        response = self.post(self.second, self.url, second, name="Naam van Dave")
        page = form_data(response.content.decode())
        self.post(self.second, self.url, page, **{"resolve-name": "theirs"})
        self.project.refresh_from_db()
        self.assertEqual(self.project.name, "Naam van Alice")

    def test_a_stale_page_saved_unchanged_undoes_nothing(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, name="Nieuwe naam", phase="beheer")
        self.assertEqual(self.second.post(self.url, second).status_code, 302)
        self.project.refresh_from_db()
        self.assertEqual((self.project.name, self.project.phase), ("Nieuwe naam", "beheer"))


class IntroductionStepTests(TwoColleagues):
    def setUp(self):
        super().setUp()
        project = self.make_project(self.utrecht, self.alice, processes_personal_data=True)
        self.project = project
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        self.url = reverse("assessments:step", args=[assessment.pk, 0])

    def test_characteristics_of_two_colleagues_both_count(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.assertEqual(self.post(self.first, self.url, first, uses_ai="on").status_code, 302)
        self.assertEqual(self.post(self.second, self.url, second, involves_partners="on")
                         .status_code, 302)
        project = Project.objects.get(pk=self.project.pk)
        self.assertTrue(project.uses_ai and project.involves_partners
                        and project.processes_personal_data)

    def test_unticking_what_a_colleague_just_ticked_asks_first(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, processes_personal_data=None, phase="beheer")
        response = self.post(self.second, self.url, second, phase="implementatie")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "uw collega heeft Beheer opgeslagen", status_code=409)
        project = Project.objects.get(pk=self.project.pk)
        self.assertEqual((project.phase, project.processes_personal_data), ("beheer", False))


class ActionEditTests(TwoColleagues):
    def setUp(self):
        super().setUp()
        self.make_assessed_project()
        self.url = reverse("assessments:action_edit", args=[self.action.pk])

    def test_status_set_by_one_and_owner_set_by_other_both_stay(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.assertEqual(self.post(self.first, self.url, first, status=ActionStatus.DONE)
                         .status_code, 302)
        self.assertEqual(self.post(self.second, self.url, second, owner="Griffie").status_code,
                         302)
        action = Action.objects.get(pk=self.action.pk)
        self.assertEqual((action.status, action.owner), (ActionStatus.DONE, "Griffie"))

    def test_the_same_field_is_a_conflict(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, status=ActionStatus.DONE)
        response = self.post(self.second, self.url, second, status=ActionStatus.IN_PROGRESS,
                             perspective=Perspective.objects.get(number=3).pk)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "uw collega heeft Gereed opgeslagen", status_code=409)
        self.assertContains(response, "Mijn waarde: Bezig", status_code=409)
        action = Action.objects.get(pk=self.action.pk)
        self.assertEqual((action.status, action.perspective.number), (ActionStatus.DONE, 1))


class MembershipEditTests(TwoColleagues):
    def setUp(self):
        super().setUp()
        self.carol = self.make_user("carol", self.utrecht, Role.READER)
        self.membership = Membership.objects.get(user=self.carol)
        self.url = reverse("member_edit", args=[self.membership.pk])
        Membership.objects.filter(user=self.dave).update(is_manager=True)

    def test_a_stale_page_saved_unchanged_undoes_nothing(self):
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, role=Role.EDITOR, is_manager="on")
        self.assertEqual(self.second.post(self.url, second).status_code, 302)
        membership = Membership.objects.get(pk=self.membership.pk)
        self.assertEqual((membership.role, membership.is_manager), (Role.EDITOR, True))

    def test_changes_that_are_valid_apart_but_not_together_are_refused(self):
        Membership.objects.filter(pk=self.membership.pk).update(role=Role.EDITOR)
        first, second = self.load(self.first, self.url), self.load(self.second, self.url)
        self.post(self.first, self.url, first, is_manager="on")
        response = self.post(self.second, self.url, second, role=Role.READER)
        self.assertContains(response, "Alleen een bewerker kan beheerder zijn.", status_code=400)
        membership = Membership.objects.get(pk=self.membership.pk)
        self.assertEqual((membership.role, membership.is_manager), (Role.EDITOR, True))

    def test_two_beheerders_taking_each_others_flag_at_once(self):
        """Both pages passed the access check before either saved; the second save is refused,
        so the municipality keeps a beheerder."""
        alices = Membership.objects.get(user=self.alice)
        daves = Membership.objects.get(user=self.dave)
        alice_url, dave_url = (reverse("member_edit", args=[m.pk]) for m in (alices, daves))
        on_alice, on_dave = self.load(self.second, alice_url), self.load(self.first, dave_url)
        self.post(self.first, dave_url, on_dave, is_manager=None)  # Alice goes first
        self.assertFalse(Membership.objects.get(pk=daves.pk).is_manager)
        with mock.patch("waardevol.accounts.views.member_for_manager",
                        lambda user, pk: Membership.objects.select_related("user").get(pk=pk)):
            response = self.post(self.second, alice_url, on_alice, is_manager=None)
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Membership.objects.get(pk=alices.pk).is_manager)

    def test_only_managers_of_the_municipality_may_edit(self):
        client = Client()
        client.force_login(self.bob)
        self.assertEqual(client.get(self.url).status_code, 403)
        client.force_login(self.alice)
        own = Membership.objects.get(user=self.alice).pk
        self.assertEqual(client.get(reverse("member_edit", args=[own])).status_code, 403)
        client.force_login(self.charlie)
        self.assertEqual(client.get(self.url).status_code, 404)
