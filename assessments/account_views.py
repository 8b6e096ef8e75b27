"""Accounts: login, password reset and invitations, in our own look."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .access import member_for_manager, membership_for_user
from .forms import InviteAcceptForm, InviteForm, MembershipForm
from .models import Invitation, Membership
from .views import save_shared

login_view = auth_views.LoginView.as_view(redirect_authenticated_user=True)
password_reset_view = auth_views.PasswordResetView.as_view()
password_reset_confirm_view = auth_views.PasswordResetConfirmView.as_view()


@login_required
def invite_create(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user, write=True)
    if not membership.can_invite:
        return render(request, "errors/403.html", status=403)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(membership=membership, **form.cleaned_data)
        link = request.build_absolute_uri(reverse("invite_accept", args=[invitation.token]))
        send_mail(
            _("Uitnodiging voor Waardevol"),
            render_to_string("registration/invitation_email.txt", {
                "link": link, "municipality": membership.municipality,
                "inviter": request.user,
            }),
            None, [invitation.email],
        )
        messages.success(request, _("De uitnodiging is verstuurd naar %(email)s.")
                         % {"email": invitation.email})
        return redirect("assessments:overview")
    return render(request, "registration/invite_form.html", {"form": form})


def invite_accept(request: HttpRequest, token) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation, token=token, accepted_at__isnull=True,
        created_at__gte=timezone.now() - timedelta(days=settings.INVITATION_DAYS),
    )
    form = InviteAcceptForm(request.POST or None)
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
    return render(request, "registration/invite_accept.html",
                  {"form": form, "invitation": invitation})


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
    form = MembershipForm(request.POST or None, instance=member)
    context = {"form": form, "member": member}
    if request.method == "POST" and form.is_valid():
        def saved():
            messages.success(request, _("De rol van %(name)s is opgeslagen.") % {
                "name": member.user.get_full_name() or member.user.username})
            return redirect("members")
        return save_shared(request, form, "registration/member_form.html", context, saved)
    return render(request, "registration/member_form.html", context,
                  status=400 if form.errors else 200)
