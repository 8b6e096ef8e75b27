"""CSV downloads that open cleanly in Excel and cannot run a formula there."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from waardevol import ratelimit

# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP):
# a project name "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value) -> str | int | float:
    """Numbers stay numbers; text that a spreadsheet would run gets a leading quote."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows: Iterable[Iterable], file_name: str) -> HttpResponse:
    """A download of `rows`: UTF-8 with a byte order mark (else Excel reads it as ANSI), `;`
    as separator as Dutch Excel expects."""
    response = HttpResponse(b"".join(csv_lines(rows)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def csv_stream_response(rows: Iterable[Iterable], file_name: str) -> StreamingHttpResponse:
    """As csv_response, written while `rows` is read: for a file without a bound on its rows
    (an audit trail), whose memory then stays that of one row."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def csv_lines(rows: Iterable[Iterable]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def export_refused(request: HttpRequest) -> HttpResponse | None:
    """None while the user has CSV downloads left in this window (and counts this one), else a
    429 page. At most EXPORTS_PER_USER per EXPORT_WINDOW_SECONDS: each export reads every row
    it names and is itself recorded in the audit trail, so without a limit one user could keep
    a server busy and the trail growing. Ask only once the user may have the file: a refused
    request (another municipality's project, a lezer's history) must not use up the downloads
    the user is allowed."""
    if ratelimit.allow(f"csv-export:{request.user.pk}", limit=settings.EXPORTS_PER_USER,
                       window=settings.EXPORT_WINDOW_SECONDS):
        return None
    return render(request, "errors/429.html", {
        "message": _("U heeft in korte tijd veel bestanden gedownload. U kunt het over "
                     "een paar minuten opnieuw proberen."),
    }, status=429)
