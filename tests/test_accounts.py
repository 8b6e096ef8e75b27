from unittest import mock

from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from assessments.models import Invitation, Membership, Role
from waardevol.accounts import services as accounts_services
from waardevol.audit.models import AuditEvent, AuditKind

from .base import PASSWORD, BaseTestCase


class LoginTests(BaseTestCase):
    def test_login_page_is_ours_and_logs_in(self):
        page = self.client.get(reverse("login"))
        self.assertContains(page, "utrecht-form-field")
        response = self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        self.assertRedirects(response, reverse("assessments:overview"))

    def test_wrong_password_shows_an_error_summary(self):
        response = self.client.post(reverse("login"), {"username": "alice", "password": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="error-summary"')

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_repeated_failures_lock_the_login_even_with_the_right_password(self):
        for _ in range(3):
            self.client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        response = self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Tijdelijk geblokkeerd", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_open_redirect_via_next_is_refused(self):
        response = self.client.post(reverse("login") + "?next=https://evil.example/",
                                    {"username": "alice", "password": PASSWORD,
                                     "next": "https://evil.example/"})
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("evil.example", response["Location"])

    def test_logout_is_a_post(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.client.post(reverse("logout"))
        self.assertNotIn("_auth_user_id", self.client.session)


class PasswordResetTests(BaseTestCase):
    def test_reset_mail_and_new_password(self):
        response = self.client.post(reverse("password_reset"), {"email": "alice@example.org"})
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        link = next(line for line in mail.outbox[0].body.splitlines() if "/account/" in line)
        path = link[link.index("/account/"):].strip()
        response = self.client.get(path, follow=True)
        self.assertContains(response, "Nieuw wachtwoord kiezen")
        form_url = response.redirect_chain[-1][0]
        response = self.client.post(form_url, {"new_password1": "a-brand-new-passphrase",
                                               "new_password2": "a-brand-new-passphrase"})
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("a-brand-new-passphrase"))


class InvitationTests(BaseTestCase):
    def test_manager_invites_a_colleague_who_joins_the_same_municipality(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("invite_create"),
                                    {"email": "erik@utrecht.nl", "role": Role.READER})
        self.assertRedirects(response, reverse("assessments:overview"))
        invitation = Invitation.objects.get(email="erik@utrecht.nl")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(str(invitation.token), mail.outbox[0].body)

        self.client.logout()
        url = reverse("invite_accept", args=[invitation.token])
        response = self.client.post(url, {
            "username": "erik", "first_name": "Erik", "last_name": "Lezer",
            "password1": "a-long-erik-password", "password2": "a-long-erik-password"})
        self.assertRedirects(response, reverse("assessments:overview"))
        membership = Membership.objects.get(user__username="erik")
        self.assertEqual((membership.municipality, membership.role), (self.utrecht, Role.READER))
        # An invitation works once.
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_only_managers_can_invite(self):
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.post(reverse("invite_create"),
                                          {"email": "x@y.nl", "role": "bewerker"}).status_code, 403)
        self.assertFalse(Invitation.objects.exists())


class InvitationExpiryTests(BaseTestCase):
    def test_an_old_invitation_no_longer_works(self):
        from datetime import timedelta

        from django.utils import timezone

        invitation = Invitation.objects.create(municipality=self.utrecht, email="oud@utrecht.nl",
                                               role=Role.EDITOR, invited_by=self.alice)
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(days=8))
        self.assertEqual(
            self.client.get(reverse("invite_accept", args=[invitation.token])).status_code, 404)


class InvitationForExistingAccountTests(BaseTestCase):
    def test_inviting_a_colleague_who_is_already_a_member_says_so(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("invite_create"),
                                    {"email": "BOB@example.org", "role": Role.EDITOR})
        self.assertContains(response, "al een collega met dit e-mailadres", status_code=400)
        self.assertFalse(Invitation.objects.exists())

    def test_an_address_with_hidden_characters_is_refused(self):
        """U+202E shows "eva@utr\u202eecht.nl" as another address on the members page."""
        self.client.force_login(self.alice)
        response = self.client.post(reverse("invite_create"),
                                    {"email": "eva@utr\u202eecht.nl", "role": Role.EDITOR})
        self.assertContains(response, "onzichtbare tekens", status_code=400)
        self.assertFalse(Invitation.objects.exists())

    def test_accepting_for_an_address_that_has_an_account_creates_no_second_one(self):
        invitation = Invitation.objects.create(municipality=self.utrecht,
                                               email="Charlie@Example.org", role=Role.EDITOR,
                                               invited_by=self.alice)
        url = reverse("invite_accept", args=[invitation.token])
        response = self.client.post(url, {
            "username": "charlie2", "first_name": "C", "last_name": "D",
            "password1": "a-long-charlie-password", "password2": "a-long-charlie-password"})
        self.assertContains(response, "U heeft al een account", status_code=409)
        self.assertFalse(User.objects.filter(username="charlie2").exists())
        invitation.refresh_from_db()
        self.assertIsNone(invitation.accepted_at)


class RejoinByInvitationTests(BaseTestCase):
    """An account whose membership an administrator ended (someone who changed employer) joins
    another municipality by an invitation to its address, with the login it has."""

    def setUp(self):
        self.frank = self.make_user("frank", self.amersfoort, Role.EDITOR)
        Membership.objects.filter(user=self.frank).delete()  # what the admin does
        self.invitation = Invitation.objects.create(
            municipality=self.utrecht, email="FRANK@example.org", role=Role.READER,
            invited_by=self.alice)
        self.url = reverse("invite_accept", args=[self.invitation.token])

    def test_logging_in_from_the_invitation_and_accepting_it(self):
        page = self.client.get(self.url)
        login = f"{reverse('login')}?next={self.url.replace(':', '%3A')}"
        self.assertContains(page, f'href="{login}"', status_code=409)
        response = self.client.post(login, {"username": "frank", "password": PASSWORD,
                                             "next": self.url})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        page = self.client.get(self.url)
        self.assertContains(page, "Uitnodiging van Utrecht")
        self.assertContains(page, "als lezer mee te werken")
        self.assertContains(page, "frank@example.org")
        response = self.client.post(self.url)
        self.assertRedirects(response, reverse("assessments:overview"))
        membership = Membership.objects.get(user=self.frank)
        self.assertEqual((membership.municipality, membership.role, membership.is_manager),
                         (self.utrecht, Role.READER, False))
        self.invitation.refresh_from_db()
        self.assertIsNotNone(self.invitation.accepted_at)
        joined = AuditEvent.objects.get(municipality=self.utrecht, kind=AuditKind.MEMBER_JOINED)
        self.assertEqual(joined.actor, self.frank)
        self.assertEqual(self.client.get(self.url).status_code, 404)  # used up

    def test_without_a_municipality_the_pages_say_why_and_how_to_join(self):
        self.client.force_login(self.frank)
        self.make_project(self.amersfoort, self.charlie, name="Amersfoorts project")
        # The municipality's own pages; a link to one project stays a 404 (as for any outsider).
        for url in (reverse("assessments:overview"), reverse("assessments:portfolio"),
                    reverse("examples:library")):
            with self.subTest(url):
                page = self.client.get(url)
                self.assertContains(page, "Uw account hoort niet bij een gemeente",
                                    status_code=403)
                self.assertContains(page, "U bent ingelogd als frank", status_code=403)
                self.assertContains(page, "om een uitnodiging", status_code=403)
                self.assertNotContains(page, "Amersfoorts project", status_code=403)
        # Where a login lands: the same page, in English too.
        self.client.cookies["django_language"] = "en"
        page = self.client.get(reverse("assessments:overview"))
        self.assertContains(page, "Your account does not belong to a municipality",
                            status_code=403)

    def test_a_member_of_another_municipality_is_not_moved(self):
        self.client.force_login(self.charlie)
        charlies = Invitation.objects.create(municipality=self.utrecht,
                                             email="charlie@example.org", role=Role.EDITOR,
                                             invited_by=self.alice)
        url = reverse("invite_accept", args=[charlies.token])
        self.assertContains(self.client.get(url), "over te zetten", status_code=409)
        self.assertEqual(self.client.post(url).status_code, 409)
        self.assertEqual(Membership.objects.get(user=self.charlie).municipality, self.amersfoort)

    def test_someone_else_logged_in_cannot_accept_it(self):
        # Gina has no municipality either, and the link: the invitation is Frank's address.
        gina = User.objects.create_user("gina", "gina@example.org", PASSWORD)
        self.client.force_login(gina)
        self.assertContains(self.client.post(self.url), "U heeft al een account", status_code=409)
        self.assertFalse(Membership.objects.filter(user__in=[self.frank, gina]).exists())
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.accepted_at)

    def test_an_account_with_admin_access_cannot_join(self):
        # A VNG editor invited by mistake would stop being one, and no beheerder could block it.
        User.objects.filter(pk=self.frank.pk).update(is_staff=True)
        self.client.force_login(User.objects.get(pk=self.frank.pk))
        self.assertEqual(self.client.post(self.url).status_code, 409)
        with self.assertRaises(accounts_services.AlreadyMember):
            accounts_services.invitation_accept_existing(invitation=self.invitation,
                                                         user=User.objects.get(pk=self.frank.pk))
        self.assertFalse(Membership.objects.filter(user=self.frank).exists())

    def test_a_second_invitation_accepted_in_another_tab_makes_no_second_membership(self):
        accounts_services.invitation_accept_existing(invitation=self.invitation, user=self.frank)
        other = Invitation.objects.create(municipality=self.amersfoort, email="frank@example.org",
                                          role=Role.EDITOR, invited_by=self.charlie)
        with self.assertRaises(accounts_services.AlreadyMember):
            accounts_services.invitation_accept_existing(invitation=other, user=self.frank)
        self.assertEqual(Membership.objects.get(user=self.frank).municipality, self.utrecht)
        other.refresh_from_db()
        self.assertIsNone(other.accepted_at)


class InvitationLimitTests(BaseTestCase):
    def invite(self, email):
        return self.client.post(reverse("invite_create"), {"email": email, "role": Role.EDITOR})

    @override_settings(INVITATIONS_PER_USER=4, INVITATIONS_PER_ADDRESS=2)
    def test_invitations_are_bounded_per_beheerder_and_per_address(self):
        self.client.force_login(self.alice)
        statuses = [self.invite("erik@utrecht.nl").status_code for _ in range(3)]
        self.assertEqual(statuses, [302, 302, 429])  # the same inbox, twice a day at most
        self.assertEqual(self.invite("fleur@utrecht.nl").status_code, 302)
        self.assertEqual(self.invite("gert@utrecht.nl").status_code, 429)  # alice's 5th try
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(Invitation.objects.count(), 3)

    def test_an_invitation_that_could_not_be_sent_says_so_and_is_not_kept(self):
        self.client.force_login(self.alice)
        with mock.patch("waardevol.accounts.tasks.send_mail", side_effect=OSError("SMTP down")):
            response = self.invite("erik@utrecht.nl")
        self.assertContains(response, "kon niet worden verstuurd", status_code=503)
        self.assertContains(response, 'value="erik@utrecht.nl"', status_code=503)
        self.assertFalse(Invitation.objects.exists())

    def test_the_invitation_page_is_not_stored_by_caches(self):
        invitation = Invitation.objects.create(municipality=self.utrecht, email="erik@utrecht.nl",
                                               role=Role.EDITOR, invited_by=self.alice)
        response = self.client.get(reverse("invite_accept", args=[invitation.token]))
        self.assertContains(response, "Utrecht")
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_names_given_on_acceptance_are_cleaned(self):
        invitation = Invitation.objects.create(municipality=self.utrecht, email="erik@utrecht.nl",
                                               role=Role.EDITOR, invited_by=self.alice)
        url = reverse("invite_accept", args=[invitation.token])
        blank = self.client.post(url, {
            "username": "erik", "first_name": "\u202eErik", "last_name": "\u3164",
            "password1": "a-long-erik-password", "password2": "a-long-erik-password"})
        self.assertRedirects(blank, reverse("assessments:overview"))
        user = User.objects.get(username="erik")
        self.assertEqual((user.first_name, user.last_name), ("Erik", ""))
