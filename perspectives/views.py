from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from .presenters import PerspectiveIndexPresenter
from .selectors import content_snapshot


def perspective_index(request: HttpRequest) -> HttpResponse:
    """The published content: what editors have in their draft shows only after publishing."""
    page = PerspectiveIndexPresenter(content_snapshot(), get_language() or "nl")
    return render(request, "perspectives/index.html", {"page": page})
