"""The "Geschiedenis" of a project and of an assessment, on a page and as CSV.

The history is for the municipality's bewerkers (the people who make the changes it records):
the access helpers' `write=True` check gives a lezer a 403 and anyone else a 404.
"""


from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.csv_export import csv_response
from assessments.labels import date_label
from waardevol.accounts.access import (
    assessment_for_user,
    ensure_rating_submitted,
    project_for_user,
)

from . import selectors
from .history import PAGE_SIZE, HistoryPresenter, HistoryRow


@login_required
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    # It holds the other raters' submitted scores and the concept's answers.
    ensure_rating_submitted(request.user, project_id=project.pk)
    return _page(request, selectors.project_history(project=project), {
        "project": project, "assessment": None, "per_assessment": False,
        "csv_url": reverse("audit:project_history_csv", args=[project.pk]),
        "back_url": reverse("assessments:project_detail", args=[project.pk]),
    })


@login_required
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    return _page(request, selectors.assessment_history(assessment=assessment), {
        "project": assessment.project, "assessment": assessment, "per_assessment": True,
        "started_label": date_label(assessment.started_at),
        "csv_url": reverse("audit:assessment_history_csv", args=[assessment.pk]),
        "back_url": reverse("assessments:results", args=[assessment.pk]),
    })


def _page(request: HttpRequest, events, context: dict) -> HttpResponse:
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
    history = HistoryPresenter(page.object_list, per_assessment=context["per_assessment"])
    return render(request, "audit/history.html", {**context, "page": page, "rows": history.rows})


@login_required
def project_history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    ensure_rating_submitted(request.user, project_id=project.pk)
    return _csv(selectors.project_history(project=project), project.name, per_assessment=False)


@login_required
def assessment_history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    return _csv(selectors.assessment_history(assessment=assessment), assessment.project.name,
                per_assessment=True)


def _csv(events, name: str, *, per_assessment: bool) -> HttpResponse:
    rows = HistoryPresenter(events, per_assessment=per_assessment).rows
    file_name = f"geschiedenis-{slugify(name)[:60] or 'project'}-{timezone.localdate():%Y-%m-%d}.csv"
    header = [_("Tijdstip"), _("Wie"), _("Handeling")]
    if not per_assessment:
        header.append(_("Beoordeling"))
    response = csv_response([[*header, _("Wijzigingen")],
                             *(_csv_row(row, per_assessment) for row in rows)], file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _csv_row(row: HistoryRow, per_assessment: bool) -> list[str]:
    cells = [row.moment, row.actor, row.action]
    if not per_assessment:
        cells.append(row.assessment_label)
    return [*cells, "\n".join(row.changes)]
