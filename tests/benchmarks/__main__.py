"""`make bench`: measure, in one run, and print a table.

Runs against its own throwaway database (a temporary SQLite file, or a `waardevol_bench` database
next to the one DATABASE_URL names) filled by `load_content` and `seed_demo`. The machines are
shared and noisy: read the ratios, which are measured in the same run, rather than the absolute
times.
"""

import os
import statistics
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

WORKDIR = tempfile.mkdtemp(prefix="waardevol-bench-")


def _prepare_environment() -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["CACHE_DIR"] = os.path.join(WORKDIR, "cache")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waardevol.settings")
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["SQLITE_PATH"] = os.path.join(WORKDIR, "bench.sqlite3")
        return "SQLite"
    parts = urlsplit(url)
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS waardevol_bench")
        connection.execute("CREATE DATABASE waardevol_bench")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/waardevol_bench"))
    return "PostgreSQL"


def _median(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    database = _prepare_environment()
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    call_command("load_content", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    from django.contrib.auth import get_user_model

    from assessments.models import Assessment, Status
    from assessments.report import render_report_pdf

    assessment = Assessment.objects.filter(status=Status.COMPLETED).first()
    render_report_pdf(assessment)  # warm up: imports, fonts, templates
    render = _median(lambda: render_report_pdf(Assessment.objects.get(pk=assessment.pk)), 7)

    client = Client()
    client.force_login(get_user_model().objects.get(username="lezer"))
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF"), first.status_code
    cached = _median(lambda: client.get(url), 25)

    rows = [
        ("PDF report: warm render (median of 7)", f"{render * 1000:.0f} ms"),
        ("PDF report: cached download (median of 25)", f"{cached * 1000:.1f} ms"),
        ("render / cached download", f"{render / cached:.0f}×"),
    ]
    width = max(len(label) for label, _value in rows)
    print(f"\nWaardevol benchmarks — {database}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"{'measurement':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
