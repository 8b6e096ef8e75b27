from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .presenters import PerspectiveIndexPresenter
from .selectors import content_snapshot


@dataclass(frozen=True)
class NextStep:
    """Where the home page sends someone who is already logged in."""

    url: str
    label: str


def next_step_for(user: AbstractBaseUser | AnonymousUser) -> NextStep | None:
    """None for a visitor (the page explains how to log in and get an account); a VNG editor
    without a municipality goes to the admin, everyone else to their municipality's projects."""
    if not user.is_authenticated:
        return None
    if user.is_staff and getattr(user, "membership", None) is None:
        return NextStep(reverse("admin:index"), _("Naar het beheer"))
    return NextStep(reverse("assessments:overview"), _("Naar de projecten van uw gemeente"))


def perspective_index(request: HttpRequest) -> HttpResponse:
    """The home page: what Waardevol is, for whom, how to get in, then the ten perspectives of
    the published content (what editors have in their draft shows only after publishing)."""
    page = PerspectiveIndexPresenter(content_snapshot(), get_language() or "nl")
    return render(request, "perspectives/index.html",
                  {"page": page, "next_step": next_step_for(request.user)})
