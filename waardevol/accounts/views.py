"""Accounts: login, second factor, password reset, invitations and members, in our own look."""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import TaskResultStatus

from assessments.labels import date_label
from assessments.models import Invitation, Membership
from waardevol import ratelimit
from waardevol.forms import submitted_data
from waardevol.security import client_ip
from waardevol.views import save_shared

from . import services, tasks, twofactor
from .access import invitation_for_manager, member_for_manager, membership_for_user
from .forms import InviteAcceptForm, InviteForm, MembershipForm, SecondFactorForm


class LoginView(auth_views.LoginView):
    """Username and password, and the organisation account beside them when OIDC is set up."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


login_view = LoginView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address, throttled, the e-mail sent by a task.

    Per client address too many requests get a 429 (that says nothing about accounts); per
    e-mail address the extra requests are dropped silently, so a mailbox cannot be flooded.
    """

    def form_valid(self, form):
        request = self.request
        if not ratelimit.allow(f"password-reset-ip:{client_ip(request)}",
                               limit=settings.PASSWORD_RESETS_PER_IP, window=3600):
            return render(request, "errors/429.html", status=429)
        email = form.cleaned_data["email"].strip()
        if ratelimit.allow(f"password-reset-email:{reset_address_key(email)}",
                           limit=settings.PASSWORD_RESETS_PER_ADDRESS, window=3600):
            tasks.send_password_reset.enqueue(
                email=email, domain=request.get_host(), use_https=request.is_secure(),
                language=get_language() or settings.LANGUAGE_CODE)
        return HttpResponseRedirect(self.get_success_url())


def reset_address_key(email: str) -> str:
    """One key for every spelling Django matches to the same account (case-insensitive, and
    compatibility forms, as PasswordResetForm.get_users compares them)."""
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


password_reset_view = PasswordResetView.as_view()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A reset link mailed before the account was blocked no longer works: a blocked account's
    password is left as it was (it could not log in with a new one, but it could after an
    unblock, with a password set by whoever held the mailbox meanwhile)."""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


password_reset_confirm_view = PasswordResetConfirmView.as_view()


@login_required
def invite_create(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user, write=True)
    if not membership.can_invite:
        return render(request, "errors/403.html", status=403)
    form = InviteForm(submitted_data(request), municipality=membership.municipality)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Each invitation is an e-mail in someone's inbox: bounded per beheerder and per address.
        if not (ratelimit.allow(f"invite-user:{request.user.pk}",
                                limit=settings.INVITATIONS_PER_USER, window=3600)
                and ratelimit.allow(f"invite-email:{reset_address_key(email)}",
                                    limit=settings.INVITATIONS_PER_ADDRESS, window=24 * 3600)):
            return render(request, "errors/429.html", status=429)
        # Sent first, stored after: with the immediate backend the mail server's answer is known
        # before anything is kept (and no transaction waits for it); a refused invitation
        # leaves no invitation and no record. With a worker backend it is queued and stored.
        invitation = services.invitation_unsaved(membership=membership, **form.cleaned_data)
        sending = tasks.send_invitation.enqueue(
            email=invitation.email,
            link=request.build_absolute_uri(reverse("invite_accept", args=[invitation.token])),
            municipality=membership.municipality.name,
            inviter=request.user.get_full_name() or request.user.get_username(),
            language=get_language() or settings.LANGUAGE_CODE)
        if sending.status == TaskResultStatus.FAILED:
            messages.error(request, _("De uitnodiging aan %(email)s kon niet worden verstuurd. "
                                      "Probeer het later opnieuw.") % {"email": email})
            return render(request, "registration/invite_form.html", {"form": form}, status=503)
        services.invitation_store(invitation=invitation)
        if sending.status == TaskResultStatus.SUCCESSFUL:
            messages.success(request, _("De uitnodiging is verstuurd naar %(email)s.")
                             % {"email": invitation.email})
        else:
            messages.success(request, _("De uitnodiging aan %(email)s wordt zo verstuurd.")
                             % {"email": invitation.email})
        return redirect("assessments:overview")
    return render(request, "registration/invite_form.html", {"form": form},
                  status=400 if form.errors else 200)


def invite_accept(request: HttpRequest, token) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.usable(), token=token)
    accounts = get_user_model().objects.filter(email__iexact=invitation.email)
    if accounts.exists():
        # One person, one account: a second account for the same address would split their
        # work and let them be a member twice. Logged in with it, they join with it.
        if (request.user.is_authenticated and accounts.filter(pk=request.user.pk).exists()
                and services.may_join_by_invitation(request.user)):
            return _invite_join(request, invitation)
        response = render(request, "registration/invite_existing.html",
                          {"invitation": invitation}, status=409)
        response["Cache-Control"] = "private, no-store"
        return response
    form = InviteAcceptForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except services.InvitationUsed as exc:
            raise Http404 from exc
        login(request, user, backend="waardevol.accounts.backends.CachedModelBackend")
        messages.success(request, _("Welkom bij Waardevol."))
        return redirect("assessments:overview")
    response = render(request, "registration/invite_accept.html",
                      {"form": form, "invitation": invitation,
                       "oidc_enabled": settings.OIDC_ENABLED,
                       "oidc_provider_name": settings.OIDC_PROVIDER_NAME})
    # Not logged in yet, but the page names the municipality and the invitee's address.
    response["Cache-Control"] = "private, no-store"
    return response


def _invite_join(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The invitee is logged in with their own account, which has no municipality (left one, or
    an administrator ended the membership): one button makes them a member."""
    if request.method == "POST":
        try:
            services.invitation_accept_existing(invitation=invitation, user=request.user)
        except services.InvitationUsed as exc:
            raise Http404 from exc
        except services.AlreadyMember:
            return redirect("assessments:overview")  # another tab was first
        messages.success(request, _("Welkom bij Waardevol. U werkt nu mee aan de projecten van "
                                    "%(municipality)s.")
                         % {"municipality": invitation.municipality.name})
        return redirect("assessments:overview")
    return render(request, "registration/invite_join.html", {"invitation": invitation})


# Pending invitations shown on the members page: enough for any municipality, bounded.
PENDING_INVITATIONS_SHOWN = 50


@dataclass
class PendingInvitation:
    pk: int
    email: str
    role: str
    sent: str  # "23 november 2026"
    expires: str  # the last day the link works; "" once it no longer does


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """The municipality's members and its invitations not accepted yet, for its beheerders."""
    membership = membership_for_user(request.user)
    if not membership.can_invite:
        raise PermissionDenied
    team = (Membership.objects.filter(municipality=membership.municipality)
            .select_related("user").order_by("user__first_name", "user__username"))
    now = timezone.now()
    pending = [
        PendingInvitation(pk=invitation.pk, email=invitation.email,
                          role=invitation.get_role_display(),
                          sent=date_label(invitation.created_at),
                          expires=date_label(invitation.valid_until)
                          if invitation.valid_until > now else "")
        for invitation in Invitation.objects.filter(
            municipality=membership.municipality, accepted_at__isnull=True,
        ).order_by("-created_at")[:PENDING_INVITATIONS_SHOWN]
    ]
    return render(request, "registration/members.html",
                  {"membership": membership, "members": team, "invitations": pending})


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_for_manager(request.user, pk)
    if services.invitation_withdraw(invitation=invitation, user=request.user, pending_only=True):
        messages.success(request, _("De uitnodiging aan %(email)s is ingetrokken: de link werkt "
                                    "niet meer.") % {"email": invitation.email})
    else:
        messages.info(request, _("De uitnodiging aan %(email)s was al geaccepteerd of "
                                 "ingetrokken.") % {"email": invitation.email})
    return redirect("members")


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_for_manager(request.user, pk)
    form = MembershipForm(submitted_data(request), instance=member)
    context = {"form": form, "member": member}
    if request.method == "POST" and form.is_valid():
        def saved():
            messages.success(request, _("De rol van %(name)s is opgeslagen.") % {
                "name": member.user.get_full_name() or member.user.username})
            return redirect("members")
        with transaction.atomic():
            services.manager_confirm_locked(user=request.user, member=member)
            return save_shared(request, form, "registration/member_form.html", context, saved)
    return render(request, "registration/member_form.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_POST
def member_access(request: HttpRequest, pk: int) -> HttpResponse:
    """A beheerder blocks or unblocks a colleague's account (a colleague who left)."""
    member = member_for_manager(request.user, pk)
    choice = request.POST.get("toegang")
    if choice not in ("blokkeren", "deblokkeren"):
        return render(request, "errors/400.html", status=400)
    name = member.user.get_full_name() or member.user.username
    active = choice == "deblokkeren"
    if services.member_access_set(membership=member, active=active, user=request.user):
        messages.success(request, (_("Het account van %(name)s is weer actief.") if active else
                                   _("Het account van %(name)s is geblokkeerd: inloggen lukt "
                                     "niet meer.")) % {"name": name})
    return redirect("members")


# Recovery codes just made, kept in the session until the page that shows them once.
NEW_RECOVERY_CODES_KEY = "waardevol_new_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a path on this site. Only a path: `redirect()` reads
    a bare word such as "0" as the name of a view, and failing to find one gave a 500 after a
    correct code, which was then used up."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _second_factor_attempt_allowed(request: HttpRequest) -> bool:
    """Codes are six digits: a million guesses. Per user, whatever the address, a few a window
    (django-otp adds growing delays after each wrong code on top of this)."""
    return ratelimit.allow(f"second-factor:{request.user.pk}",
                           limit=settings.TWO_FACTOR_ATTEMPTS,
                           window=settings.TWO_FACTOR_WINDOW_SECONDS)


def _too_many_codes(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/429.html", {"message": _(
        "Er is te vaak een code ingevoerd. Probeer het over een paar minuten opnieuw.")},
        status=429)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a staff login: a code from the authenticator app or a recovery code."""
    user = request.user
    if not twofactor.needs_second_factor(user):
        raise PermissionDenied
    next_url = _next_url(request)
    if not twofactor.second_factor_pending(request):
        return redirect(next_url)
    if not twofactor.has_authenticator(user):
        return redirect(_with_next("two_factor_setup", next_url))
    form = SecondFactorForm(submitted_data(request))
    if request.method == "POST":
        if not _second_factor_attempt_allowed(request):
            return _too_many_codes(request)
        if form.is_valid():
            model = StaticDevice if form.is_recovery_code else TOTPDevice
            for device in model.objects.devices_for_user(user, confirmed=True):
                if verify_token(user, device.persistent_id, form.cleaned_data["code"]):
                    otp_login(request, device)
                    if model is StaticDevice:
                        messages.warning(request, _(
                            "U heeft een herstelcode gebruikt; die werkt nu niet meer. U heeft er "
                            "nog %(count)s. Maak nieuwe aan bij ‘Tweestapsverificatie’ bovenaan "
                            "het beheer als u ze bijna op heeft.") % {"count": device.token_set.count()})
                    return redirect(next_url)
            form.add_error("code", _("Deze code klopt niet (meer). Controleer de tijd op uw "
                                     "telefoon en probeer de volgende code."))
    return render(request, "registration/two_factor_verify.html",
                  {"form": form, "next": next_url}, status=400 if form.errors else 200)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan the QR code, type the first code."""
    user = request.user
    if not twofactor.needs_second_factor(user):
        raise PermissionDenied
    next_url = _next_url(request)
    if twofactor.second_factor_pending(request) and twofactor.has_authenticator(user):
        # Replacing the app takes the current one first: a password alone may not swap it.
        return redirect(_with_next("two_factor_verify", next_url))
    device = services.totp_device_start(user=user)
    form = SecondFactorForm(submitted_data(request), recovery=False)
    if request.method == "POST":
        if not _second_factor_attempt_allowed(request):
            return _too_many_codes(request)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                try:
                    codes = services.totp_device_confirm(device=device)
                except TOTPDevice.DoesNotExist:  # another tab set up another app meanwhile
                    return redirect(_with_next("two_factor_recovery_codes", next_url))
                request.session[NEW_RECOVERY_CODES_KEY] = codes
                otp_login(request, device)
                return redirect(_with_next("two_factor_recovery_codes", next_url))
            form.add_error("code", _("Deze code klopt niet. Controleer of u de QR-code van deze "
                                     "pagina heeft gescand en of de tijd op uw telefoon klopt."))
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "next": next_url,
        "qr_code": twofactor.qr_code_svg(
            device.config_url, label=_("QR-code om Waardevol aan uw authenticator-app toe te "
                                       "voegen")),
        "secret": twofactor.secret_for_typing(device),
    }, status=400 if form.errors else 200)


@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; a POST replaces them all."""
    user = request.user
    if not twofactor.needs_second_factor(user):
        raise PermissionDenied
    if request.method == "POST":
        request.session[NEW_RECOVERY_CODES_KEY] = services.recovery_codes_replace(user=user)
        return redirect(_with_next("two_factor_recovery_codes", _next_url(request)))
    return render(request, "registration/two_factor_recovery_codes.html", {
        "codes": request.session.pop(NEW_RECOVERY_CODES_KEY, None),
        "remaining": StaticToken.objects.filter(device__user=user).count(),
        "next": _next_url(request),
    })
