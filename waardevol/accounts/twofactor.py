"""Two-factor authentication (TOTP with recovery codes, django-otp) for staff.

Staff (VNG editors and superusers) change the content every municipality sees and can reach the
admin, so with TWO_FACTOR_REQUIRED they reach no page before a second factor: a password alone is
a login in progress. Users who came in through the municipality's identity provider are exempt
(the provider does its own multi-factor authentication). Municipal users are not asked: their
data stays within their own municipality, and requiring it is a change to `needs_second_factor`.
"""

import base64
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from .oidc import OIDC_USER_SESSION_KEY

# What a user who still owes the second factor may reach: the pages that ask for it, logging
# out, and switching the language of those pages.
OPEN_BEFORE_SECOND_FACTOR = {"two_factor_verify", "two_factor_setup", "logout", "set_language",
                             "health", "login"}


def needs_second_factor(user) -> bool:
    """Whether this user's account requires a second factor (whether or not it is configured)."""
    return user.is_authenticated and (user.is_staff or user.is_superuser)


def second_factor_pending(request) -> bool:
    """This session still owes a second factor before it may reach anything."""
    user = request.user
    return (settings.TWO_FACTOR_REQUIRED and needs_second_factor(user)
            and request.session.get(OIDC_USER_SESSION_KEY) != user.pk
            and not user.is_verified())


def template_context(request) -> dict:
    """`second_factor_pending` for every page (a context processor): halfway through a staff
    login the menu leaves out the pages that would only lead back to the code (the code pages,
    the 429 page, the login page all show it)."""
    return {"second_factor_pending": second_factor_pending(request)}


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class TwoFactorMiddleware:
    """Sends a session that owes its second factor to the verification (or set-up) page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if second_factor_pending(request):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in OPEN_BEFORE_SECOND_FACTOR:
                target = "two_factor_verify" if has_authenticator(request.user) \
                    else "two_factor_setup"
                next_path = request.get_full_path() if request.method == "GET" else ""
                if next_path:
                    return redirect_to_login(next_path, target)
                return redirect(target)
        return self.get_response(request)


def qr_code_svg(data: str, *, label: str) -> SafeString:
    """A QR code as inline SVG (no image library, nothing fetched), named for screen readers."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10,
                        border=4)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg (?:width="[^"]*" height="[^"]*" )?',
                 '<svg class="wv-qr" role="img" ', svg, count=1)
    escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace(">", f"><title>{escaped}</title>", 1)
    return mark_safe(svg)  # noqa: S308 (made by qrcode from our own data; the label is escaped)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
