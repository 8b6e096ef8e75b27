import pytest

from perspectives.selectors import content_snapshot_forget
from perspectives.services import content_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the report's content, as `make run` loads it."""
    with django_db_blocker.unblock():
        content_load()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: their live server flushes the database, content included."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def _fresh_content_snapshot():
    """Each test's database starts from the loaded content; so must the cached snapshot."""
    content_snapshot_forget()
    yield
    content_snapshot_forget()
