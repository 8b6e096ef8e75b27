import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "waardevol.example.nl",
    "DEBUG": "0",
}


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


class ProductionSettingsTests(SimpleTestCase):
    def test_check_deploy_prints_no_warnings(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_missing_secret_key_refuses_to_start_without_debug(self):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
        result = manage("check", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY", result.stderr)

    def test_a_privacy_statement_address_must_be_a_web_address(self):
        result = manage("check", env={**PRODUCTION_ENV, "PRIVACY_STATEMENT_URL": "javascript:x"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("PRIVACY_STATEMENT_URL", result.stderr)

    def test_language_and_time_zone(self):
        self.assertEqual(settings.LANGUAGE_CODE, "nl")
        self.assertEqual([code for code, _ in settings.LANGUAGES], ["nl", "en"])
        self.assertEqual(settings.TIME_ZONE, "Europe/Amsterdam")

    def test_database_configuration(self):
        database = settings.DATABASES["default"]
        if os.environ.get("DATABASE_URL"):
            self.assertEqual(database["ENGINE"], "django.db.backends.postgresql")
            return
        options = database["OPTIONS"]
        self.assertIn("journal_mode=WAL", options["init_command"])
        self.assertEqual(options["transaction_mode"], "IMMEDIATE")
        self.assertGreaterEqual(options["timeout"], 5)


class SecurityHeaderTests(TestCase):
    def test_headers_on_pages_and_admin(self):
        for url in [reverse("perspectives:index"), reverse("login"), "/beheer/login/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                csp = response["Content-Security-Policy"]
                self.assertIn("default-src 'self'", csp)
                self.assertNotIn("unsafe-inline", csp)
                self.assertNotIn("unsafe-eval", csp)
                self.assertNotIn("nonce-", csp)  # only the staff report preview uses one
                self.assertIn("frame-ancestors 'none'", csp)
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["Referrer-Policy"], "same-origin")
                self.assertIn("camera=()", response["Permissions-Policy"])

    def test_friendly_404_in_our_look(self):
        response = self.client.get("/bestaat-niet/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Pagina niet gevonden", status_code=404)
        self.assertContains(response, "utrecht-page", status_code=404)

    def test_post_without_csrf_token_is_rejected(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "x", "password": "y"})
        self.assertEqual(response.status_code, 403)


class PrivacyStatementLinkTests(TestCase):
    """The organisation that offers Waardevol is the controller (AVG) and has the privacy
    statement; every page's footer links it when PRIVACY_STATEMENT_URL is set."""

    @override_settings(PRIVACY_STATEMENT_URL="https://www.gemeente.example/privacy")
    def test_the_footer_links_the_offering_organisations_statement(self):
        for url in (reverse("perspectives:index"), reverse("login"), "/bestaat-niet/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, '<a class="utrecht-link" href="https://www.gemeente'
                                              '.example/privacy">Privacyverklaring</a>',
                                    status_code=response.status_code)

    def test_no_link_without_an_address(self):
        self.assertNotContains(self.client.get(reverse("perspectives:index")),
                               "Privacyverklaring")
