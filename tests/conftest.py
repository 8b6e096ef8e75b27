import pytest

from perspectives.services import content_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the report's content, as `make run` loads it."""
    with django_db_blocker.unblock():
        content_load()
