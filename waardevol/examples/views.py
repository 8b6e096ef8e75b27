"""Thin function-based views: access helper → form → service → redirect."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.views import member_page
from waardevol.accounts.access import (
    assessment_for_user,
    example_for_user,
    example_for_withdrawal,
    membership_for_user,
)
from waardevol.forms import submitted_data

from . import selectors, services
from .forms import LibraryFilterForm, PublishForm, StartFromExampleForm
from .presenters import ExamplePresenter, LibraryPresenter


@member_page
def library(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user)
    form = LibraryFilterForm(request.GET)
    form.is_valid()  # an invalid filter is named on the page and left out; the others apply
    return render(request, "examples/library.html", {
        "membership": membership, "form": form,
        "library": LibraryPresenter(form, request.GET.get("pagina")),
    }, status=400 if form.errors else 200)


@member_page
def example_detail(request: HttpRequest, pk: int) -> HttpResponse:
    example = example_for_user(request.user, pk)
    return render(request, "examples/detail.html", {
        "example": example,
        "page": ExamplePresenter(example, membership_for_user(request.user),
                                 language=get_language()),
    })


@member_page
def example_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a completed assessment of the user's municipality as an example."""
    assessment = assessment_for_user(request.user, pk, write=True)
    if not assessment.is_completed:
        messages.info(request, _("Alleen een afgeronde beoordeling kan als voorbeeld worden "
                                 "gepubliceerd."))
        return redirect("assessments:results", pk=pk)
    current = selectors.example_of_assessment(assessment=assessment)
    if current is not None and request.method == "POST":  # a colleague, or a stale tab
        messages.info(request, _("Deze beoordeling is al als voorbeeld gepubliceerd."))
        return redirect("examples:detail", pk=current.pk)
    form = PublishForm(submitted_data(request), initial={"title": assessment.project.name})
    if request.method == "POST" and form.is_valid():
        try:
            example = services.example_publish(
                assessment=assessment, user=request.user, title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                include_notes=form.cleaned_data["include_notes"])
        except services.AlreadyPublished as exc:  # a colleague, or a double click
            messages.info(request, _("Deze beoordeling is al als voorbeeld gepubliceerd."))
            return redirect("examples:detail", pk=exc.example.pk)
        messages.success(request, _("De beoordeling is gepubliceerd als voorbeeld. Alle "
                                    "gemeenten kunnen het nu zien."))
        return redirect("examples:detail", pk=example.pk)
    return render(request, "examples/publish.html", {
        "assessment": assessment, "project": assessment.project, "form": form,
        "current": current,
    }, status=400 if form.errors else 200)


@member_page
@require_http_methods(["GET", "HEAD", "POST"])
def example_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET), as the admin's withdrawal does: it cannot be undone, and the button sat
    beside "Eigen project starten"."""
    example = example_for_withdrawal(request.user, pk)
    if request.method != "POST":
        if not example.is_published:
            messages.info(request, _("Dit voorbeeld was al ingetrokken."))
            return redirect("examples:library")
        return render(request, "examples/withdraw.html", {"example": example})
    if services.example_withdraw(example=example, user=request.user):
        messages.success(request, _("Het voorbeeld is ingetrokken. Niemand kan het nog zien."))
    else:
        messages.info(request, _("Dit voorbeeld was al ingetrokken."))
    return redirect("examples:library")


@member_page
def example_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A new project of the user's own municipality, started from a published example."""
    example = example_for_user(request.user, pk)
    membership = membership_for_user(request.user, write=True)
    form = StartFromExampleForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        started = services.project_start_from_example(
            example=example, municipality=membership.municipality, user=request.user,
            name=form.cleaned_data["name"], description=form.cleaned_data["description"],
            copy_answers=form.cleaned_data["copy_answers"], language=get_language() or "nl")
        messages.success(request, _("Project ‘%(name)s’ is aangemaakt met de fase en kenmerken "
                                    "van het voorbeeld. Controleer ze hieronder.") % {
                                        "name": started.project.name})
        if started.copied:
            messages.info(request, ngettext(
                "%(n)s antwoord is overgenomen uit het voorbeeld. Het staat gemarkeerd tot u "
                "het bevestigt of wijzigt.",
                "%(n)s antwoorden zijn overgenomen uit het voorbeeld. Ze staan gemarkeerd tot u "
                "ze bevestigt of wijzigt.", started.copied) % {"n": started.copied})
        if started.skipped:
            messages.info(request, _("Niet overgenomen, omdat de vraag niet meer bestaat of "
                                     "‘niet van toepassing’ daar niet kan: vraag %(codes)s.") % {
                                         "codes": ", ".join(started.skipped)})
        return redirect("assessments:step", pk=started.assessment.pk, step=0)
    return render(request, "examples/start.html", {
        "example": example, "form": form,
        "page": ExamplePresenter(example, membership, language=get_language()),
    }, status=400 if form.errors else 200)
