"""Accounts: login, password reset, invitations and members, in our own look."""

import hashlib
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from assessments.models import Invitation, Membership
from waardevol import ratelimit
from waardevol.forms import submitted_data
from waardevol.security import client_ip
from waardevol.views import save_shared

from . import services, tasks
from .access import member_for_manager, membership_for_user
from .forms import InviteAcceptForm, InviteForm, MembershipForm

login_view = auth_views.LoginView.as_view(redirect_authenticated_user=True)


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
password_reset_confirm_view = auth_views.PasswordResetConfirmView.as_view()


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
        invitation = services.invitation_create(membership=membership, **form.cleaned_data)
        sending = tasks.send_invitation.enqueue(
            email=invitation.email,
            link=request.build_absolute_uri(reverse("invite_accept", args=[invitation.token])),
            municipality=membership.municipality.name,
            inviter=request.user.get_full_name() or request.user.get_username(),
            language=get_language() or settings.LANGUAGE_CODE)
        if sending.status == TaskResultStatus.FAILED:
            # The immediate backend ran it and the mail server refused: say so, and keep nothing
            # the colleague cannot use.
            invitation.delete()
            messages.error(request, _("De uitnodiging aan %(email)s kon niet worden verstuurd. "
                                      "Probeer het later opnieuw.") % {"email": email})
            return render(request, "registration/invite_form.html", {"form": form}, status=503)
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
    invitation = get_object_or_404(
        Invitation, token=token, accepted_at__isnull=True,
        created_at__gte=timezone.now() - timedelta(days=settings.INVITATION_DAYS),
    )
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        # One person, one account: a second account for the same address would split their
        # work and let them be a member twice.
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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welkom bij Waardevol."))
        return redirect("assessments:overview")
    response = render(request, "registration/invite_accept.html",
                      {"form": form, "invitation": invitation})
    # Not logged in yet, but the page names the municipality and the invitee's address.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """The municipality's members, for its beheerders."""
    membership = membership_for_user(request.user)
    if not membership.can_invite:
        raise PermissionDenied
    team = (Membership.objects.filter(municipality=membership.municipality)
            .select_related("user").order_by("user__first_name", "user__username"))
    return render(request, "registration/members.html",
                  {"membership": membership, "members": team})


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
        return save_shared(request, form, "registration/member_form.html", context, saved)
    return render(request, "registration/member_form.html", context,
                  status=400 if form.errors else 200)
