"""The portfolio at scale: one municipality with 10,000 projects (issue 13).

Part of `make bench` (see __main__.py), or on its own: `python -m tests.benchmarks.portfolio`
(its own throwaway database, as `make bench`). BENCH_PORTFOLIO_PROJECTS sets the size.

Measures, in process with Django's test client (no network), the wall-clock median of the
overview (unfiltered, filtered and sorted, searched, a late page), the portfolio page, the CSV
exports and the PDF, with the number of queries each takes, and the query plan of the overview's
page query (does it use the indexes?).
"""

import os
import statistics
import time
from datetime import timedelta

PROJECTS = int(os.environ.get("BENCH_PORTFOLIO_PROJECTS", "10000"))
CODE = 8000  # GM8000: clear of the demo (GM9999) and the bulk municipalities (GM5000 and up)
REPEAT = 5


def _timed(client, url: str) -> tuple[float, int, int]:
    """Median seconds, queries and status of GET `url`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, status = [], 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        queries, status = len(captured), response.status_code
    return statistics.median(times), queries, status


def _query_plan(municipality) -> str:
    from django.db import connection

    from assessments.selectors import OverviewFilters, projects_overview

    queryset = projects_overview(municipality=municipality, sort="name",
                                 filters=OverviewFilters(status="afgerond"))[:50]
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    used = sorted({name for name in ("project_municipality_name", "assessment_latest_completed",
                                     "one_concept_per_project")
                   if any(name in line for line in plan)})
    return ", ".join(used) or "no named index"


def measure() -> list[tuple[str, str]]:
    """Seed the municipality (once) and return the table's rows."""
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from django.utils import timezone

    from assessments.management.bulk import bulk_seed
    from assessments.models import Action, Municipality

    started = time.perf_counter()
    bulk_seed(municipalities=1, projects=PROJECTS, password="benchmark-only",
              first_code=CODE, prefix="portfolio")
    seeding = time.perf_counter() - started
    municipality = Municipality.objects.get(cbs_code=f"GM{CODE}")
    # Some overdue actions, as a real portfolio has.
    overdue = Action.objects.filter(assessment__project__municipality=municipality,
                                    status="open").values_list("pk", flat=True)[:500]
    Action.objects.filter(pk__in=list(overdue)).update(
        due_date=timezone.localdate() - timedelta(days=3))
    client = Client()
    client.force_login(get_user_model().objects.get(username="portfolio0001-lezer"))
    rows = [(f"portfolio: seed one municipality with {PROJECTS} projects", f"{seeding:.1f} s")]
    urls = [
        ("overview, page 1", "/gemeente/"),
        ("overview, filtered and sorted by score", "/gemeente/?status=afgerond&minimumeisen="
         "niet-gehaald&beoordeling=aandacht&sort=-score"),
        ("overview, searched", "/gemeente/?q=00999"),
        ("overview, page 150", "/gemeente/?pagina=150&sort=-date"),
        ("portfolio page", "/gemeente/portfolio/"),
        ("portfolio page, overdue actions", "/gemeente/portfolio/?verlopen=on"),
        ("overview CSV (every project)", "/gemeente/projecten.csv"),
        ("actions CSV (every action)", "/gemeente/portfolio/acties.csv"),
        ("portfolio PDF", "/gemeente/portfolio/portfolio.pdf"),
    ]
    for label, url in urls:
        with override_settings(REPORT_RENDERS_PER_USER=10_000):  # the PDF is measured 5 times
            seconds, queries, status = _timed(client, url)
        assert status == 200, (url, status)
        rows.append((f"portfolio @ {PROJECTS}: {label} (median of {REPEAT})",
                     f"{seconds * 1000:.0f} ms, {queries} queries"))
    rows.append(("portfolio: indexes in the overview's page query", _query_plan(municipality)))
    return rows


def main() -> int:
    from .__main__ import run_alone

    return run_alone("portfolio benchmark", measure)


if __name__ == "__main__":
    raise SystemExit(main())
