"""The logged-in user of a request, read from the cache instead of the database.

Every logged-in request loads its user (the two-factor middleware asks whether it is staff), and
that query was most of what a logged-in request cost beyond an anonymous one. The user is kept in
the cache (shared by all app servers with REDIS_URL) for at most USER_CACHE_SECONDS and dropped
whenever the user row is saved or deleted through the ORM: a password change, a deactivation or a
new role flag (is_staff) takes effect at the next request. A change that bypasses the ORM's
signals (a queryset `update()`, SQL) takes effect within USER_CACHE_SECONDS. Django's session
check still runs on the cached user: a session whose password hash no longer matches ends.

Memberships (a municipal user's role) are not part of the user and are always read fresh.

One cache read fewer: a session's cached copy also carries its user (sessions.py), so a logged-in
request reads one cache entry, not two (with Redis each read is a round trip to another
process). The carried user obeys the same rules: it is used for at most USER_CACHE_SECONDS after
it was read from the database, and a change to the user row drops it from the cached copies of
all the account's sessions.
"""

import copy
import time
from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils.functional import SimpleLazyObject

from .oidc import MunicipalOIDCBackend
from .sessions import USER_CACHE_SECONDS, sessions_end_on_commit, sessions_forget_cached_on_commit


def user_cache_key(user_id) -> str:
    # v2: the value is (time read from the database, user); v1 held the user alone.
    return f"auth-user:v2:{user_id}"


# The session of the request being served (see `AuthenticationMiddleware`): the backends below
# take the user it carries and give it the user they read; `user_changed` takes it back.
_request_session = ContextVar("waardevol_request_session", default=None)


def user_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of the user model (connected in apps.py).

    Dropped now (so this transaction's own requests see the change) and again after the commit
    (so a request elsewhere that cached the row as it was before the commit drops it too), as
    perspectives.selectors.content_changed does for content."""
    key = user_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    # And the copies its sessions carry; their rows are read after the commit, so a session that
    # another request is creating meanwhile is found too. This request's own session must not
    # write back the user it read before the change (a password changed in the admin, then
    # `update_session_auth_hash`, would end the session at the next request).
    if kwargs.get("update_fields") != frozenset({"last_login"}):  # a login changes nothing here
        sessions_forget_cached_on_commit(instance.pk)
    session = _request_session.get()
    if getattr(session, "carried_user", None) is not None and session.carried_user(instance.pk):
        session.carry_user(None)
    if not instance.is_active or kwargs.get("signal") is post_delete:
        # Blocked or deleted: its sessions end, so unblocking never revives one (sessions.py).
        sessions_end_on_commit(instance.pk)


def request_user(request):
    """Django's `auth.get_user(request)` (the session checks included), with the request's
    session at hand for `CachedUserMixin.get_user`, which Django calls with a user id only."""
    if not hasattr(request, "_cached_user"):
        token = _request_session.set(getattr(request, "session", None))
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _request_session.reset(token)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, its `request.user` read by `request_user`, and the request's session at hand
    while the view runs (settings.MIDDLEWARE)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: request_user(request))

    def __call__(self, request):
        token = _request_session.set(getattr(request, "session", None))
        try:
            return super().__call__(request)
        finally:
            _request_session.reset(token)


def _fresh(entry) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 2
            and 0 <= time.time() - entry[0] < USER_CACHE_SECONDS)


class CachedUserMixin:
    def get_user(self, user_id):
        session = _request_session.get()
        carried = getattr(session, "carried_user", None)
        entry = carried(user_id) if carried is not None else None
        if not _fresh(entry):
            key = user_cache_key(user_id)
            entry = cache.get(key)
            if not _fresh(entry):
                user = super().get_user(user_id)
                if user is None:
                    return None
                entry = (time.time(), user)
                cache.set(key, entry, USER_CACHE_SECONDS)
            if carried is not None:
                session.carry_user(entry)
        # The request gets a copy: what a view changes on request.user without saving it must
        # not travel with the session to later requests.
        user = copy.copy(entry[1])
        # A blocked account's open session ends here, whichever backend logged it in: Django's
        # ModelBackend refuses inactive users itself, mozilla-django-oidc's get_user does not.
        if not user.is_active:
            return None
        return user


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's ModelBackend (username and password), its `get_user` cached."""


class CachedOIDCBackend(CachedUserMixin, MunicipalOIDCBackend):
    """The municipality's identity provider (see oidc.py), its `get_user` cached."""
