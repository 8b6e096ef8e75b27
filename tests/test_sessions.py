"""The session's idle timeout and absolute lifetime, without a session write on every request;
and the sessions of a blocked account, which end (and stay ended when it is unblocked)."""

import datetime
import time
from contextlib import ExitStack
from importlib import import_module
from unittest import mock

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import Role
from waardevol.accounts import services as accounts_services
from waardevol.accounts.models import Session as AccountSession

from .base import PASSWORD, BaseTestCase

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
            if "accounts_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


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
        return AccountSession.objects.get(session_key=self.client.session.session_key).expire_date.timestamp()

    def test_sessions_are_cached_and_not_saved_on_every_request(self):
        self.assertEqual(settings.SESSION_ENGINE, "waardevol.accounts.sessions")
        self.assertTrue(issubclass(import_module(settings.SESSION_ENGINE).SessionStore,
                                   cached_db.SessionStore))
        self.assertFalse(settings.SESSION_SAVE_EVERY_REQUEST)
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 8 * 3600)

    def test_a_session_cookie_that_cannot_be_a_key_is_no_session(self):
        # A NUL byte in the cookie reached the session query: PostgreSQL refused it (a 500).
        for key in ("abcdefgh\x00ijkl", "../../etc/passwd", "é" * 32, "a b c d e f g h"):
            with self.subTest(key=key):
                self.client.cookies[settings.SESSION_COOKIE_NAME] = key
                response = self.client.get("/healthz")
                self.assertEqual(response.status_code, 200)
                response = self.client.get(self.overview)
                self.assertEqual(response.status_code, 302)  # to the login page

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
            cache.set(user_cache_key(self.alice.pk), (time.time(), stale))
        self.assertIsNone(cache.get(user_cache_key(self.alice.pk)))
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)

    def test_a_session_copy_cached_before_the_commit_is_dropped_after_it(self):
        # The same for the user a session's cached copy carries: another server's request that
        # read the session and the user before the commit, and saved its session.
        from waardevol.accounts.sessions import SessionStore

        key = self.client.session.session_key
        with self.captureOnCommitCallbacks(execute=True):
            self.alice.is_staff = True
            self.alice.save()
            elsewhere = SessionStore(key)
            elsewhere.load()
            elsewhere.carry_user((time.time(), User.objects.get(pk=self.alice.pk)))
            elsewhere.carried_user(self.alice.pk)[1].is_staff = False  # as read before the save
            elsewhere.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("two_factor_setup"), response["Location"])

    def test_a_deleted_user_is_logged_out(self):
        self.alice.delete()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))


@override_settings(CACHES=CLOCKED_CACHES)
class CarriedUserTests(BaseTestCase):
    """A session's cached copy carries its user (sessions.py, backends.py): a logged-in request
    reads one cache entry, and the carried user obeys the cached user's rules."""

    def setUp(self):
        self.clock = Clock()
        self.enterContext(self.clock)
        self.client.force_login(self.alice)
        # The first request reads the user and moves the idle expiry on: the session is saved,
        # its cached copy now carrying alice.
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.key = self.client.session.session_key

    def user_of_next_request(self, seconds=1):
        self.clock.advance(seconds)
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        return response.wsgi_request.user

    def test_a_logged_in_request_reads_one_cache_entry(self):
        from waardevol.accounts.sessions import CARRIED_USER, SessionStore

        cache = caches["default"]
        self.assertIn(CARRIED_USER, cache.get(SessionStore.cache_key_prefix + self.key))
        self.clock.advance(1)
        with mock.patch.object(cache, "get", wraps=cache.get) as reads, \
                CaptureQueriesContext(connection) as queries:
            response = self.client.get("/healthz")
        self.assertEqual(response.wsgi_request.user.username, "alice")
        self.assertEqual([call.args[0] for call in reads.call_args_list],
                         [SessionStore.cache_key_prefix + self.key])
        self.assertEqual(len(queries), 0)

    def test_the_carried_user_is_used_for_a_minute_at_most(self):
        # A change that bypasses the ORM's signals, as the module's docstring warns.
        User.objects.filter(pk=self.alice.pk).update(first_name="Buiten de ORM")
        self.assertEqual(self.user_of_next_request(30).first_name, self.alice.first_name)
        self.assertEqual(self.user_of_next_request(31).first_name, "Buiten de ORM")

    def test_a_change_saved_through_the_orm_reaches_the_next_request(self):
        self.alice.first_name = "Opgeslagen"
        self.alice.save()
        self.assertEqual(self.user_of_next_request().first_name, "Opgeslagen")

    def test_what_a_request_changes_on_its_user_without_saving_stays_behind(self):
        from django.test import RequestFactory

        from waardevol.accounts.backends import request_user
        from waardevol.accounts.sessions import SessionStore

        for seconds in (1, 61):  # the user carried, then one read afresh
            self.clock.advance(seconds)
            request = RequestFactory().get("/healthz")
            request.session = SessionStore(self.key)
            user = request_user(request)
            self.assertEqual(user.username, "alice")
            user.first_name = "Niet opgeslagen"
            request.session.modified = True
            request.session.save()
            self.assertEqual(self.user_of_next_request(0).first_name, self.alice.first_name)

    def test_a_request_under_way_across_a_change_does_not_put_the_old_user_back(self):
        # Another device's request read the session (and alice as she was), the change commits,
        # then that request saves its session (the idle expiry, a message).
        from waardevol.accounts.sessions import SessionStore

        under_way = SessionStore(self.key)
        under_way.load()
        self.assertFalse(under_way.carried_user(self.alice.pk)[1].is_staff)
        self.clock.advance(1)
        with self.captureOnCommitCallbacks(execute=True):
            self.alice.is_staff = True
            self.alice.save()
        under_way.modified = True
        under_way.save()
        response = self.client.get(reverse("assessments:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("two_factor_setup"), response["Location"])

    def test_a_password_changed_during_a_request_keeps_that_session(self):
        # As the admin's own-password form does: save, then update_session_auth_hash. The session
        # (under a new key) must not carry the user as it was before the change.
        from django.contrib.auth import update_session_auth_hash
        from django.contrib.sessions.middleware import SessionMiddleware
        from django.http import HttpResponse
        from django.test import RequestFactory

        from waardevol.accounts.backends import AuthenticationMiddleware

        def view(request):
            request.user.set_password("een-nieuw-en-lang-wachtwoord")
            request.user.save()
            update_session_auth_hash(request, request.user)
            return HttpResponse("ok")

        self.clock.advance(61)  # the idle expiry moves on: this request saves its session anyway
        request = RequestFactory().get("/")
        request.COOKIES[settings.SESSION_COOKIE_NAME] = self.key
        response = SessionMiddleware(AuthenticationMiddleware(view))(request)
        new_key = response.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertNotEqual(new_key, self.key)
        self.client.cookies[settings.SESSION_COOKIE_NAME] = new_key
        self.assertEqual(self.user_of_next_request().username, "alice")

    def test_an_ended_session_is_marked_for_the_earlier_engine_too(self):
        # A rollback to code from before the carried user reads copies under the old prefix.
        from waardevol.accounts.sessions import ENDED, SessionStore, sessions_end

        self.assertEqual(sessions_end(self.alice.pk), 1)
        for prefix in (SessionStore.cache_key_prefix, SessionStore.earlier_cache_key_prefix):
            self.assertEqual(caches["default"].get(prefix + self.key), ENDED)

    def test_the_session_row_never_holds_the_user(self):
        from waardevol.accounts.sessions import CARRIED_USER, SessionStore

        row = AccountSession.objects.get(session_key=self.key)
        data = SessionStore().decode(row.session_data)
        self.assertEqual(data[SESSION_KEY], str(self.alice.pk))
        self.assertNotIn(CARRIED_USER, data)
        self.assertNotIn(CARRIED_USER, self.client.session.keys())

    def test_a_session_of_another_account_does_not_take_the_carried_user(self):
        from waardevol.accounts.sessions import CARRIED_USER, SessionStore

        store = SessionStore(self.key)
        store.load()
        self.assertEqual(store.carried_user(self.alice.pk)[1].username, "alice")
        self.assertIsNone(store.carried_user(self.bob.pk))
        store[SESSION_KEY] = str(self.bob.pk)
        store.save()
        self.assertNotIn(CARRIED_USER, caches["default"].get(SessionStore.cache_key_prefix + self.key))


class AccountSessionsTests(BaseTestCase):
    """Blocking an account ends its sessions, so that unblocking it never brings one back."""

    def logged_in_browser(self, user):
        browser = self.client_class()
        browser.force_login(user)
        self.assertEqual(browser.get(reverse("assessments:overview")).status_code, 200)
        return browser

    def logged_in(self, browser) -> bool:
        return browser.get(reverse("assessments:overview")).status_code == 200

    def block(self, membership, choice="blokkeren"):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("member_access", args=[membership.pk]),
                                        {"toegang": choice})
        self.assertRedirects(response, reverse("members"))

    def test_each_session_row_names_its_account(self):
        self.client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
        key = self.client.session.session_key
        self.assertEqual(AccountSession.objects.get(session_key=key).account_id, self.bob.pk)
        # A session without a login (a language choice, a CSRF token) names nobody.
        anonymous = import_module(settings.SESSION_ENGINE).SessionStore()
        anonymous["anything"] = 1
        anonymous.create()
        self.assertIsNone(AccountSession.objects.get(session_key=anonymous.session_key).account_id)

    def test_blocking_ends_every_session_and_unblocking_revives_none(self):
        phone, laptop = self.logged_in_browser(self.bob), self.logged_in_browser(self.bob)
        self.client.force_login(self.alice)
        self.assertEqual(AccountSession.objects.filter(account_id=self.bob.pk).count(), 2)
        self.block(self.bob.membership)
        self.assertFalse(AccountSession.objects.filter(account_id=self.bob.pk).exists())
        self.block(self.bob.membership, "deblokkeren")
        # Unblocked, Bob logs in again: the phone and laptop he left logged in stay logged out.
        self.assertFalse(self.logged_in(phone))
        self.assertFalse(self.logged_in(laptop))
        self.assertTrue(self.logged_in(self.client))  # Alice's own session is untouched
        self.assertTrue(self.logged_in(self.logged_in_browser(self.bob)))

    def test_a_cached_session_ends_too(self):
        phone = self.logged_in_browser(self.bob)
        key = phone.session.session_key
        store = import_module(settings.SESSION_ENGINE).SessionStore
        self.assertTrue(store(key).load())
        with self.captureOnCommitCallbacks(execute=True):
            User.objects.filter(pk=self.bob.pk).first().delete()  # an administrator deletes him
        self.assertEqual(store(key).load(), {})
        self.assertFalse(AccountSession.objects.filter(session_key=key).exists())

    def test_an_administrator_blocking_in_the_admin_ends_the_sessions(self):
        phone = self.logged_in_browser(self.bob)
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        change = reverse("admin:auth_user_change", args=[self.bob.pk])
        form = self.client.get(change).context["adminform"].form
        data = {name: value for name, value in form.initial.items()
                if value is not None and name not in ("groups", "user_permissions", "password",
                                                      "last_login", "date_joined")}
        data.update({"date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"})
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(change, {**data, "is_active": ""}).status_code, 302)
        self.assertFalse(AccountSession.objects.filter(account_id=self.bob.pk).exists())
        late_login = self.client_class()  # a login under way during the block (see below)
        late_login.force_login(User.objects.get(pk=self.bob.pk))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(change, {**data, "is_active": "on"}).status_code,
                             302)
        self.assertTrue(User.objects.get(pk=self.bob.pk).is_active)
        self.assertFalse(self.logged_in(phone))
        self.assertFalse(self.logged_in(late_login))

    def test_a_session_read_just_before_the_block_is_not_cached_again(self):
        """A request read Bob's session row from the database (not cached yet) just before the
        block deleted it; its write to the cache comes after. It must not revive the session."""
        phone = self.logged_in_browser(self.bob)
        key = phone.session.session_key
        store = import_module(settings.SESSION_ENGINE).SessionStore
        caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key_prefix + key)
        late = store(key)
        row = late._get_session_from_db()
        self.assertIsNotNone(row)
        self.client.force_login(self.alice)
        self.block(self.bob.membership)
        # Its cache read (a miss) and database read both came before the block:
        with mock.patch.object(late._cache, "get", return_value=None), \
                mock.patch.object(store, "_get_session_from_db", return_value=row):
            self.assertEqual(late.load()[SESSION_KEY], str(self.bob.pk))  # what it read
        self.block(self.bob.membership, "deblokkeren")
        self.assertFalse(self.logged_in(phone))

    def test_a_login_under_way_during_the_block_ends_at_the_unblock(self):
        """Bob's login checked his password before the block committed and saved its session
        after the block had ended his sessions: the unblock ends it."""
        self.client.force_login(self.alice)
        self.block(self.bob.membership)
        late_login = self.client_class()
        late_login.force_login(User.objects.get(pk=self.bob.pk))  # saved with his account
        self.assertTrue(AccountSession.objects.filter(account_id=self.bob.pk).exists())
        self.block(self.bob.membership, "deblokkeren")
        self.assertFalse(AccountSession.objects.filter(account_id=self.bob.pk).exists())
        self.assertFalse(self.logged_in(late_login))

    def test_a_reset_link_mailed_before_the_block_stops_working(self):
        bob = User.objects.get(pk=self.bob.pk)
        link = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(bob.pk)),
                                                        default_token_generator.make_token(bob)])
        self.client.force_login(self.alice)
        self.block(self.bob.membership)
        self.client.logout()
        page = self.client.get(link, follow=True)
        self.assertContains(page, "Deze link is ongeldig of al gebruikt")
        self.client.post(page.redirect_chain[-1][0] if page.redirect_chain else link,
                         {"new_password1": "een-nieuw-wachtwoord-9", "new_password2":
                          "een-nieuw-wachtwoord-9"})
        self.assertTrue(User.objects.get(pk=bob.pk).check_password(PASSWORD))
        # Unblocked, the same link works again: it was never used.
        self.client.force_login(self.alice)
        self.block(self.bob.membership, "deblokkeren")
        self.client.logout()
        self.assertNotContains(self.client.get(link, follow=True), "Deze link is ongeldig")

    def test_two_beheerders_blocking_each_other_at_once(self):
        """Each passed the access check before either blocked; the second is refused."""
        erin = self.make_user("erin", self.utrecht, Role.EDITOR, manager=True)
        self.assertTrue(accounts_services.member_access_set(
            membership=erin.membership, active=False, user=self.alice))
        with self.assertRaises(PermissionDenied):
            accounts_services.member_access_set(membership=self.alice.membership, active=False,
                                                user=User.objects.get(pk=erin.pk))
        self.assertTrue(User.objects.get(pk=self.alice.pk).is_active)
