"""The PDF report in `make bench`: a warm render of the demo report, and a download of a stored
report (which must never render), both in process."""

import statistics
import time
from unittest import mock

RENDERS = 7
DOWNLOADS = 50


def _times(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def measure_pdf(completed, reader) -> tuple[list[tuple[str, str]], dict[str, float]]:
    """Rows for the table and figures for the JSON file: `completed` is a completed assessment,
    `reader` a user of its municipality."""
    from django.test import Client
    from django.urls import reverse

    from assessments import pdf, report
    from assessments.models import Assessment

    report.render_report_pdf(completed)  # warm up: imports, fonts, stylesheet, templates
    renders = _times(lambda: report.render_report_pdf(Assessment.objects.get(pk=completed.pk)),
                     RENDERS)
    render = statistics.median(renders)

    report.stored_report_save(completed)  # as the task does after completion
    client = Client()
    client.force_login(reader)
    url = reverse("assessments:report_pdf", args=[completed.pk])

    def download():
        response = client.get(url)
        assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")

    download()
    with mock.patch.object(pdf, "html_to_pdf", wraps=pdf.html_to_pdf) as renderer:
        downloads = sorted(_times(download, DOWNLOADS))
    # The floor in the same run: the same logged-in client on the trivial view.
    floor = statistics.median(_times(lambda: client.get("/healthz"), DOWNLOADS))
    assert renderer.call_count == 0, "a stored report was rendered on download"
    p50 = statistics.median(downloads)
    p99 = downloads[min(len(downloads) - 1, round(len(downloads) * 0.99))]
    ms = "{:.1f} ms".format
    rows = [
        (f"PDF report: warm render in process (median of {RENDERS})",
         f"{ms(render * 1000)} (min {ms(min(renders) * 1000)})"),
        (f"PDF report: stored download in process, p50 / p99 of {DOWNLOADS}",
         f"{ms(p50 * 1000)} / {ms(p99 * 1000)}, 0 renders"),
        ("PDF render / stored download", f"{render / p50:.0f}×"),
        ("PDF stored download p50 / logged-in /healthz p50", f"{p50 / floor:.1f}×"),
    ]
    return rows, {"pdf_render_ms": render * 1000, "pdf_stored_p50_ms": p50 * 1000,
                  "pdf_stored_p99_ms": p99 * 1000, "pdf_floor_p50_ms": floor * 1000}
