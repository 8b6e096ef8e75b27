"""The national benchmark at scale: 342 municipalities × 100 projects, each with a completed
assessment (issue 13 §4), all opted in.

Part of `make bench` (see __main__.py), or on its own: `python -m tests.benchmarks.national`
(its own throwaway database, as `make bench`). BENCH_NATIONAL_MUNICIPALITIES and
BENCH_NATIONAL_PROJECTS set the size (BENCH_NATIONAL_MUNICIPALITIES=0 skips it).

Measures, in process: the aggregate queries themselves (uncached: the selector with the cache
emptied first), the VNG's page uncached and cached, and a results page's comparison uncached and
cached, with the number of queries each takes.
"""

import os
import statistics
import time

MUNICIPALITIES = int(os.environ.get("BENCH_NATIONAL_MUNICIPALITIES", "342"))
PROJECTS = int(os.environ.get("BENCH_NATIONAL_PROJECTS", "100"))
CODE = 6000  # GM6000 and up: clear of the demo (GM9999, GM7000…), the bulk (GM5000…), GM8000
REPEAT = 5


def _timed(function) -> tuple[float, int]:
    """Median seconds and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(times), queries


def measure() -> list[tuple[str, str]]:
    if not MUNICIPALITIES:
        return []
    from django.contrib.auth import get_user_model

    from assessments.management.bulk import bulk_seed
    from assessments.models import Assessment, Municipality, Status
    from tests.base import SecondFactorClient
    from waardevol.benchmark.models import BenchmarkParticipation
    from waardevol.benchmark.selectors import (
        BenchmarkFilters,
        benchmark_distributions,
        generation_bump,
    )

    started = time.perf_counter()
    seeded = bulk_seed(municipalities=MUNICIPALITIES, projects=PROJECTS, password="benchmark-only",
                       first_code=CODE, prefix="national", spread_days=3 * 365)
    seeding = time.perf_counter() - started
    municipalities = Municipality.objects.filter(
        cbs_code__in=[f"GM{CODE + n:04d}" for n in range(MUNICIPALITIES)])
    BenchmarkParticipation.objects.bulk_create(
        [BenchmarkParticipation(municipality=m, opted_in=True) for m in municipalities],
        ignore_conflicts=True)
    label = f"national benchmark @ {MUNICIPALITIES} × {PROJECTS}"
    rows = [(f"{label}: seed {seeded.assessments} assessments (bulk)", f"{seeding:.1f} s")]

    def uncached(filters, by_year=False):
        def run():
            generation_bump()  # a new generation: no cached figure applies
            benchmark_distributions(filters=filters, by_year=by_year)
        return run

    cases = [
        ("all projects", BenchmarkFilters(), False),
        ("all projects, per year", BenchmarkFilters(), True),
        ("phase + 2 characteristics", BenchmarkFilters(
            phase="experiment", characteristics=("personal_data",), without=("ai",)), False),
    ]
    for name, filters, by_year in cases:
        seconds, queries = _timed(uncached(filters, by_year))
        rows.append((f"{label}: aggregates, {name}, uncached (median of {REPEAT})",
                     f"{seconds * 1000:.0f} ms, {queries} queries"))

    vng = SecondFactorClient()
    vng.force_login(get_user_model().objects.get(username="vng"))
    reader = SecondFactorClient()
    reader.force_login(get_user_model().objects.get(username="national0001-lezer"))
    result = Assessment.objects.filter(project__municipality__cbs_code=f"GM{CODE:04d}",
                                       status=Status.COMPLETED, project__phase="experiment").first()
    pages = [("VNG page", vng, "/landelijk/"),
             ("VNG page, filtered", vng, "/landelijk/?fase=experiment&kenmerk=personal_data")]
    if result is not None:  # a small run (BENCH_NATIONAL_PROJECTS) may have no such project
        pages.append(("results page with comparison", reader,
                      f"/gemeente/beoordelingen/{result.pk}/resultaten/"))
    for name, client, url in pages:
        def page(client=client, url=url, clear=True):
            if clear:
                generation_bump()
            assert client.get(url).status_code == 200, url
        seconds, queries = _timed(page)
        page(clear=False)
        warm, warm_queries = _timed(lambda client=client, url=url: client.get(url))
        rows.append((f"{label}: {name}, uncached / cached (median of {REPEAT})",
                     f"{seconds * 1000:.0f} ms, {queries} queries / "
                     f"{warm * 1000:.0f} ms, {warm_queries} queries"))
    return rows


def main() -> int:
    from .__main__ import run_alone

    return run_alone("national benchmark", measure, demo=True)


if __name__ == "__main__":
    raise SystemExit(main())
