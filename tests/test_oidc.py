"""Login with the municipality's identity provider, end to end against a real OpenID Connect
provider on loopback (oidc-provider-mock): the real redirect, authorisation, code exchange, ID
token signature check (RS256 via the provider's JWKS) and userinfo call."""

from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import oidc_provider_mock
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Invitation, Membership, Municipality, Role
from waardevol.accounts.models import OIDCIdentity
from waardevol.accounts.oidc import (
    INVITATION_SESSION_KEY,
    municipality_code_from_claims,
    role_from_claims,
)

from .base import PASSWORD, BaseTestCase, recorded_sql

CLAIMS = {"OIDC_MUNICIPALITY_CLAIM": "gemeentecode", "OIDC_ROLE_CLAIM": "rollen"}


class OIDCLoginTests(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        cls.provider = oidc_provider_mock.run_server_in_thread()
        server = cls.provider.__enter__()
        cls.issuer = f"http://localhost:{server.server_port}"
        cls.settings_override = override_settings(
            OIDC_ENABLED=True,
            OIDC_RP_CLIENT_ID="waardevol",
            OIDC_RP_CLIENT_SECRET="client-secret",
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{cls.issuer}/oauth2/authorize",
            OIDC_OP_TOKEN_ENDPOINT=f"{cls.issuer}/oauth2/token",
            OIDC_OP_USER_ENDPOINT=f"{cls.issuer}/userinfo",
            OIDC_OP_JWKS_ENDPOINT=f"{cls.issuer}/jwks",
            OIDC_RP_SIGN_ALGO="RS256",
            OIDC_PROVIDER_NAME="Gemeente Utrecht",
            **CLAIMS,
        )
        cls.settings_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.settings_override.disable()
        cls.provider.__exit__(None, None, None)

    def provider_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5)
        self.assertEqual(response.status_code, 204)

    def oidc_login(self, sub: str, start_query: str = ""):
        """Start at our login button, sign in at the provider as `sub`, come back; the response
        of our callback."""
        start = self.client.get(reverse("oidc_start") + start_query)
        self.assertEqual(start.status_code, 302)
        authorize = start["Location"]
        self.assertTrue(authorize.startswith(f"{self.issuer}/oauth2/authorize?"))
        self.assertIn("code_challenge", parse_qs(urlsplit(authorize).query))  # PKCE
        at_provider = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
        self.assertEqual(at_provider.status_code, 302, at_provider.text)
        back = urlsplit(at_provider.headers["Location"])
        self.assertEqual(back.path, reverse("oidc_callback"))
        return self.client.get(f"{back.path}?{back.query}")

    def test_login_page_offers_both_ways_when_oidc_is_configured(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "Inloggen met uw organisatie-account")
        self.assertContains(response, "Werkt u bij Gemeente Utrecht?")
        self.assertContains(response, 'name="password"')

    def test_new_user_gets_the_municipality_and_role_from_the_claims(self):
        self.provider_user("medewerker-1", email="d.devries@utrecht.nl", given_name="Dirk",
                           family_name="de Vries", gemeentecode="GM0344", rollen=["lezer"])
        response = self.oidc_login("medewerker-1")
        self.assertRedirects(response, reverse("assessments:overview"))
        identity = OIDCIdentity.objects.get(issuer=self.issuer, subject="medewerker-1")
        user = identity.user
        self.assertEqual((user.email, user.first_name, user.last_name),
                         ("d.devries@utrecht.nl", "Dirk", "de Vries"))
        self.assertFalse(user.has_usable_password())
        self.assertEqual((user.membership.municipality, user.membership.role,
                          user.membership.is_manager), (self.utrecht, Role.READER, False))
        overview = self.client.get(reverse("assessments:overview"))
        self.assertEqual(overview.status_code, 200)
        self.assertEqual(overview.context["user"], user)

    def test_a_provider_that_sends_only_a_full_name(self):
        self.provider_user("medewerker-9", email="e.jansen@utrecht.nl", name="Eva Jansen",
                           gemeentecode="GM0344")
        self.assertRedirects(self.oidc_login("medewerker-9"), reverse("assessments:overview"))
        user = OIDCIdentity.objects.get(issuer=self.issuer, subject="medewerker-9").user
        self.assertEqual((user.first_name, user.last_name), ("Eva Jansen", ""))
        # Her provider sent given and family names once; sending only `name` again replaces both.
        user.first_name, user.last_name = "Eva", "Jansen"
        user.save()
        self.client.logout()
        self.oidc_login("medewerker-9")
        user.refresh_from_db()
        self.assertEqual(user.get_full_name(), "Eva Jansen")
        self.assertEqual((user.first_name, user.last_name), ("Eva Jansen", ""))

    def test_odd_names_and_email_from_the_provider_are_cleaned_or_left_out(self):
        self.provider_user("medewerker-7", email=["a@utrecht.nl", "b@utrecht.nl"],
                           given_name="Mallory \u202eredrowtaB aeB\u202c", family_name="X\x07",
                           gemeentecode="GM0344")
        self.assertRedirects(self.oidc_login("medewerker-7"), reverse("assessments:overview"))
        user = OIDCIdentity.objects.get(issuer=self.issuer, subject="medewerker-7").user
        self.assertEqual((user.first_name, user.last_name, user.email),
                         ("Mallory redrowtaB aeB", "X", ""))
        self.client.logout()
        for sub, email in (("medewerker-8", "niet een adres"),
                           ("medewerker-6", "eva@utr\u202eecht.nl")):  # shows as another address
            self.client.logout()
            self.provider_user(sub, email=email, gemeentecode="GM0344")
            self.assertRedirects(self.oidc_login(sub), reverse("assessments:overview"))
            self.assertEqual(OIDCIdentity.objects.get(subject=sub).user.email, "")

    def test_the_manager_role_value_makes_an_editor_who_may_invite(self):
        self.provider_user("medewerker-2", gemeentecode="344", rollen=["bewerker", "beheerder"])
        self.oidc_login("medewerker-2")
        membership = OIDCIdentity.objects.get(subject="medewerker-2").user.membership
        self.assertEqual((membership.role, membership.is_manager), (Role.EDITOR, True))

    def test_the_same_sub_with_a_changed_email_is_the_same_user(self):
        self.provider_user("medewerker-3", email="oud@utrecht.nl", gemeentecode="GM0344",
                           rollen="bewerker")
        self.oidc_login("medewerker-3")
        user = OIDCIdentity.objects.get(subject="medewerker-3").user
        self.client.logout()
        self.provider_user("medewerker-3", email="nieuw@utrecht.nl", gemeentecode="GM0344",
                           rollen="lezer")
        self.assertRedirects(self.oidc_login("medewerker-3"), reverse("assessments:overview"))
        self.assertEqual(OIDCIdentity.objects.filter(subject="medewerker-3").count(), 1)
        user.refresh_from_db()
        self.assertEqual(user.email, "nieuw@utrecht.nl")
        # The provider is authoritative for the role when a role claim is configured.
        self.assertEqual(user.membership.role, Role.READER)
        self.assertEqual(User.objects.filter(email__iendswith="@utrecht.nl").count(), 1)

    def test_a_blocked_member_is_told_so_and_stays_out(self):
        self.provider_user("vertrokken", gemeentecode="GM0344", rollen="bewerker")
        self.oidc_login("vertrokken")
        self.assertEqual(self.client.get(reverse("assessments:overview")).status_code, 200)
        user = OIDCIdentity.objects.get(subject="vertrokken").user
        user.is_active = False  # a beheerder blocked the account (see test_audit)
        user.save(update_fields=["is_active"])
        # The session that the identity provider's login opened ends at its next request.
        overview = self.client.get(reverse("assessments:overview"))
        self.assertEqual((overview.status_code, overview["Location"].split("?")[0]),
                         (302, reverse("login")))
        response = self.oidc_login("vertrokken")
        self.assertContains(response, "Uw account is geblokkeerd", status_code=403)
        self.assertEqual(self.client.get(reverse("assessments:overview")).status_code, 302)

    def test_the_same_email_with_another_sub_is_not_the_password_user(self):
        users_before = User.objects.count()
        self.provider_user("iemand-anders", email="ALICE@example.org", gemeentecode="GM0344",
                           rollen="bewerker")
        response = self.oidc_login("iemand-anders")
        self.assertContains(response, "U heeft al een account", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(OIDCIdentity.objects.exists())
        self.assertEqual(User.objects.count(), users_before)

    def test_without_a_municipality_or_invitation_nobody_gets_in(self):
        users_before = User.objects.count()
        for sub, claims in (("zonder-gemeente", {}), ("onbekende-gemeente", {"gemeentecode": "GM9999"}),
                            ("onzin", {"gemeentecode": "Utrecht"})):
            with self.subTest(sub=sub):
                self.provider_user(sub, email=f"{sub}@example.org", **claims)
                response = self.oidc_login(sub)
                self.assertContains(response, "U heeft nog geen toegang tot Waardevol",
                                    status_code=403)
                self.assertContains(response, "Er is daarom geen account voor u aangemaakt",
                                    status_code=403)
                self.assertEqual(response["Cache-Control"], "private, no-store")
                self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(User.objects.count(), users_before)
        self.assertFalse(OIDCIdentity.objects.exists())

    def test_an_invitation_accepted_with_the_organisation_account_links_it(self):
        invitation = Invitation.objects.create(municipality=self.amersfoort, role=Role.EDITOR,
                                               email="nieuwe.collega@amersfoort.nl",
                                               invited_by=self.charlie)
        accept_page = self.client.get(reverse("invite_accept", args=[invitation.token]))
        start = f"{reverse('oidc_start')}?uitnodiging={invitation.token}"
        self.assertContains(accept_page, f'href="{start}"')
        self.assertContains(accept_page, "Inloggen met uw organisatie-account")
        # Her provider sends no municipality claim: the invitation says where she belongs.
        self.provider_user("collega-amersfoort", email="n.collega@amersfoort.nl")
        # Only a token is kept in the session, not whatever else the address holds.
        for junk in ("x" * 100_000, "<b>", f"{invitation.token}x"):
            self.client.get(reverse("oidc_start"), {"uitnodiging": junk})
            self.assertNotIn(INVITATION_SESSION_KEY, self.client.session)
        response = self.oidc_login("collega-amersfoort", f"?uitnodiging={invitation.token}")
        self.assertRedirects(response, reverse("assessments:overview"))
        user = OIDCIdentity.objects.get(issuer=self.issuer, subject="collega-amersfoort").user
        self.assertEqual((user.membership.municipality, user.membership.role),
                         (self.amersfoort, Role.EDITOR))
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.accepted_at)
        self.assertNotIn("waardevol_oidc_invitation", self.client.session)
        # Used once: the same link does not admit another organisation account.
        self.client.logout()
        self.provider_user("nog-iemand", email="nog.iemand@example.org")
        refused = self.oidc_login("nog-iemand", f"?uitnodiging={invitation.token}")
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(OIDCIdentity.objects.filter(subject="nog-iemand").exists())

    def test_an_expired_invitation_admits_nobody(self):
        invitation = Invitation.objects.create(municipality=self.utrecht, email="laat@example.org")
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(days=30))
        self.provider_user("te-laat", email="laat@example.org")
        self.assertEqual(self.oidc_login("te-laat", f"?uitnodiging={invitation.token}")
                         .status_code, 403)
        self.assertEqual(Membership.objects.filter(user__email="laat@example.org").count(), 0)

    def test_a_provider_moving_a_member_to_another_municipality_is_refused(self):
        self.provider_user("verhuizer", gemeentecode="GM0344", rollen="bewerker")
        self.oidc_login("verhuizer")
        self.client.logout()
        self.provider_user("verhuizer", gemeentecode="GM0307", rollen="bewerker")
        response = self.oidc_login("verhuizer")
        self.assertContains(response, "Uw gemeente is veranderd", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)
        user = OIDCIdentity.objects.get(subject="verhuizer").user
        self.assertEqual(user.membership.municipality, self.utrecht)

    @override_settings(TWO_FACTOR_REQUIRED=True)
    def test_staff_who_came_in_through_oidc_need_no_second_factor_here(self):
        OIDCIdentity.objects.create(user=self.vng, issuer=self.issuer, subject="vng-redacteur")
        self.provider_user("vng-redacteur", email="vng@example.org")
        self.oidc_login("vng-redacteur")
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        # The same account with a password owes the second factor.
        password_client = self.client_class()
        password_client.post(reverse("login"), {"username": "vng", "password": PASSWORD})
        response = password_client.get(reverse("admin:index"))
        self.assertTrue(response["Location"].startswith(reverse("two_factor_setup")))

    def test_a_denied_authorisation_comes_back_to_a_clear_page(self):
        start = self.client.get(reverse("oidc_start"))
        denied = requests.post(start["Location"], data={"action": "deny"}, allow_redirects=False,
                               timeout=5)
        back = urlsplit(denied.headers["Location"])
        response = self.client.get(f"{back.path}?{back.query}")
        self.assertContains(response, "Inloggen is niet gelukt", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_code_the_provider_refuses_comes_back_to_a_clear_page(self):
        """An expired or reused code (invalid_grant), or a provider that does not answer, was a
        500 on our callback (the 500 hunt)."""
        self.provider_user("ingrid", gemeentecode="GM0344", rollen="bewerker")
        start = self.client.get(reverse("oidc_start"))
        at_provider = requests.post(start["Location"], data={"sub": "ingrid"},
                                    allow_redirects=False, timeout=5)
        back = urlsplit(at_provider.headers["Location"])
        state = parse_qs(back.query)["state"][0]
        response = self.client.get(back.path, {"code": "not-the-code", "state": state})
        self.assertContains(response, "Inloggen is niet gelukt", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)
        # A provider that does not answer at all.
        start = self.client.get(reverse("oidc_start"))
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        with override_settings(OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/token"):
            response = self.client.get(back.path, {"code": "x", "state": state})
        self.assertContains(response, "Inloggen is niet gelukt", status_code=403)

    def test_refused_logins_through_the_provider_lock_nobody_out(self):
        """The provider checked the password; counted as failed password logins, twenty
        colleagues refused for a claim set up wrong locked the town hall's address out."""
        self.provider_user("zonder-gemeente", rollen="bewerker")
        for _i in range(3):
            response = self.oidc_login("zonder-gemeente")
            self.assertContains(response, "nog geen toegang", status_code=403)
        self.assertFalse(AccessAttempt.objects.exists())
        response = self.client.post(reverse("login"), {"username": "alice", "password": "fout"})
        self.assertEqual(AccessAttempt.objects.count(), 1)  # a password login still counts

    def test_a_subject_that_cannot_be_one_is_refused_not_stored(self):
        for subject in ("s" * 300, "sé-niet-ascii", "s\u200bzonder-breedte"):
            with self.subTest(subject=subject[:20]):
                self.provider_user(subject, gemeentecode="GM0344", rollen="bewerker")
                response = self.oidc_login(subject)
                self.assertContains(response, "Inloggen is niet gelukt", status_code=403)
        self.assertFalse(OIDCIdentity.objects.filter(subject__startswith="s").exists())

    def test_a_bug_in_our_own_part_of_a_login_is_not_blamed_on_the_provider(self):
        """Only the calls to the provider are a failed login; an error after them is ours and
        must reach error monitoring, not look like a refused login."""
        from unittest import mock

        self.provider_user("fout-bij-ons", gemeentecode="GM0344", rollen="bewerker")
        with mock.patch("waardevol.accounts.services.audit.audit_member_joined",
                        side_effect=TypeError("a bug")), self.assertRaises(TypeError):
            self.oidc_login("fout-bij-ons")
        self.assertFalse(OIDCIdentity.objects.filter(subject="fout-bij-ons").exists())

    def test_a_password_login_never_redeems_a_code_from_the_query_string(self):
        response = self.client.post(f"{reverse('login')}?code=stolen&state=x",
                                    {"username": "alice", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)


class OIDCOffTests(BaseTestCase):
    def test_without_settings_there_is_only_password_login(self):
        response = self.client.get(reverse("login"))
        self.assertNotContains(response, "organisatie-account")
        self.assertEqual(self.client.get(reverse("oidc_start")).status_code, 404)
        self.assertEqual(self.client.get(reverse("oidc_callback") + "?code=x&state=y")
                         .status_code, 404)
        response = self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        self.assertRedirects(response, reverse("assessments:overview"))


@override_settings(**CLAIMS, OIDC_ROLE_MANAGER_VALUES=["beheerder"],
                   OIDC_ROLE_EDITOR_VALUES=["bewerker", "Waardevol-Bewerkers"],
                   OIDC_ROLE_READER_VALUES=["lezer"])
class ClaimMappingTests(SimpleTestCase):
    def test_municipality_codes_in_the_forms_providers_send(self):
        for value, code in (("GM0344", "GM0344"), ("gm0344", "GM0344"), ("344", "GM0344"),
                            (344, "GM0344"), (["GM0307"], "GM0307"), ("Utrecht", None),
                            ("GM12345", None), (["GM0307", "GM0344"], None), (None, None)):
            with self.subTest(value=value):
                self.assertEqual(municipality_code_from_claims({"gemeentecode": value}), code)

    def test_the_strongest_known_role_wins(self):
        for value, role in (("lezer", (Role.READER, False)),
                            (["lezer", "Waardevol-Bewerkers"], (Role.EDITOR, False)),
                            (["bewerker", "beheerder"], (Role.EDITOR, True)),
                            (["admins"], None), (None, None), (7, None)):
            with self.subTest(value=value):
                self.assertEqual(role_from_claims({"rollen": value}), role)

    def test_names_from_the_claims_a_provider_sends(self):
        from waardevol.accounts.services import _names_from_claims

        for claims, names in (
            ({"given_name": "Dirk", "family_name": "de Vries", "name": "D. de Vries"},
             {"first_name": "Dirk", "last_name": "de Vries"}),
            ({"name": "Dirk  de\tVries"}, {"first_name": "Dirk de Vries", "last_name": ""}),
            ({"family_name": "de Vries", "name": "Dirk de Vries"}, {"last_name": "de Vries"}),
            ({"given_name": " ", "family_name": ""}, {}),  # empty: never clears a name
            ({"given_name": ["Dirk"], "name": 7}, {}),  # not text: left out, no error
            ({"name": "x" * 400}, {"first_name": "x" * 150, "last_name": ""}),
            # Cleaned as typed names are: no override that shows "Bea Batavier" reversed, no
            # bell, and a name of invisible characters is no name.
            ({"given_name": "Mallory \u202eBea\u202c", "family_name": "X\x07"},
             {"first_name": "Mallory Bea", "last_name": "X"}),
            ({"given_name": "\u200b\u3164", "name": "Eva"}, {"first_name": "Eva", "last_name": ""}),
            ({}, {}),
        ):
            with self.subTest(claims=claims):
                self.assertEqual(_names_from_claims(claims), names)


@override_settings(OIDC_ENABLED=True, **CLAIMS)
class FirstLoginTests(BaseTestCase):
    def test_first_logins_into_one_municipality_take_turns(self):
        """Side by side, two first logins found the same address free and each made an account
        with it (the 500 hunt made four). The municipality is locked before the check."""
        from django.db import connection

        from waardevol.accounts import services

        claims = {"sub": "nieuw", "email": "nieuw@example.org", "gemeentecode": "GM0344"}
        with recorded_sql() as sql:
            user = services.oidc_login_resolve(issuer="https://idp.example", subject="nieuw",
                                               claims=claims)
        self.assertEqual(user.membership.municipality, self.utrecht)
        if connection.features.has_select_for_update:
            locks = [i for i, q in enumerate(sql) if q.startswith("SELECT") and "UPDATE" in q
                     and '"assessments_municipality"' in q]
            creates = [i for i, q in enumerate(sql) if q.startswith('INSERT INTO "auth_user"')]
            self.assertTrue(locks, "the municipality is not locked")
            self.assertLess(locks[0], creates[0])
        # The same identity again (the other of two logins at once) is the same user.
        again = services.oidc_login_resolve(issuer="https://idp.example", subject="nieuw",
                                            claims=claims)
        self.assertEqual(again, user)

    def login_while_another_finishes(self, manager, method: str, **login):
        """This login's result, and that of an identical one that finishes while this one waits
        at `manager.method` (the lock it takes): two logins at once, made to interleave."""
        from unittest import mock

        from waardevol.accounts import services

        login = {"issuer": "https://idp.example", **login}
        wait = getattr(manager, method)
        other = []

        def meanwhile(*args, **kwargs):
            if not other:
                other.append(None)  # before the call: it passes here too
                other[0] = services.oidc_login_resolve(**login)
            return wait(*args, **kwargs)

        with mock.patch.object(manager, method, side_effect=meanwhile):
            return services.oidc_login_resolve(**login), other[0]

    def test_a_first_login_that_another_finished_meanwhile_is_that_users_login(self):
        claims = {"sub": "dubbel", "email": "dubbel@example.org", "gemeentecode": "GM0344"}
        user, other = self.login_while_another_finishes(
            Municipality.objects, "select_for_update", subject="dubbel", claims=claims)
        self.assertEqual(user, other)
        self.assertEqual(User.objects.filter(email="dubbel@example.org").count(), 1)

    def test_one_invitation_opened_in_two_tabs_is_one_login_in_both(self):
        """The second tab waited for the invitation's lock, found it accepted by the first and,
        without a municipality claim, was told it had no access (found in a review)."""
        invitation = Invitation.objects.create(municipality=self.amersfoort, role=Role.EDITOR,
                                               email="twee.tabs@amersfoort.nl",
                                               invited_by=self.charlie)
        claims = {"sub": "twee-tabs", "email": "twee.tabs@amersfoort.nl"}  # no municipality
        user, first_tab = self.login_while_another_finishes(
            Invitation.objects, "usable", subject="twee-tabs", claims=claims,
            invitation_token=str(invitation.token))
        self.assertEqual(user, first_tab)
        self.assertEqual(user.membership.municipality, self.amersfoort)
