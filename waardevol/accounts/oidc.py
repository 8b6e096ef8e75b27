"""Login with the municipality's identity provider (OpenID Connect, mozilla-django-oidc).

A login is matched on the ID token's issuer and `sub`, never on e-mail: an address can change
and be given to someone else, and anyone who can choose their address at some provider could
otherwise take over the account that has it. Who a new user is (municipality, role) comes from an
invitation they accept with their organisation account, or from the provider's claims.
"""

import logging
import uuid

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from assessments.models import Role

from . import services

logger = logging.getLogger(__name__)

# The session remembers that this user came in through the identity provider (which does its own
# multi-factor authentication), and which invitation a login is meant to accept.
OIDC_USER_SESSION_KEY = "waardevol_oidc_user"
INVITATION_SESSION_KEY = "waardevol_oidc_invitation"

# OpenID Connect Core 2: a subject is at most 255 ASCII characters.
SUBJECT_MAX = 255

# What a failed exchange with the identity provider raises in mozilla-django-oidc and PyJWT
# (an error page, HTML where JSON belongs, a token that is not one).
PROVIDER_ERRORS = (requests.RequestException, jwt.PyJWTError, ValueError, TypeError, KeyError,
                   AttributeError)


class ProviderFailed(Exception):
    """The identity provider's answer could not be used. Raised only around the calls to the
    provider, so that a bug in our own part of a login stays a 500 that monitoring sees."""


def municipality_code_from_claims(claims: dict) -> str | None:
    """The CBS code in the configured claim, as GM plus four digits ("344" and "GM0344" alike)."""
    name = settings.OIDC_MUNICIPALITY_CLAIM
    value = claims.get(name) if name else None
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if not isinstance(value, str | int):
        return None
    digits = str(value).strip().upper().removeprefix("GM")
    if not digits.isdigit() or len(digits) > 4:
        return None
    return f"GM{int(digits):04d}"


def role_from_claims(claims: dict) -> tuple[str, bool] | None:
    """(role, is_manager) from the configured role claim (a string or a list, e.g. groups); the
    strongest value wins. None when no role claim is configured or none of its values is known."""
    name = settings.OIDC_ROLE_CLAIM
    value = claims.get(name) if name else None
    if isinstance(value, str):
        values = {value}
    elif isinstance(value, list):
        values = {item for item in value if isinstance(item, str)}
    else:
        values = set()
    if values & set(settings.OIDC_ROLE_MANAGER_VALUES):
        return Role.EDITOR, True
    if values & set(settings.OIDC_ROLE_EDITOR_VALUES):
        return Role.EDITOR, False
    if values & set(settings.OIDC_ROLE_READER_VALUES):
        return Role.READER, False
    return None


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching users on (issuer, sub). Inert without OIDC settings
    (it stays in AUTHENTICATION_BACKENDS so that turning OIDC on is configuration only)."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        if settings.OIDC_ENABLED:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password login (username, password) must never
        # make this backend redeem a `code` someone put in the login page's query string.
        if not settings.OIDC_ENABLED or "nonce" not in kwargs or "username" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    # The calls to the provider: what they raise on an unusable answer becomes ProviderFailed.
    def get_token(self, payload):
        token_info = self._from_provider(super().get_token, payload)
        if not isinstance(token_info, dict):
            raise ProviderFailed("The token response is not a JSON object")
        return token_info

    def verify_token(self, token, **kwargs):
        return self._from_provider(super().verify_token, token, **kwargs)

    def get_userinfo(self, access_token, id_token, payload):
        claims = self._from_provider(super().get_userinfo, access_token, id_token, payload)
        if not isinstance(claims, dict):
            raise ProviderFailed("The userinfo response is not a JSON object")
        return claims

    @staticmethod
    def _from_provider(call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except PROVIDER_ERRORS as exc:
            raise ProviderFailed(f"{type(exc).__name__}: {exc}") from exc

    def retrieve_matching_jwk(self, token):
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        # `kid` is optional (RFC 7515, 4.1.4): a provider with one signing key may leave it out,
        # and then that one key is the only candidate (the library itself would fail on it).
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", [])
                if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg"))
                == header.get("alg")]
        if len(keys) != 1:
            raise SuspiciousOperation("No key id in the token and not exactly one signing key")
        return jwt.PyJWK(keys[0])

    def verify_claims(self, claims) -> bool:
        # OpenID Connect Core 2: `sub` is at most 255 ASCII characters. A longer one, or one
        # with a NUL, was a 500 when its identity was stored (the 500 hunt).
        subject = claims.get("sub")
        return (isinstance(subject, str) and 0 < len(subject) <= SUBJECT_MAX
                and subject.isascii() and subject.isprintable())

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            logger.info("OIDC login refused: a subject that cannot be one")
            self.request.waardevol_oidc_refusal = "failed"
            return None
        if claims.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the userinfo `sub` must be the ID token's.
            raise SuspiciousOperation("The userinfo subject is not the ID token's")
        session = self.request.session
        try:
            return services.oidc_login_resolve(
                issuer=payload["iss"], subject=payload["sub"], claims=claims,
                invitation_token=session.get(INVITATION_SESSION_KEY))
        except services.OIDCRefused as refusal:
            logger.info("OIDC login refused (%s) for %s", refusal.reason, payload["sub"])
            self.request.waardevol_oidc_refusal = refusal.reason
            return None


def oidc_enabled_or_404() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


def _invitation_token(value: str) -> str:
    """An invitation's token (a UUID), or "": whatever else the address holds is not kept in the
    session, which every request of the login reads."""
    try:
        return str(uuid.UUID(value[:40]))
    except ValueError:
        return ""


def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider; `?uitnodiging=<token>` accepts an invitation."""
    oidc_enabled_or_404()
    token = _invitation_token(request.GET.get("uitnodiging", ""))
    if token:
        request.session[INVITATION_SESSION_KEY] = token
    else:
        request.session.pop(INVITATION_SESSION_KEY, None)
    return OIDCAuthenticationRequestView.as_view()(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        oidc_enabled_or_404()
        try:
            return super().get(request)
        except ProviderFailed:
            # What the provider answers when the code is exchanged is out of our hands: an
            # expired or reused code (invalid_grant), an error page, HTML instead of JSON, a
            # missing or malformed ID token, no answer at all. Each was a 500 (the 500 hunt);
            # each is a failed login, logged for whoever runs the installation.
            logger.warning("OIDC login failed at the provider", exc_info=True)
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        session[OIDC_USER_SESSION_KEY] = self.user.pk
        session.pop(INVITATION_SESSION_KEY, None)
        return response

    def login_failure(self):
        self.request.session.pop(INVITATION_SESSION_KEY, None)
        reason = getattr(self.request, "waardevol_oidc_refusal", "failed")
        return oidc_refused(self.request, reason)


oidc_callback = CallbackView.as_view()


def oidc_refused(request: HttpRequest, reason: str) -> HttpResponse:
    response = render(request, "registration/oidc_refused.html",
                      {"reason": reason, "login_url": reverse("login")}, status=403)
    response["Cache-Control"] = "private, no-store"
    return response
