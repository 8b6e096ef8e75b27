import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django_tasks import task_backends

from perspectives.selectors import content_snapshot_forget
from perspectives.services import content_load


def pytest_configure(config):
    """PBKDF2 is slow on purpose (about 40% of the suite's time went into it); tests need no
    protection against guessing, so they hash with the fastest hasher Django has."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _own_run_files(config, settings)


def _own_run_files(config, settings):
    """Each run gets its own SQLite test database and file cache, in a directory of its own, so
    two runs in one checkout (a developer's and a helper's, or two terminals) do not delete each
    other's database or clear each other's cache mid-test. SQLITE_TEST_PATH and CACHE_DIR, when
    set, still decide. The cache directory goes into the environment too: the processes a test
    starts (db_worker, app servers) must share the test's cache, as production's share one."""
    run_dir = Path(tempfile.mkdtemp(prefix="waardevol-test-"))
    config.add_cleanup(lambda: shutil.rmtree(run_dir, ignore_errors=True))
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get("SQLITE_TEST_PATH"):
        database.setdefault("TEST", {})["NAME"] = str(run_dir / "db-test.sqlite3")
    if not os.environ.get("CACHE_DIR"):
        old_dir = settings.CACHE_DIR
        settings.CACHE_DIR = os.environ["CACHE_DIR"] = str(run_dir / "cache")
        for cache in settings.CACHES.values():
            if cache["LOCATION"].startswith(old_dir):  # a file cache (Redis's is a URL)
                cache["LOCATION"] = settings.CACHE_DIR + cache["LOCATION"][len(old_dir):]


@receiver(setting_changed)
def _reset_task_backends(*, setting, **kwargs):
    """django-tasks caches its backends and their settings; `override_settings(TASKS=…)` in a test
    must reach them (Django 6's own tasks framework resets them the same way)."""
    if setting == "TASKS":
        task_backends.__dict__.pop("settings", None)
        try:
            del task_backends["default"]
        except AttributeError:  # not created yet in this thread
            pass


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the report's content, as `make run` loads it."""
    with django_db_blocker.unblock():
        content_load()


def pytest_collection_modifyitems(config, items):
    """Tests that flush the database (migrations, then the browser tests with their live server)
    run last: the content that the other tests share is gone after them."""

    def order(item):
        if item.get_closest_marker("e2e") is not None:
            return 2
        return 1 if item.get_closest_marker("flushes_db") is not None else 0

    items.sort(key=order)


@pytest.fixture(autouse=True)
def _fresh_content_snapshot():
    """Each test's database starts from the loaded content; so must the cached snapshot, and
    rate limits and cached reports must not carry over from another test (or another run)."""
    for alias in caches:
        caches[alias].clear()
    content_snapshot_forget()
    yield
    # Also after: the next class's setUpTestData runs before this fixture does, and must not
    # find the pk of a publication that this test made and its rollback removed.
    for alias in caches:
        caches[alias].clear()
    content_snapshot_forget()


@pytest.fixture(autouse=True)
def _own_media_root(tmp_path):
    """Stored reports go to a directory of each test's own, never to the developer's MEDIA_ROOT,
    and none carries over to another test."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield
