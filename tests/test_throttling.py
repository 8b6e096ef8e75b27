"""Login throttling per username and address, the client's address behind a trusted proxy."""

from io import StringIO
from unittest import mock

from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from waardevol.accounts import tasks
from waardevol.accounts.views import reset_address_key
from waardevol.security import check_trusted_proxy, client_ip

from .base import PASSWORD, BaseTestCase

PROXY = dict(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXY_COUNT=1,
             TRUSTED_PROXIES=["10.0.0.0/8"])


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class ClientAddressTests(SimpleTestCase):
    def address(self, remote, forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_ip(RequestFactory().get("/", **meta))

    @override_settings(TRUSTED_PROXY_HEADER="", TRUSTED_PROXIES=[])
    def test_without_a_configured_proxy_the_header_is_ignored(self):
        self.assertEqual(self.address("203.0.113.9", "198.51.100.1"), "203.0.113.9")

    @override_settings(**PROXY)
    def test_behind_the_trusted_proxy_the_header_names_the_client(self):
        self.assertEqual(self.address("10.1.2.3", "198.51.100.1"), "198.51.100.1")
        # The client may prepend anything; only the address our proxy added counts.
        self.assertEqual(self.address("10.1.2.3", "1.2.3.4, 198.51.100.1"), "198.51.100.1")
        self.assertEqual(self.address("10.1.2.3", "not-an-address"), "10.1.2.3")
        self.assertEqual(self.address("10.1.2.3"), "10.1.2.3")

    @override_settings(**PROXY)
    def test_a_request_that_does_not_come_from_the_proxy_cannot_choose_its_address(self):
        self.assertEqual(self.address("203.0.113.9", "198.51.100.1"), "203.0.113.9")

    @override_settings(TRUSTED_PROXY_HEADER="", TRUSTED_PROXIES=[])
    def test_an_ipv6_client_counts_as_its_64(self):
        # One subscriber has a whole /64: it must not get 2**64 fresh addresses to try from.
        self.assertEqual(self.address("2001:db8:1:2::1"), "2001:db8:1:2::")
        self.assertEqual(self.address("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::")
        self.assertNotEqual(self.address("2001:db8:1:3::1"), "2001:db8:1:2::")
        self.assertEqual(self.address("::ffff:198.51.100.4"), "198.51.100.4")

    @override_settings(**{**PROXY, "TRUSTED_PROXY_COUNT": 2})
    def test_two_proxies_in_a_row(self):
        self.assertEqual(self.address("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.1"),
                         "198.51.100.7")


class TrustedProxyCheckTests(SimpleTestCase):
    def ids(self):
        return [message.id for message in check_trusted_proxy(None)]

    def test_a_misspelt_header_or_network_is_an_error(self):
        with override_settings(TRUSTED_PROXY_HEADER="X-Forwarded-For", TRUSTED_PROXIES=["10/8"]):
            self.assertEqual(self.ids(), ["waardevol.E001", "waardevol.E002"])

    def test_a_header_without_proxies_is_a_warning(self):
        with override_settings(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXIES=[]):
            self.assertEqual(self.ids(), ["waardevol.W001"])
        with override_settings(**PROXY):
            self.assertEqual(self.ids(), [])


@override_settings(AXES_FAILURE_LIMIT=5, AXES_USERNAME_FAILURE_LIMIT=10, AXES_IP_FAILURE_LIMIT=20)
class LockoutTests(BaseTestCase):
    def attempt(self, username, password="wrong", remote="203.0.113.1", **extra):
        return self.client.post(reverse("login"), {"username": username, "password": password},
                                REMOTE_ADDR=remote, **extra)

    def assertLocked(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_username_locked_from_one_address_is_limited_from_another(self):
        for _ in range(5):
            self.attempt("alice", remote="203.0.113.1")
        self.assertLocked(self.attempt("alice", PASSWORD, remote="203.0.113.1"))
        # Another address may still try (an attempt during the lockout counts too, as it does
        # for django-axes), until the username itself has had ten failures.
        statuses = [self.attempt("alice", remote="203.0.113.2").status_code for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertLocked(self.attempt("alice", PASSWORD, remote="198.51.100.50"))
        # Bob, from those addresses, is not affected.
        self.assertEqual(self.attempt("bob", PASSWORD, remote="203.0.113.2").status_code, 302)

    def test_a_username_longer_than_any_is_a_failed_login_not_an_error(self):
        # axes keeps the username in a column of 255; PostgreSQL refused 300 characters (a 500).
        long_name = "a" * 300
        statuses = [self.attempt(long_name).status_code for _ in range(6)]
        # The fifth failure locks, as for any username.
        self.assertEqual(statuses, [200] * 4 + [429] * 2)
        self.assertEqual(AccessAttempt.objects.get().username, "a" * 150)

    def test_one_address_spraying_many_usernames_is_locked(self):
        for index in range(20):
            self.attempt(f"gok{index // 4}", remote="192.0.2.66")  # 4 tries per username
        self.assertLocked(self.attempt("alice", PASSWORD, remote="192.0.2.66"))
        self.client.logout()
        self.assertEqual(self.attempt("alice", PASSWORD, remote="192.0.2.67").status_code, 302)

    def test_many_ipv6_addresses_of_one_subscriber_are_one_address(self):
        for index in range(20):
            self.attempt(f"gok{index // 4}", remote=f"2001:db8::{index:x}")
        self.assertLocked(self.attempt("alice", PASSWORD, remote="2001:db8::ffff"))

    @override_settings(**PROXY)
    def test_behind_the_proxy_colleagues_are_not_locked_together(self):
        for _ in range(5):
            self.attempt("alice", remote="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
        self.assertLocked(self.attempt("alice", PASSWORD, remote="10.0.0.1",
                                       HTTP_X_FORWARDED_FOR="198.51.100.1"))
        response = self.attempt("alice", PASSWORD, remote="10.0.0.1",
                                HTTP_X_FORWARDED_FOR="198.51.100.2")
        self.assertEqual(response.status_code, 302)

    @override_settings(TRUSTED_PROXY_HEADER="", TRUSTED_PROXIES=[])
    def test_a_forged_forwarded_header_does_not_escape_the_lock(self):
        for index in range(5):
            self.attempt("alice", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
        self.assertLocked(self.attempt("alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99"))


@override_settings(PASSWORD_RESETS_PER_ADDRESS=3, PASSWORD_RESETS_PER_IP=10)
class PasswordResetThrottleTests(BaseTestCase):
    def request_reset(self, email, remote="203.0.113.5"):
        return self.client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=remote)

    def test_a_mailbox_cannot_be_flooded(self):
        for _ in range(5):
            response = self.request_reset("alice@example.org", remote="203.0.113.5")
            self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 3)

    def test_spellings_of_one_address_share_its_limit(self):
        for email in ["alice@example.org", "ALICE@example.org", "Alice@Example.org",
                      "alice@EXAMPLE.ORG", " alice@example.org"]:
            self.request_reset(email)
        self.assertEqual(len(mail.outbox), 3)
        # Django finds an account for any case and compatibility form of its address (a long
        # "ſ" is an "s"), so the limit's key folds them the same way.
        self.assertEqual(reset_address_key("ALIſON@Example.org"),
                         reset_address_key("alison@example.org"))

    def test_known_and_unknown_addresses_get_the_same_answer(self):
        known = self.request_reset("alice@example.org")
        unknown = self.request_reset("nobody@example.org")
        self.assertEqual((known.status_code, known["Location"]),
                         (unknown.status_code, unknown["Location"]))
        self.assertEqual([message.to for message in mail.outbox], [["alice@example.org"]])

    def test_the_reset_is_sent_by_a_task(self):
        with mock.patch.object(tasks, "send_password_reset") as task:
            self.request_reset("alice@example.org")
            self.request_reset("nobody@example.org")
        self.assertEqual([call.kwargs["email"] for call in task.enqueue.call_args_list],
                         ["alice@example.org", "nobody@example.org"])
        self.assertEqual(mail.outbox, [])

    def test_with_the_database_backend_the_mail_leaves_the_request(self):
        with override_settings(TASKS=DATABASE_TASKS):
            self.request_reset("alice@example.org")
            self.request_reset("nobody@example.org")
            self.assertEqual(mail.outbox, [])  # both answers came before any e-mail work
            self.assertEqual(DBTaskResult.objects.count(), 2)
            # The worker closes stale connections between tasks; in this test's transaction
            # that would be the test's own connection.
            with mock.patch("django_tasks_db.management.commands.db_worker."
                            "close_old_connections"):
                call_command("db_worker", batch=True, startup_delay=False, stdout=StringIO(),
                             stderr=StringIO())
        self.assertEqual([message.to for message in mail.outbox], [["alice@example.org"]])

    def test_one_address_asking_for_many_resets_is_stopped(self):
        statuses = [self.request_reset(f"x{i}@example.org", remote="192.0.2.9").status_code
                    for i in range(11)]
        self.assertEqual(statuses, [302] * 10 + [429])
        self.assertEqual(self.request_reset("alice@example.org", remote="192.0.2.10")
                         .status_code, 302)
