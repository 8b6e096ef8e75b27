"""The session engine (settings.SESSION_ENGINE): Django's `cached_db`, whose rows name their
account, so that an account's sessions can be found and ended.

Why: a blocked account's session stops working at its next request (the login user is refused
while inactive, backends.py), but Django keeps the session itself. Unblocked, even by mistake an
hour later, that session would come back to life on whatever device was left logged in. Ending
the sessions when the account is blocked (`sessions_end`) makes unblocking mean: log in again.
"""

import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

# What the cache holds for a session that was ended: a request that read the session's row
# just before it was deleted must not put the session back in the cache (see `load`).
ENDED = "ended"
# Where a session's cached copy carries its user, as (time read from the database, user): never
# in the row, never in the session's data (backends.py decides whether it is still fresh).
CARRIED_USER = "_waardevol_carried_user"
# How long a user read from the database may be used, carried or cached (backends.py).
USER_CACHE_SECONDS = 60


def user_changed_key(account_id) -> str:
    """Where the cache keeps when the account's user row last changed (for USER_CACHE_SECONDS):
    a session saved by a request that read its user before then must not carry that user."""
    return f"auth-user-changed:{account_id}"


class SessionStore(CachedDBStore):
    # Not Django's prefix: a session cached before this engine existed has no row in our table,
    # and finding it in the cache would make its next save fail ("session deleted"). ".2": the
    # copies carry their user since; code from before would take it for session data, and fail
    # to save it (so a rollback, or servers of both versions, never read each other's copies).
    cache_key_prefix = "waardevol.sessions.2"
    # Ended sessions are marked under the earlier prefix too, for a rollback (one release).
    earlier_cache_key_prefix = "waardevol.sessions"

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._carried = None

    def _validate_session_key(self, key):
        """Only a key of the letters and digits Django makes one of: a cookie with a NUL byte
        reached the session table's query, which PostgreSQL refused (a 500 on any page); with
        any other key the request goes on without a session, as with a key of no session."""
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()

    def carried_user(self, user_id):
        """What this session's cached copy carried as user `user_id`, or None."""
        entry = self._carried
        if entry is not None and str(entry[1].pk) == str(user_id):
            return entry
        return None

    def carry_user(self, entry) -> None:
        """The user the cached copy carries from the next time the session is saved."""
        self._carried = entry

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
        if isinstance(data, dict) and CARRIED_USER in data:
            data = dict(data)
            self._carried = data.pop(CARRIED_USER)
        if data is None:
            row = self._get_session_from_db()
            if row is None:
                return {}
            data = self.decode(row.session_data)
            self._cache.add(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def save(self, must_create=False):
        """Django's `cached_db.save`, its cached copy carrying the session's user when this
        request read it (`carry_user`) and it is still the session's user."""
        DBStore.save(self, must_create)
        value = self._session
        carried = self.carried_user(value.get(SESSION_KEY))
        try:
            if carried is not None:
                # Read before the user row last changed (this request may have run across the
                # change and its commit): not carried, the next request reads the user afresh.
                changed = self._cache.get(user_changed_key(carried[1].pk))
                if changed is None or carried[0] > changed:
                    value = {**value, CARRIED_USER: carried}
            self._cache.set(self.cache_key, value, self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

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
            {prefix + key: ENDED for key in keys
             for prefix in (SessionStore.cache_key_prefix, SessionStore.earlier_cache_key_prefix)},
            timeout=settings.SESSION_COOKIE_AGE)
    return len(keys)


def sessions_end_on_commit(account_id: int) -> None:
    """`sessions_end` once the current transaction commits (at once outside one): ended before
    the commit, a session could be read back from a row the transaction has not deleted yet."""
    transaction.on_commit(lambda: sessions_end(account_id))


def sessions_forget_cached(account_id: int) -> None:
    """Drop the cached copies of the account's sessions (and the user they carry): the next
    request reads its session from the row, and its user afresh. Sessions stay valid. First
    the time of the change: a request under way that read the user before it does not put the
    user back when it saves its session (`SessionStore.save`)."""
    from .models import Session

    cache = caches[settings.SESSION_CACHE_ALIAS]
    cache.set(user_changed_key(account_id), time.time(), USER_CACHE_SECONDS)
    keys = Session.objects.filter(account_id=account_id).values_list("session_key", flat=True)
    cache.delete_many([SessionStore.cache_key_prefix + key for key in keys])


def sessions_forget_cached_on_commit(account_id: int) -> None:
    """`sessions_forget_cached` now (this transaction's own requests) and after the commit (a
    request elsewhere that cached a copy between the change and the commit)."""
    sessions_forget_cached(account_id)
    transaction.on_commit(lambda: sessions_forget_cached(account_id))
