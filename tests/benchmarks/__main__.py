"""`make bench`: measure, in one run, and print a table.

Runs against its own throwaway database (a temporary SQLite file, or a `waardevol_bench` database
next to the one DATABASE_URL names), filled by `load_content` and `seed_demo`, served by gunicorn
on loopback. The machines are shared and noisy: read the ratios, which are measured in the same
run, rather than the absolute times. Every load is bounded in time and count.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from . import portfolio
from .load import Client, Gunicorn, run_load

WORKDIR = tempfile.mkdtemp(prefix="waardevol-bench-")
ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
RENDERS = int(os.environ.get("BENCH_RENDERS", "200"))


def _prepare_environment() -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["DEBUG"] = "0"
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


def _session_cookie(user) -> tuple[str, str]:
    """A logged-in session and a CSRF token, made directly (login itself is rate limited)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = _get_new_csrf_string()
    return f"sessionid={session.session_key}; csrftoken={csrf}", csrf


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    database = _prepare_environment()
    import django

    django.setup()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client as DjangoClient
    from django.urls import reverse

    from assessments.models import Answer, Assessment, Status
    from assessments.readmodel import assessment_result
    from assessments.report import render_report_pdf

    call_command("migrate", verbosity=0)
    call_command("load_content", stdout=StringIO())
    call_command("seed_demo", municipalities=1, projects=100, stdout=StringIO())
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}

    # In-process PDF figures (issue 4): warm render and a cached download.
    completed = Assessment.objects.filter(status=Status.COMPLETED,
                                          project__municipality__cbs_code="GM9999").first()
    render_report_pdf(completed)  # warm up: imports, fonts, templates
    render = _median(lambda: render_report_pdf(Assessment.objects.get(pk=completed.pk)), 7)
    django_client = DjangoClient()
    django_client.force_login(get_user_model().objects.get(username="lezer"))
    url = reverse("assessments:report_pdf", args=[completed.pk])
    first = django_client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF"), first.status_code
    cached = _median(lambda: django_client.get(url), 25)
    figures.update(pdf_render_ms=render * 1000, pdf_cached_ms=cached * 1000)
    rows += [
        ("PDF report: warm render in process (median of 7)", ms(render)),
        ("PDF report: cached download in process (median of 25)", ms(cached)),
        ("PDF render / cached download", f"{render / cached:.0f}×"),
    ]

    # The app under gunicorn on loopback.
    env = {**os.environ}
    server = Gunicorn(env)
    try:
        editor = get_user_model().objects.get(username="bench0001-bewerker")
        clients = []
        for _ in range(CONCURRENCY):
            cookie, csrf = _session_cookie(editor)
            clients.append(Client(server.port, cookie, csrf))
        concepts = list(Assessment.objects.filter(project__municipality__cbs_code="GM5000",
                                                  status=Status.CONCEPT)[:CONCURRENCY])
        results_target = Assessment.objects.filter(project__municipality__cbs_code="GM5000",
                                                   status=Status.COMPLETED).first()
        own = {id(c): concepts[i] for i, c in enumerate(clients)}
        questions = {
            a.pk: [q.id for q in assessment_result(a).questions if q.applicable] for a in concepts
        }
        written: dict[tuple[int, int], tuple[int, int]] = {}  # (assessment, question): (score, v)
        versions: dict[tuple[int, int], int] = {
            (a.assessment_id, a.question_id): a.version
            for a in Answer.objects.filter(assessment__in=concepts)
        }

        def get(path):
            return lambda client, index: client.request("GET", path)[0] == 200

        def step(client, index):
            return client.request("GET", f"/gemeente/beoordelingen/{own[id(client)].pk}/stap/3/")[0] == 200

        def save(client, index):
            assessment = own[id(client)]
            question = questions[assessment.pk][index % len(questions[assessment.pk])]
            key = (assessment.pk, question)
            score = index % 5
            body = urlencode({f"q{question}-answer": score,
                              f"q{question}-version": versions.get(key, 0)})
            status, payload = client.request(
                "POST", f"/gemeente/beoordelingen/{assessment.pk}/antwoord/{question}/", body)
            if status != 200:
                return False
            answer = json.loads(payload)
            versions[key] = answer["version"]
            written[key] = (score, answer["version"])
            return answer["status"] in ("saved", "unchanged")

        loads = [
            ("trivial view (/healthz)", get("/healthz")),
            ("questionnaire step", step),
            ("answer save (POST)", save),
            ("results page", get(f"/gemeente/beoordelingen/{results_target.pk}/resultaten/")),
            ("municipality overview", get("/gemeente/")),
        ]
        measured = {name: run_load(name, clients, work, SECONDS) for name, work in loads}
        floor = measured["trivial view (/healthz)"]
        errors = sum(r.errors for r in measured.values())
        for name, result in measured.items():
            rows.append((f"{name}: req/s, p50, p99 @ {CONCURRENCY}",
                         f"{result.rps:.0f}/s, {ms(result.p50)}, {ms(result.p99)}"))
            if result is not floor:
                rows.append((f"  {name}: throughput / latency vs trivial",
                             f"{floor.rps / result.rps:.1f}× slower, p50 {result.p50 / floor.p50:.1f}×"))
            figures[f"{name} rps"] = result.rps
            figures[f"{name} p50 ms"] = result.p50 * 1000
            figures[f"{name} p99 ms"] = result.p99 * 1000

        # Zero lost writes: every answer the load saved is in the database as it was saved.
        lost = 0
        stored = {(a.assessment_id, a.question_id): (a.score, a.version)
                  for a in Answer.objects.filter(assessment__in=concepts)}
        for key, value in written.items():
            if stored.get(key) != value:
                lost += 1
        rows.append(("load: errors / answers written / lost writes",
                     f"{errors} / {len(written)} / {lost}"))
        figures.update(errors=errors, lost_writes=lost, answers_written=len(written))

        # How cost grows with data: the same overview and results at 100 and 10,000 assessments.
        small_count = Assessment.objects.filter(status=Status.COMPLETED,
                                                project__municipality__cbs_code__startswith="GM5").count()
        started = time.perf_counter()
        call_command("seed_demo", municipalities=100, projects=100, stdout=StringIO())
        seeding = time.perf_counter() - started
        large_count = Assessment.objects.filter(status=Status.COMPLETED,
                                                project__municipality__cbs_code__startswith="GM5").count()
        rows.append((f"seed_demo: {large_count - small_count} more completed assessments",
                     f"{seeding:.1f} s"))
        for name in ("results page", "municipality overview"):
            work = dict(loads)[name]
            large = run_load(name, clients, work, SECONDS)
            small = measured[name]
            rows.append((f"{name} at {small_count} vs {large_count} assessments: p50",
                         f"{ms(small.p50)} vs {ms(large.p50)} ({large.p50 / small.p50:.2f}×)"))
            figures[f"{name} growth p50"] = large.p50 / small.p50

        # PDF through gunicorn: first (rendered) and cached downloads of a completed report.
        reader_cookie, reader_csrf = _session_cookie(
            get_user_model().objects.get(username="bench0001-lezer"))
        reader = Client(server.port, reader_cookie, reader_csrf)
        pdf_url = f"/gemeente/beoordelingen/{results_target.pk}/rapport.pdf"
        start = time.perf_counter()
        status, body = reader.request("GET", pdf_url)
        first_pdf = time.perf_counter() - start
        assert status == 200 and body.startswith(b"%PDF"), status
        cached_pdf = _median(lambda: reader.request("GET", pdf_url), 20)
        rows.append(("PDF via gunicorn: first download / cached (median of 20)",
                     f"{ms(first_pdf)} / {ms(cached_pdf)} ({first_pdf / cached_pdf:.0f}×)"))

        # Worker memory: a concept report renders every time; RSS after 10 and after N renders.
        concept_pdf = f"/gemeente/beoordelingen/{concepts[0].pk}/rapport.pdf"
        renderers = [Client(server.port, reader_cookie, reader_csrf) for _ in range(2)]

        def render_pdf(client, index):
            status, body = client.request("GET", concept_pdf)
            return status == 200 and body.startswith(b"%PDF")

        warm = run_load("renders", renderers, render_pdf, seconds=600, max_requests=10)
        rss_10 = max(server.worker_rss_mb())
        rest = run_load("renders", renderers, render_pdf, seconds=1200,
                        max_requests=RENDERS - 10)
        rss_n = max(server.worker_rss_mb())
        render_errors = warm.errors + rest.errors
        rows.append((f"worker RSS after 10 / {warm.requests + rest.requests} PDF renders",
                     f"{rss_10:.0f} MB / {rss_n:.0f} MB ({rss_n / rss_10:.2f}×), "
                     f"{render_errors} errors"))
        figures.update(rss_10_mb=rss_10, rss_n_mb=rss_n, render_errors=render_errors)
    finally:
        server.stop()

    rows += portfolio.measure()  # one municipality with 10,000 projects (issue 13)
    width = max(len(label) for label, _value in rows)
    print(f"\nWaardevol benchmarks — {database}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, gunicorn 2 workers × 8 threads, {CONCURRENCY} clients")
    print(f"{'measurement':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"bench-{database.lower()}.json").write_text(json.dumps(figures, indent=2))
    failed = figures["errors"] or figures["lost_writes"] or figures["render_errors"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
