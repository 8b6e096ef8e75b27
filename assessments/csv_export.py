"""CSV downloads that open cleanly in Excel and cannot run a formula there."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP):
# a project name "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """Numbers stay numbers; text that a spreadsheet would run gets a leading quote."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows: Iterable[Iterable], file_name: str) -> HttpResponse:
    """A download of `rows`: UTF-8 with a byte order mark (else Excel reads it as ANSI), `;`
    as separator as Dutch Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
