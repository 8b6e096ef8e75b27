"""Who is knocking: the client's address behind our proxies, and login throttling per address and
per username (django-axes)."""

import ipaddress
import re

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core import checks
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone


def client_ip(request) -> str | None:
    """The address of the client, not of our reverse proxy (an IPv6 client by its /64).

    Only the header named in TRUSTED_PROXY_HEADER is read, and only when the request comes from
    one of TRUSTED_PROXIES (when that is set): anyone can send an X-Forwarded-For, so without a
    configured proxy the header is ignored. With TRUSTED_PROXY_COUNT proxies in a row, each
    appends the address it saw, so the client is that many places from the end of the list.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.TRUSTED_PROXY_HEADER
    if not header or not _is_trusted_proxy(remote):
        return _subscriber(remote)
    chain = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    if len(chain) < settings.TRUSTED_PROXY_COUNT:
        return _subscriber(remote)
    return _subscriber(chain[-settings.TRUSTED_PROXY_COUNT]) or _subscriber(remote)


def _subscriber(address: str | None) -> str | None:
    """An address as throttling counts it: an IPv4 address as it is, an IPv6 address as its /64
    network (written as the network's first address), because one subscriber gets a whole /64
    and could otherwise try from 2**64 addresses."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _is_trusted_proxy(remote: str | None) -> bool:
    if not settings.TRUSTED_PROXIES:
        return True
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False)
               for network in settings.TRUSTED_PROXIES)


# No username is longer (Django's User.username); axes stores what was typed in a column of 255,
# which PostgreSQL enforces: a 300-character username was a 500 on the login page.
USERNAME_MAX = 150


def client_username(request, credentials=None) -> str | None:
    """The username a login attempt is counted under (AXES_USERNAME_CALLABLE): as axes reads it,
    cut to the longest username there can be."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:USERNAME_MAX] if isinstance(username, str) else username


class TieredLockoutHandler(AxesDatabaseHandler):
    """Locks out a username from one address after AXES_FAILURE_LIMIT failures (a typo-prone
    colleague), a username from any address after AXES_USERNAME_FAILURE_LIMIT (guessing one
    account from many addresses) and an address for every username after AXES_IP_FAILURE_LIMIT
    (one address trying a few passwords on many accounts), each for AXES_COOLOFF_TIME.

    The per-address limit is higher than the others because a municipal office shares one
    address; the per-username limit is higher than the pair's because anyone can fail a login in
    someone else's name.
    """

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off(request))

        def failures(**lookup) -> int:
            return recent.filter(**lookup).aggregate(n=Sum("failures_since_start"))["n"] or 0

        pair = failures(username=username, ip_address=address)
        if (username and failures(username=username) >= settings.AXES_USERNAME_FAILURE_LIMIT) \
                or failures(ip_address=address) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A login the identity provider's answer did not admit (no municipality in the claims,
        # a blocked member, a reused code) guesses no password: the provider checked that.
        # Counted, twenty colleagues behind the town hall's one address, refused because of a
        # claim set up wrong, locked that address out of password logins too.
        if request is not None and request.path == reverse("oidc_callback"):
            return None
        return super().user_login_failed(sender, credentials, request, **kwargs)


@checks.register(checks.Tags.security)
def check_trusted_proxy(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A misspelt header silently counts everyone behind the proxy as one address (and then one
    person's typos lock out the whole office); a header without proxies lets anyone choose."""
    messages = []
    header = settings.TRUSTED_PROXY_HEADER
    if header and not re.fullmatch(r"HTTP_[A-Z0-9_]+|REMOTE_ADDR", header):
        messages.append(checks.Error(
            f"TRUSTED_PROXY_HEADER={header!r} is not a request.META name.",
            hint="Write it as Django names it, e.g. HTTP_X_FORWARDED_FOR or HTTP_X_REAL_IP.",
            id="waardevol.E001"))
    for network in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            messages.append(checks.Error(f"TRUSTED_PROXIES has {network!r}, not an address or "
                                         "network.", id="waardevol.E002"))
    if header and not settings.TRUSTED_PROXIES:
        messages.append(checks.Warning(
            "TRUSTED_PROXY_HEADER is set without TRUSTED_PROXIES: a client that reaches the app "
            "directly can choose the address it is throttled by.",
            hint="Set TRUSTED_PROXIES to your proxies' addresses or networks.",
            id="waardevol.W001"))
    return messages
