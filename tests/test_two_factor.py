"""Staff need a second factor (TOTP, or a single-use recovery code) before they reach any page."""

import time
from base64 import b32encode

from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .base import PASSWORD, BaseTestCase, recorded_sql

ADMIN = "/beheer/"


def current_code(device: TOTPDevice) -> str:
    """What the authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@override_settings(TWO_FACTOR_REQUIRED=True, TWO_FACTOR_ATTEMPTS=5)
class TwoFactorTests(BaseTestCase):
    def password_login(self, username="vng"):
        response = self.client.post(reverse("login"), {"username": username, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def enrolled(self, user=None) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user or self.vng, name="Telefoon", confirmed=True)

    def test_staff_without_an_authenticator_set_one_up_before_anything_else(self):
        self.password_login()
        for path in (ADMIN, reverse("assessments:overview"), reverse("perspectives:index")):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertRedirects(response, f"{reverse('two_factor_setup')}?next={path}",
                                     fetch_redirect_response=False)
        setup = self.client.get(f"{reverse('two_factor_setup')}?next={ADMIN}")
        self.assertEqual(setup["Cache-Control"], "private, no-store")
        self.assertContains(setup, '<svg class="wv-qr" role="img"')
        # No menu of pages that would only lead back here; logging out stays.
        self.assertNotContains(setup, f'href="{reverse("assessments:overview")}"')
        self.assertNotContains(setup, f'href="{ADMIN}"')
        self.assertContains(setup, "Uitloggen")
        self.assertContains(setup, "<title>QR-code om Waardevol aan uw authenticator-app")
        device = TOTPDevice.objects.get(user=self.vng, confirmed=False)
        secret = setup.context["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$")
        self.assertContains(setup, f'<code class="wv-secret">{secret}</code>')
        self.assertEqual(secret.replace(" ", ""), b32encode(device.bin_key).decode())
        self.assertIn("otpauth://totp/Waardevol%3Avng", device.config_url)
        # Reloading keeps the secret that was scanned already.
        self.assertEqual(self.client.get(reverse("two_factor_setup")).context["secret"], secret)

        wrong = self.client.post(reverse("two_factor_setup"), {"code": "000000", "next": ADMIN})
        self.assertContains(wrong, "Deze code klopt niet", status_code=400)
        # Nothing was kept to promise, and the used code is no start for the next one.
        self.assertContains(wrong, "Verbeter het volgende:", status_code=400)
        self.assertNotContains(wrong, "staat nog in het formulier", status_code=400)
        self.assertNotContains(wrong, 'value="000000"', status_code=400)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        device.throttle_reset()  # django-otp waits a second after a wrong code

        response = self.client.post(reverse("two_factor_setup"),
                                    {"code": current_code(device), "next": ADMIN})
        self.assertRedirects(response, f"{reverse('two_factor_recovery_codes')}?next={ADMIN}",
                             fetch_redirect_response=False)
        codes_page = self.client.get(response["Location"])
        codes = codes_page.context["codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for code in codes:
            self.assertContains(codes_page, f"<code>{code}</code>")
        self.assertEqual(sorted(StaticToken.objects.filter(device__user=self.vng)
                                .values_list("token", flat=True)), sorted(codes))
        # Shown once.
        again = self.client.get(reverse("two_factor_recovery_codes"))
        self.assertNotContains(again, codes[0])
        self.assertContains(again, "U heeft nog 10 ongebruikte herstelcodes")
        self.assertEqual(self.client.get(ADMIN).status_code, 200)

    def test_staff_with_an_authenticator_give_its_code_after_the_password(self):
        device = self.enrolled()
        self.password_login()
        response = self.client.get(ADMIN)
        self.assertRedirects(response, f"{reverse('two_factor_verify')}?next={ADMIN}",
                             fetch_redirect_response=False)
        # A password alone may not replace the authenticator.
        self.assertRedirects(self.client.get(reverse("two_factor_setup")),
                             f"{reverse('two_factor_verify')}?next=%2Fgemeente%2F",
                             fetch_redirect_response=False)
        verify = self.client.get(response["Location"])
        self.assertContains(verify, 'autocomplete="one-time-code"')
        self.assertEqual(verify["Cache-Control"], "private, no-store")
        response = self.client.post(reverse("two_factor_verify"),
                                    {"code": current_code(device), "next": ADMIN})
        self.assertRedirects(response, ADMIN)

    def test_a_wrong_code_is_refused_and_guessing_is_throttled(self):
        device = self.enrolled()
        self.password_login()
        for attempt in range(5):
            with self.subTest(attempt=attempt):
                response = self.client.post(reverse("two_factor_verify"),
                                            {"code": f"{attempt:06d}", "next": ADMIN})
                self.assertContains(response, "Deze code klopt niet", status_code=400)
                self.assertEqual(self.client.get(ADMIN).status_code, 302)
        device.refresh_from_db()
        # django-otp also makes each wrong code wait longer before the next is even checked.
        self.assertGreaterEqual(device.throttling_failure_count, 1)
        device.throttle_reset()
        # Past the limit even the right code waits for the window to pass.
        response = self.client.post(reverse("two_factor_verify"),
                                    {"code": current_code(device), "next": ADMIN})
        self.assertContains(response, "te vaak een code ingevoerd", status_code=429)
        # Still halfway through the login: no menu of pages that lead back to the code.
        self.assertNotContains(response, f'href="{ADMIN}"', status_code=429)
        self.assertContains(response, "Uitloggen", status_code=429)
        self.assertEqual(self.client.get(ADMIN).status_code, 302)

    def test_a_recovery_code_works_once(self):
        self.enrolled()
        self.password_login()
        self.client.post(reverse("two_factor_setup"))  # nothing: the app exists already
        from waardevol.accounts import services

        codes = services.recovery_codes_replace(user=self.vng)
        response = self.client.post(reverse("two_factor_verify"),
                                    {"code": codes[0].upper()[:4] + "-" + codes[0][4:],
                                     "next": ADMIN}, follow=True)
        self.assertEqual(response.redirect_chain[-1][0], ADMIN)
        self.assertContains(response, "U heeft er nog 9")
        self.client.post(reverse("logout"))
        self.password_login()
        response = self.client.post(reverse("two_factor_verify"), {"code": codes[0], "next": ADMIN})
        self.assertContains(response, "Deze code klopt niet", status_code=400)
        self.assertEqual(self.client.get(ADMIN).status_code, 302)
        self.assertEqual(StaticToken.objects.filter(device__user=self.vng).count(), 9)

    def test_new_recovery_codes_replace_the_old_ones(self):
        from waardevol.accounts import services

        old = services.recovery_codes_replace(user=self.vng)
        self.client.force_login(self.vng)  # verified
        response = self.client.post(reverse("two_factor_recovery_codes"), follow=True)
        new = response.context["codes"]
        self.assertEqual(len(new), 10)
        self.assertFalse(StaticToken.objects.filter(token__in=old).exists())

    def test_new_codes_take_turns_and_mend_a_second_device(self):
        """Two requests at once each made a recovery-code device; with two, every later change
        of that user's second factor was a 500 (found by the 500 hunt)."""
        from waardevol.accounts import services

        for _i in range(2):  # what the race left behind
            StaticDevice.objects.create(user=self.vng, name="Herstelcodes", confirmed=True)
        with recorded_sql() as sql:
            codes = services.recovery_codes_replace(user=self.vng)
        self.assertEqual(StaticDevice.objects.filter(user=self.vng).count(), 1)
        self.assertEqual(sorted(StaticToken.objects.filter(device__user=self.vng)
                                .values_list("token", flat=True)), sorted(codes))
        if connection.features.has_select_for_update:
            locks = [i for i, q in enumerate(sql) if q.startswith("SELECT") and "UPDATE" in q
                     and '"auth_user"' in q]
            writes = [i for i, q in enumerate(sql) if q.startswith(("INSERT", "DELETE"))]
            self.assertTrue(locks, "the user's row is not locked")
            self.assertLess(locks[0], writes[0])

    def test_an_app_replaced_in_another_tab_meanwhile_is_not_confirmed(self):
        """Two pending apps confirmed at once: the second deleted the first's device and then
        saved its own, which the first had deleted (a 500)."""
        from waardevol.accounts import services

        first = TOTPDevice.objects.create(user=self.vng, name="Authenticator-app", confirmed=False)
        second = TOTPDevice.objects.create(user=self.vng, name="Authenticator-app",
                                           confirmed=False)
        services.totp_device_confirm(device=second)
        with self.assertRaises(TOTPDevice.DoesNotExist):
            services.totp_device_confirm(device=first)
        self.assertEqual(list(TOTPDevice.objects.filter(user=self.vng)
                              .values_list("pk", "confirmed")), [(second.pk, True)])

    def test_staff_find_their_second_factor_from_the_admin(self):
        """The codes page said "make new ones at ‘Herstelcodes’", but nothing linked to it."""
        device = self.enrolled()
        self.password_login()
        self.client.post(reverse("two_factor_verify"), {"code": current_code(device),
                                                        "next": ADMIN})
        link = f"{reverse('two_factor_recovery_codes')}?next=/beheer/"
        self.assertContains(self.client.get(ADMIN), f'href="{link}"')
        page = self.client.get(link)
        self.assertContains(page, '<h1 class="utrecht-heading-1">Tweestapsverificatie</h1>')
        self.assertContains(page, "Nieuwe herstelcodes maken")
        self.assertContains(page, f'href="{reverse("assessments:overview")}"')  # the menu is back
        setup = f"{reverse('two_factor_setup')}?next=/beheer/"
        self.assertContains(page, f'href="{setup}"')
        self.assertContains(self.client.get(setup), "QR-code")  # verified: straight to the app
        self.assertContains(page, 'href="/beheer/"')  # "Verder"

    def test_superusers_need_it_too(self):
        self.vng.is_staff = False
        self.vng.is_superuser = True
        self.vng.save()
        self.password_login()
        self.assertTrue(self.client.get(ADMIN)["Location"].startswith(reverse("two_factor_setup")))

    def test_municipal_users_are_not_asked(self):
        self.password_login("alice")
        self.assertEqual(self.client.get(reverse("assessments:overview")).status_code, 200)
        for name in ("two_factor_setup", "two_factor_verify", "two_factor_recovery_codes"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        self.assertFalse(TOTPDevice.objects.filter(user=self.alice).exists())

    def test_the_next_address_stays_on_this_site(self):
        device = self.enrolled()
        self.password_login()
        response = self.client.post(reverse("two_factor_verify"),
                                    {"code": current_code(device), "next": "https://evil.example/"})
        self.assertRedirects(response, reverse("assessments:overview"),
                             fetch_redirect_response=False)

    def test_a_next_that_is_no_path_leads_home_and_the_code_counts(self):
        """`redirect("0")` looks for a view named "0": a 500 after a correct code, which left
        the login unverified and the code used up."""
        device = self.enrolled()
        self.password_login()
        for bad in ("0", "overview", "assessments:overview"):
            with self.subTest(next=bad):
                self.assertEqual(self.client.get(reverse("two_factor_verify"),
                                                 {"next": bad}).status_code, 200)
        response = self.client.post(f"{reverse('two_factor_verify')}?next=0",
                                    {"code": current_code(device)})
        self.assertRedirects(response, reverse("assessments:overview"),
                             fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("two_factor_verify"),
                                         {"next": "0"}).status_code, 302)  # verified now

    def test_logging_out_stays_possible(self):
        self.enrolled()
        self.password_login()
        self.client.post(reverse("logout"))
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(TWO_FACTOR_REQUIRED=False)
    def test_without_the_requirement_a_password_is_enough(self):
        self.password_login()
        self.assertEqual(self.client.get(ADMIN).status_code, 200)
