"""The session's idle timeout and absolute lifetime, without a session write on every request."""

import datetime
import time
from contextlib import ExitStack
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .base import BaseTestCase

# A cache that follows the mocked clock (Redis keeps its own time), apart from the other tests'.
CLOCKED_CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-sessions-{alias}"}
    for alias in ("default", "limits")
}


class Clock:
    """time.time() and timezone.now() under the test's control."""

    def __init__(self):
        self.now = float(int(time.time()))
        self._stack = ExitStack()

    def __enter__(self):
        self._stack.enter_context(mock.patch("time.time", lambda: self.now))
        self._stack.enter_context(mock.patch(
            "django.utils.timezone.now",
            lambda: datetime.datetime.fromtimestamp(self.now, tz=datetime.UTC)))
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def advance(self, seconds: float) -> None:
        self.now += seconds


def session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


@override_settings(CACHES=CLOCKED_CACHES)
class SessionRefreshTests(BaseTestCase):
    def setUp(self):
        self.clock = Clock()
        self.enterContext(self.clock)
        self.overview = reverse("assessments:overview")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.overview).status_code, 200)
        self.started = self.clock.now

    def expire_date(self) -> float:
        return Session.objects.get(session_key=self.client.session.session_key).expire_date.timestamp()

    def test_sessions_are_cached_and_not_saved_on_every_request(self):
        self.assertEqual(settings.SESSION_ENGINE, "django.contrib.sessions.backends.cached_db")
        self.assertFalse(settings.SESSION_SAVE_EVERY_REQUEST)
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 8 * 3600)

    def test_requests_within_a_minute_write_no_session(self):
        expiry = self.expire_date()
        for _ in range(5):
            self.clock.advance(10)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.overview)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(session_writes(queries), [])
            self.assertNotIn("sessionid", response.cookies)  # no new cookie either
        self.assertEqual(self.expire_date(), expiry)

    def test_a_request_after_a_minute_moves_the_expiry_on(self):
        self.assertEqual(self.expire_date(), self.started + settings.SESSION_COOKIE_AGE)
        self.clock.advance(settings.SESSION_REFRESH_SECONDS + 1)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.overview)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(session_writes(queries)), 1)
        self.assertEqual(self.expire_date(), self.clock.now + settings.SESSION_COOKIE_AGE)
        self.assertEqual(response.cookies["sessionid"]["max-age"], settings.SESSION_COOKIE_AGE)

    def test_an_active_user_stays_logged_in_past_the_idle_timeout(self):
        for _ in range(int(settings.SESSION_COOKIE_AGE / 50) + 5):
            self.clock.advance(50)
            self.assertEqual(self.client.get(self.overview).status_code, 200)
        self.assertGreater(self.clock.now - self.started, settings.SESSION_COOKIE_AGE)

    def test_idle_timeout_logs_out(self):
        self.clock.advance(settings.SESSION_COOKIE_AGE - 5)
        self.assertEqual(self.client.get(self.overview).status_code, 200)
        self.clock.advance(settings.SESSION_COOKIE_AGE + 1)
        response = self.client.get(self.overview)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_idle_timeout_ends_at_most_a_refresh_interval_early(self):
        # Last refresh at `started`; requests until just before the next refresh do not move it.
        self.clock.advance(settings.SESSION_REFRESH_SECONDS - 1)
        self.assertEqual(self.client.get(self.overview).status_code, 200)
        self.clock.advance(settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS)
        self.assertEqual(self.client.get(self.overview).status_code, 200)

    def test_absolute_lifetime_ends_an_active_session(self):
        step = settings.SESSION_COOKIE_AGE // 2
        while self.clock.now - self.started <= settings.SESSION_ABSOLUTE_SECONDS - step:
            self.clock.advance(step)
            self.assertEqual(self.client.get(self.overview).status_code, 200)
        self.clock.advance(step)
        response = self.client.get(self.overview)
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)


class CachedUserTests(BaseTestCase):
    """A logged-in request reads its user from the cache (waardevol/accounts/backends.py), and
    a change to the user takes effect at the next request."""

    def setUp(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/healthz").status_code, 200)  # fills the cache

    def user_queries(self, path="/healthz"):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        return response, [q["sql"] for q in queries if '"auth_user"' in q["sql"]]

    def test_a_logged_in_request_reads_no_user_row(self):
        response, queries = self.user_queries()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(queries, [])
        response, queries = self.user_queries(reverse("assessments:overview"))
        self.assertContains(response, "Uitloggen")  # logged in, as alice
        self.assertEqual(queries, [])

    def test_a_deactivated_user_is_logged_out_at_the_next_request(self):
        self.alice.is_active = False
        self.alice.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_a_changed_password_ends_the_other_sessions(self):
        self.alice.set_password("a-new-and-long-password")
        self.alice.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_new_staff_flag_asks_for_the_second_factor_at_once(self):
        self.alice.is_staff = True
        self.alice.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("two_factor_setup"), response["Location"])

    def test_a_copy_cached_before_the_commit_is_dropped_after_it(self):
        # Another server's request may read the row between the save and the commit, and cache
        # the user as it was: the commit drops that copy as well.
        from django.core.cache import cache

        from waardevol.accounts.backends import user_cache_key

        stale = type(self.alice).objects.get(pk=self.alice.pk)
        with self.captureOnCommitCallbacks(execute=True):
            self.alice.is_active = False
            self.alice.save()
            cache.set(user_cache_key(self.alice.pk), stale)
        self.assertIsNone(cache.get(user_cache_key(self.alice.pk)))
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)

    def test_a_deleted_user_is_logged_out(self):
        self.alice.delete()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
