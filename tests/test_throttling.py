"""Login throttling per username and address, the client's address behind a trusted proxy."""

from unittest import mock

from django.core import mail
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse

from waardevol.accounts import tasks
from waardevol.security import client_ip

from .base import PASSWORD, BaseTestCase

PROXY = dict(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXY_COUNT=1,
             TRUSTED_PROXIES=["10.0.0.0/8"])


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

    @override_settings(**{**PROXY, "TRUSTED_PROXY_COUNT": 2})
    def test_two_proxies_in_a_row(self):
        self.assertEqual(self.address("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.1"),
                         "198.51.100.7")


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

    def test_one_address_spraying_many_usernames_is_locked(self):
        for index in range(20):
            self.attempt(f"gok{index // 4}", remote="192.0.2.66")  # 4 tries per username
        self.assertLocked(self.attempt("alice", PASSWORD, remote="192.0.2.66"))
        self.client.logout()
        self.assertEqual(self.attempt("alice", PASSWORD, remote="192.0.2.67").status_code, 302)

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

    def test_one_address_asking_for_many_resets_is_stopped(self):
        statuses = [self.request_reset(f"x{i}@example.org", remote="192.0.2.9").status_code
                    for i in range(11)]
        self.assertEqual(statuses, [302] * 10 + [429])
        self.assertEqual(self.request_reset("alice@example.org", remote="192.0.2.10")
                         .status_code, 302)
