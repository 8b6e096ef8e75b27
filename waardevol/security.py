"""Who is knocking: the client's address behind our proxies, and login throttling per address and
per username (django-axes)."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_ip(request) -> str | None:
    """The address of the client, not of our reverse proxy.

    Only the header named in TRUSTED_PROXY_HEADER is read, and only when the request comes from
    one of TRUSTED_PROXIES (when that is set): anyone can send an X-Forwarded-For, so without a
    configured proxy the header is ignored. With TRUSTED_PROXY_COUNT proxies in a row, each
    appends the address it saw, so the client is that many places from the end of the list.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.TRUSTED_PROXY_HEADER
    if not header or not _is_trusted_proxy(remote):
        return remote
    chain = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    if len(chain) < settings.TRUSTED_PROXY_COUNT:
        return remote
    candidate = chain[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _is_trusted_proxy(remote: str | None) -> bool:
    if not settings.TRUSTED_PROXIES:
        return True
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False)
               for network in settings.TRUSTED_PROXIES)


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
