"""The national benchmark's pages: the VNG's figures, and a municipality's opt-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waardevol.accounts.access import manager_membership, vng_editor_required
from waardevol.forms import submitted_data

from . import selectors, services
from .forms import BenchmarkFilterForm, ParticipationForm
from .presenters import NationalPresenter


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """Per perspective, the spread of the scores across municipalities (VNG editors only)."""
    vng_editor_required(request.user)
    form = BenchmarkFilterForm(request.GET)
    form.is_valid()  # an invalid filter is named on the page and left out; the others apply
    return render(request, "benchmark/national.html", {
        "form": form, "benchmark": NationalPresenter(form.filters()),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def participation(request: HttpRequest) -> HttpResponse:
    """A beheerder decides whether the municipality takes part."""
    membership = manager_membership(request.user)
    form = ParticipationForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        changed = services.participation_set(municipality=membership.municipality,
                                             opted_in=form.opted_in, user=request.user)
        if form.opted_in:
            text = (_("Uw gemeente doet nu mee aan de landelijke vergelijking.") if changed
                    else _("Uw gemeente deed al mee aan de landelijke vergelijking."))
        else:
            text = (_("Uw gemeente doet niet meer mee aan de landelijke vergelijking. Haar "
                      "beoordelingen tellen vanaf nu niet meer mee.") if changed
                    else _("Uw gemeente deed al niet mee aan de landelijke vergelijking."))
        messages.success(request, text)
        return redirect("benchmark:participation")
    return render(request, "benchmark/participation.html", {
        "membership": membership, "form": form,
        "participation": selectors.participation(municipality_id=membership.municipality_id),
        "min_municipalities": selectors.MIN_MUNICIPALITIES,
    }, status=400 if form.errors else 200)
