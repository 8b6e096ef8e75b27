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
from django.db import transaction

# What the cache holds for a session that was ended: a request that read the session's row
# just before it was deleted must not put the session back in the cache (see `load`).
ENDED = "ended"


class SessionStore(CachedDBStore):
    # Not Django's prefix: a session cached before this engine existed has no row in our table,
    # and finding it in the cache would make its next save fail ("session deleted").
    cache_key_prefix = "waardevol.sessions"

    def load(self):
        """Django's `cached_db.load`, with two changes: an ended session is empty, and a session
        read from the database is cached with `add`, never over an end marker (`set` would
        revive a session ended between this request's read and its write to the cache)."""
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None  # as Django: a key some cache backend refuses resets the session
        if data == ENDED:
            self._session_key = None
            return {}
        if data is None:
            row = self._get_session_from_db()
            if row is None:
                return {}
            data = self.decode(row.session_data)
            self._cache.add(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

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
    """End every session of the account: their rows first, then their cached copies, replaced
    by an end marker that outlives any copy (a request between the two reads a cached session
    whose user is refused anyway). The number ended. Called after the block commits, and again
    after an unblock commits, for a login that was under way while the block was made."""
    from .models import Session

    rows = Session.objects.filter(account_id=account_id)
    keys = list(rows.values_list("session_key", flat=True))
    if keys:
        rows.filter(session_key__in=keys).delete()
        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {SessionStore.cache_key_prefix + key: ENDED for key in keys},
            timeout=settings.SESSION_COOKIE_AGE)
    return len(keys)


def sessions_end_on_commit(account_id: int) -> None:
    """`sessions_end` once the current transaction commits (at once outside one): ended before
    the commit, a session could be read back from a row the transaction has not deleted yet."""
    transaction.on_commit(lambda: sessions_end(account_id))
