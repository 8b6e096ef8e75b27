"""The session engine (settings.SESSION_ENGINE): Django's `cached_db`, whose rows name their
account, so that an account's sessions can be found and ended.

Why: a blocked account's session stops working at its next request (the login user is refused
while inactive, backends.py), but Django keeps the session itself. Unblocked, even by mistake an
hour later, that session would come back to life on whatever device was left logged in. Ending
the sessions when the account is blocked (`sessions_end`) makes unblocking mean: log in again.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches


class SessionStore(CachedDBStore):
    # Not Django's prefix: a session cached before this engine existed has no row in our table,
    # and finding it in the cache would make its next save fail ("session deleted").
    cache_key_prefix = "waardevol.sessions"

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.account_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.account_id = None  # not logged in (yet): a CSRF or language-only session
        return session


def sessions_end(account_id: int) -> int:
    """End every session of the account: their rows first, then the cached copies (a request
    between the two reads a cached session whose user is refused anyway). The number ended."""
    from .models import Session

    rows = Session.objects.filter(account_id=account_id)
    keys = list(rows.values_list("session_key", flat=True))
    if keys:
        rows.filter(session_key__in=keys).delete()
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [SessionStore.cache_key_prefix + key for key in keys])
    return len(keys)
