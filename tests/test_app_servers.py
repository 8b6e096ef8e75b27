"""Several app servers behind a load balancer: two gunicorn processes on loopback share one Redis
and one database (this test's), and each sees at once what happened through the other.

Runs against REDIS_URL when it is set (CI sets it; the suite flushes that Redis database before
each test, so give tests a database of their own), else against a Redis server it starts itself.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from django.test import TransactionTestCase, override_settings

from assessments import readmodel
from assessments import services as assessment_services
from assessments.models import Answer, Municipality, Role
from perspectives.models import Perspective, Process
from perspectives.services import content_load, content_publish
from tests.benchmarks.load import Gunicorn, free_port
from waardevol.accounts import services as accounts_services

PASSWORD = "correct-horse-battery"


def redis_caches(url: str) -> dict:
    """As waardevol/settings.py configures the caches for REDIS_URL."""
    backend = "waardevol.cache.SharedClientRedisCache"
    return {"default": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "waardevol"},
            "limits": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "waardevol-limits"}}


class RedisServer:
    """A throwaway redis-server on a free loopback port (when REDIS_URL names none)."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def database_env() -> dict[str, str]:
    """The environment that points an app server at this test's database."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return {"SQLITE_PATH": str(db["NAME"])}
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return {"DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}"}


class Browser:
    """One visitor's cookies, sent to whichever app server it talks to."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, fields: dict | None = None,
                csrf: str | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if csrf:
            headers["X-CSRFToken"] = csrf
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, text, dict(response.headers)
        finally:
            conn.close()

    def log_in(self, port: int, username: str) -> None:
        status, page, _headers = self.request(port, "GET", "/account/login/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page, headers = self.request(
            port, "POST", "/account/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        assert status == 302, (status, _page[:500])


@pytest.mark.flushes_db
class TwoAppServersTests(TransactionTestCase):
    """Runs in a transaction-less test case: the app servers must see what the test commits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        url = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL")
        cls.redis = None
        if not url:
            if shutil.which("redis-server") is None:
                if os.environ.get("CI"):
                    raise RuntimeError("CI must run this test: set REDIS_URL or install redis-server")
                raise pytest.skip.Exception(
                    "neither REDIS_URL nor redis-server: install redis-server (make test does)")
            cls.redis = RedisServer()
            url = cls.redis.url
        cls.redis_url = url
        cls.caches = override_settings(CACHES=redis_caches(url))
        cls.caches.enable()

    @classmethod
    def tearDownClass(cls):
        cls.caches.disable()
        if cls.redis is not None:
            cls.redis.stop()
        super().tearDownClass()

    def setUp(self):
        from django.core.cache import caches

        caches["default"].clear()  # flushes this Redis database: no state from before
        if not Process.objects.exists():  # a test before this one may have emptied the database
            content_load()
        town = Municipality.objects.create(name="Tweestad", cbs_code="GM0992")
        self.user = User.objects.create(
            username="twee", password=PBKDF2PasswordHasher().encode(PASSWORD, "twee-salt-0123"))
        accounts_services.membership_create(user=self.user, municipality=town, role=Role.EDITOR)
        self.town = town
        env = {**os.environ, **database_env(), "REDIS_URL": self.redis_url, "DEBUG": "0",
               "SECRET_KEY": os.environ.get("SECRET_KEY") or "two-servers-test-key",
               "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        env.pop("CACHE_URL", None)
        self.servers = []
        for _ in range(2):
            server = Gunicorn(env, workers=1, threads=4)
            self.servers.append(server)
            self.addCleanup(server.stop)
        self.a, self.b = (server.port for server in self.servers)

    def test_a_publication_through_one_is_seen_through_the_other_at_once(self):
        visitor = Browser()
        perspective = Perspective.objects.get(number=1)
        old_title = perspective.title_nl
        for port in (self.a, self.b):  # both servers now hold the publication in memory
            status, page, _headers = visitor.request(port, "GET", "/")
            self.assertEqual(status, 200)
            self.assertIn(old_title, page)

        perspective.title_nl = "Gedeelde titel na publicatie"
        perspective.save()
        status, page, _headers = visitor.request(self.b, "GET", "/")
        self.assertNotIn("Gedeelde titel na publicatie", page)  # a draft is not published
        content_publish(user=None, note="Voor beide servers")

        for port in (self.b, self.a):
            status, page, _headers = visitor.request(port, "GET", "/")
            self.assertEqual(status, 200)
            self.assertIn("Gedeelde titel na publicatie", page)
            self.assertNotIn(old_title, page)

    def test_a_login_through_one_is_a_login_on_the_other(self):
        visitor = Browser()
        status, _page, headers = visitor.request(self.b, "GET", "/gemeente/")
        self.assertEqual(status, 302)
        visitor.log_in(self.a, "twee")
        status, page, _headers = visitor.request(self.b, "GET", "/gemeente/")
        self.assertEqual(status, 200)
        self.assertIn("Tweestad", page)

        status, _page, _headers = visitor.request(self.a, "GET", "/gemeente/")
        self.assertEqual(status, 200)
        csrf = visitor.cookies["csrftoken"]
        status, _page, _headers = visitor.request(self.b, "POST", "/account/logout/",
                                                  {"csrfmiddlewaretoken": csrf})
        self.assertEqual(status, 302)
        status, _page, headers = visitor.request(self.a, "GET", "/gemeente/")
        self.assertEqual(status, 302)
        self.assertIn("/account/login/", headers["Location"])

    def test_concurrent_answer_saves_through_both_lose_nothing(self):
        project = assessment_services.project_create(municipality=self.town, owner=self.user,
                                                     name="Twee servers")
        assessment = assessment_services.assessment_start(project=project, user=self.user,
                                                          language="nl")
        questions = [q.id for q in readmodel.assessment_result(assessment).questions
                     if q.applicable]
        visitors = []
        for _ in range(4):
            visitor = Browser()
            visitor.log_in(self.a, "twee")
            visitors.append(visitor)
        failures: list[str] = []

        def save(index: int, visitor: Browser):
            port = self.a if index % 2 else self.b
            for number, question in enumerate(questions):
                if number % len(visitors) != index:
                    continue
                status, text, _headers = visitor.request(
                    port, "POST", f"/gemeente/beoordelingen/{assessment.pk}/antwoord/{question}/",
                    {f"q{question}-answer": number % 5, f"q{question}-version": 0},
                    csrf=visitor.cookies["csrftoken"])
                if status != 200 or '"saved"' not in text:
                    failures.append(f"{question}: {status} {text[:200]}")

        threads = [threading.Thread(target=save, args=(i, v)) for i, v in enumerate(visitors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(failures, [])
        stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "score"))
        self.assertEqual(stored, {q: n % 5 for n, q in enumerate(questions)})
