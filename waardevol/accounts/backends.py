"""The logged-in user of a request, read from the cache instead of the database.

Every logged-in request loads its user (the two-factor middleware asks whether it is staff), and
that query was most of what a logged-in request cost beyond an anonymous one. The user is kept in
the cache (shared by all app servers with REDIS_URL) for at most USER_CACHE_SECONDS and dropped
whenever the user row is saved or deleted through the ORM: a password change, a deactivation or a
new role flag (is_staff) takes effect at the next request. A change that bypasses the ORM's
signals (a queryset `update()`, SQL) takes effect within USER_CACHE_SECONDS. Django's session
check still runs on the cached user: a session whose password hash no longer matches ends.

Memberships (a municipal user's role) are not part of the user and are always read fresh.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete

from .oidc import MunicipalOIDCBackend
from .sessions import sessions_end_on_commit

USER_CACHE_SECONDS = 60


def user_cache_key(user_id) -> str:
    return f"auth-user:{user_id}"


def user_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of the user model (connected in apps.py).

    Dropped now (so this transaction's own requests see the change) and again after the commit
    (so a request elsewhere that cached the row as it was before the commit drops it too), as
    perspectives.selectors.content_changed does for content."""
    key = user_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    if not instance.is_active or kwargs.get("signal") is post_delete:
        # Blocked or deleted: its sessions end, so unblocking never revives one (sessions.py).
        sessions_end_on_commit(instance.pk)


class CachedUserMixin:
    def get_user(self, user_id):
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
        # A blocked account's open session ends here, whichever backend logged it in: Django's
        # ModelBackend refuses inactive users itself, mozilla-django-oidc's get_user does not.
        if user is not None and not user.is_active:
            return None
        return user


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's ModelBackend (username and password), its `get_user` cached."""


class CachedOIDCBackend(CachedUserMixin, MunicipalOIDCBackend):
    """The municipality's identity provider (see oidc.py), its `get_user` cached."""
