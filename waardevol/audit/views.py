"""The "Geschiedenis" of a project, of an assessment and of the municipality, on a page and as CSV.

The history is for the municipality's bewerkers (the people who make the changes it records):
the access helpers' `write=True` check gives a lezer a 403 and anyone else a 404 on a project's
or an assessment's history; the municipality's own history is that of the user's municipality,
and a VNG editor is sent to the admin, as on the municipality's other pages.
"""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.csv_export import csv_stream_response, export_refused
from assessments.labels import date_label
from assessments.views import member_page
from waardevol.accounts.access import (
    assessment_for_user,
    ensure_rating_submitted,
    membership_for_user,
    project_for_user,
)

from . import selectors
from .history import PAGE_SIZE, HistoryPresenter, HistoryRow
from .models import AuditKind
from .services import audit_municipality, audit_record

# Events read and written per step of a CSV export.
EXPORT_CHUNK = 500


@login_required
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    # It holds the other raters' submitted scores and the concept's answers.
    ensure_rating_submitted(request.user, project_id=project.pk)
    return _page(request, selectors.project_history(project=project), {
        "project": project, "assessment": None, "names_assessments": True,
        "csv_url": reverse("audit:project_history_csv", args=[project.pk]),
        "back_url": reverse("assessments:project_detail", args=[project.pk]),
    })


@login_required
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    return _page(request, selectors.assessment_history(assessment=assessment), {
        "project": assessment.project, "assessment": assessment, "names_assessments": False,
        "started_label": date_label(assessment.started_at),
        "csv_url": reverse("audit:assessment_history_csv", args=[assessment.pk]),
        "back_url": reverse("assessments:results", args=[assessment.pk]),
    })


@member_page
def municipality_history(request: HttpRequest) -> HttpResponse:
    """What concerns the whole municipality: who was given or lost access, exports of its data,
    joining or leaving the national comparison. A project's own events are in its history."""
    membership = membership_for_user(request.user, write=True)
    return _page(request, selectors.municipality_history(municipality_id=membership.municipality_id), {
        "project": None, "assessment": None, "names_assessments": False,
        "municipality": membership.municipality,
        "csv_url": reverse("audit:municipality_history_csv"),
        "back_url": reverse("assessments:overview"),
    })


def _page(request: HttpRequest, events, context: dict) -> HttpResponse:
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
    history = HistoryPresenter(page.object_list, names_assessments=context["names_assessments"])
    return render(request, "audit/history.html", {**context, "page": page, "rows": history.rows})


@login_required
def project_history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk, write=True)
    ensure_rating_submitted(request.user, project_id=project.pk)
    if refused := export_refused(request):
        return refused
    response = _csv(selectors.project_history(project=project), _file_stem(project.name),
                    names_assessments=True)
    # Recorded now, before the file's rows are read; the file stops at the events before it.
    audit_record(user=request.user, kind=AuditKind.HISTORY_EXPORTED, project=project)
    return response


@login_required
def assessment_history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk, write=True)
    if refused := export_refused(request):
        return refused
    # Not the project's file name: both downloaded to one folder, one replaced the other.
    stem = f"{_file_stem(assessment.project.name)}-beoordeling-{_local_moment(assessment.started_at)}"
    response = _csv(selectors.assessment_history(assessment=assessment), stem,
                    names_assessments=False)
    audit_record(user=request.user, kind=AuditKind.HISTORY_EXPORTED, project=assessment.project,
                 assessment=assessment)
    return response


@member_page
def municipality_history_csv(request: HttpRequest) -> HttpResponse:
    membership = membership_for_user(request.user, write=True)
    if refused := export_refused(request):
        return refused
    response = _csv(selectors.municipality_history(municipality_id=membership.municipality_id),
                    _file_stem(membership.municipality.name), names_assessments=False)
    audit_municipality(user=request.user, kind=AuditKind.HISTORY_EXPORTED,
                       municipality=membership.municipality)
    return response


def _file_stem(name: str) -> str:
    return slugify(name)[:60] or "project"


def _local_moment(moment) -> str:
    # To the minute: a project can have two assessments started on one day (reopened).
    return f"{timezone.localtime(moment):%Y-%m-%d-%H%M}"


def _csv(events, stem: str, *, names_assessments: bool) -> HttpResponse:
    """The whole history as a file, written while it is read (a trail has no bound on its
    length: 20,000 events were 2.2 MB built in memory)."""
    header = [_("Tijdstip"), _("Tijdzone"), _("Wie"), _("Handeling")]
    if names_assessments:
        header.append(_("Beoordeling"))
    header.append(_("Wijzigingen"))
    # The rows are read after the view has returned, and after the export was recorded: only
    # what was there now (the file does not list itself), in the language of now.
    newest = events.order_by("-pk").values_list("pk", flat=True).first() or 0
    language = translation.get_language()

    def rows():
        yield header
        with translation.override(language):
            for chunk in _chunks(events.filter(pk__lte=newest)):
                for row in HistoryPresenter(chunk, names_assessments=names_assessments).rows:
                    yield _csv_row(row, names_assessments)

    file_name = f"geschiedenis-{stem}-{timezone.localdate():%Y-%m-%d}.csv"
    response = csv_stream_response(rows(), file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _chunks(events) -> Iterator[list]:
    """The events newest first, EXPORT_CHUNK at a time, each read after the one before."""
    events = events.order_by("-created_at", "-pk")
    chunk = list(events[:EXPORT_CHUNK])
    while chunk:
        yield chunk
        last = chunk[-1]
        chunk = list(events.filter(Q(created_at__lt=last.created_at)
                                   | Q(created_at=last.created_at, pk__lt=last.pk))
                     [:EXPORT_CHUNK])


def _csv_row(row: HistoryRow, names_assessments: bool) -> list[str]:
    cells = [row.moment_csv, row.utc_offset, row.actor, row.action]
    if names_assessments:
        cells.append(row.assessment_label)
    return [*cells, "\n".join(row.changes)]
