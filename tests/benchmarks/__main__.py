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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import national, portfolio, wrk
from .load import Client, Gunicorn, run_load
from .pdf import measure_pdf

WORKDIR = tempfile.mkdtemp(prefix="waardevol-bench-")
ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))  # per wrk load
RENDERS = int(os.environ.get("BENCH_RENDERS", "200"))
# A database of its own, dropped and made anew by every run.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "waardevol_bench")


def _prepare_environment() -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["DEBUG"] = "0"
    os.environ["CACHE_DIR"] = os.path.join(WORKDIR, "cache")
    os.environ["MEDIA_ROOT"] = os.path.join(WORKDIR, "media")
    # No page measured asks for a static file (WhiteNoise finds them through the finders); an
    # empty STATIC_ROOT keeps every gunicorn worker from warning that it has none.
    os.environ["STATIC_ROOT"] = os.path.join(WORKDIR, "static")
    os.makedirs(os.environ["STATIC_ROOT"], exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waardevol.settings")
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["SQLITE_PATH"] = os.path.join(WORKDIR, "bench.sqlite3")
        return "SQLite"
    parts = urlsplit(url)
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    return "PostgreSQL"


def run_alone(title: str, measure, *, demo: bool = False) -> int:
    """One benchmark module on its own (`python -m tests.benchmarks.portfolio`): its own throwaway
    database, as `make bench`, the content (and the demo if it needs it), then its table."""
    database = _prepare_environment()
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", stdout=StringIO())
    if demo:
        call_command("seed_demo", stdout=StringIO())
    rows = measure()
    width = max(len(label) for label, _value in rows)
    print(f"\nWaardevol {title} — {database}, {os.cpu_count()} cores")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


def _median(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _session_cookie(user) -> tuple[str, str]:
    """A logged-in session and a CSRF token, made directly (login itself is rate limited)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "waardevol.accounts.backends.CachedModelBackend"
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

    from assessments.models import Answer, Assessment, Status
    from assessments.readmodel import assessment_result

    call_command("migrate", verbosity=0)
    from django.core.cache import caches

    for alias in caches:  # a Redis database (REDIS_URL) may hold an earlier run's keys
        caches[alias].clear()
    call_command("load_content", stdout=StringIO())
    call_command("seed_demo", municipalities=1, projects=100, stdout=StringIO())
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}

    # In-process PDF figures: warm render and a stored report's download (tests/benchmarks/pdf.py).
    completed = Assessment.objects.filter(status=Status.COMPLETED,
                                          project__municipality__cbs_code="GM9999").first()
    pdf_rows, pdf_figures = measure_pdf(completed, get_user_model().objects.get(username="lezer"))
    rows += pdf_rows
    figures.update(pdf_figures)

    # The app under gunicorn on loopback, loaded by wrk.
    env = {**os.environ}
    server = Gunicorn(env)
    try:
        editor = get_user_model().objects.get(username="bench0001-bewerker")
        cookie, csrf = _session_cookie(editor)
        concepts = list(Assessment.objects.filter(project__municipality__cbs_code="GM5000",
                                                  status=Status.CONCEPT)[:CONCURRENCY])
        results_target = Assessment.objects.filter(project__municipality__cbs_code="GM5000",
                                                   status=Status.COMPLETED).first()
        questions = {
            a.pk: [q.id for q in assessment_result(a).questions if q.applicable] for a in concepts
        }
        written: dict[str, str] = {}  # "assessment:question": "score:version", as the loads saved

        def saves(assessments) -> list[dict]:
            """One answer-save client per assessment, starting from the stored versions."""
            clients = []
            for assessment in assessments:
                versions = dict(Answer.objects.filter(assessment=assessment)
                                .values_list("question_id", "version"))
                session, token = _session_cookie(editor)
                clients.append({"pk": assessment.pk, "questions": questions[assessment.pk],
                                "versions": versions, "cookie": session, "csrf": token})
            return clients

        def load(name, port, path="/", connections=1, anonymous=False, save=False):
            result = wrk.run(name, port, path=path, connections=connections, seconds=SECONDS,
                             cookie="" if anonymous else cookie,
                             saves=saves(concepts[:connections]) if save else None)
            written.update(result.written)
            return result

        # The stored report, as the completion task leaves it: a download only reads the file.
        from django.urls import reverse

        from assessments.report import stored_report_save

        stored_report_save(results_target)
        pages = {
            "questionnaire step": f"/gemeente/beoordelingen/{concepts[0].pk}/stap/3/",
            "results page": f"/gemeente/beoordelingen/{results_target.pk}/resultaten/",
            "municipality overview": "/gemeente/",
            "stored PDF download": reverse("assessments:report_pdf", args=[results_target.pk]),
        }
        measured: dict[tuple[str, int], wrk.WrkResult] = {}
        for connections in (1, CONCURRENCY):
            port = server.port
            measured["anonymous /healthz", connections] = load(
                "anonymous /healthz", port, "/healthz", connections, anonymous=True)
            measured["logged-in /healthz", connections] = load(
                "logged-in /healthz", port, "/healthz", connections)
            for name in pages:
                measured[name, connections] = load(name, port, pages[name], connections)
            measured["answer save (POST)", connections] = load(
                "answer save (POST)", port, connections=connections, save=True)

        anonymous_1, anonymous_n = (measured["anonymous /healthz", c] for c in (1, CONCURRENCY))
        floor_1, floor_n = (measured["logged-in /healthz", c] for c in (1, CONCURRENCY))
        for name in ("anonymous /healthz", "logged-in /healthz", "questionnaire step",
                     "answer save (POST)", "results page", "municipality overview",
                     "stored PDF download"):
            one, many = measured[name, 1], measured[name, CONCURRENCY]
            rows.append((f"{name}: p50 @1; req/s, p50, p99 @{CONCURRENCY}",
                         f"{ms(one.p50)}; {many.rps:.0f}/s, {ms(many.p50)}, {ms(many.p99)}"))
            if name not in ("anonymous /healthz", "logged-in /healthz"):
                rows.append((f"  {name} vs logged-in floor: p50 @1, req/s @{CONCURRENCY}",
                             f"{one.p50 / floor_1.p50:.1f}×, {many.rps / floor_n.rps:.0%}"))
            figures[f"{name} p50@1 ms"] = one.p50 * 1000
            figures[f"{name} p99@1 ms"] = one.p99 * 1000
            figures[f"{name} rps@{CONCURRENCY}"] = many.rps
            figures[f"{name} p50@{CONCURRENCY} ms"] = many.p50 * 1000
            figures[f"{name} p99@{CONCURRENCY} ms"] = many.p99 * 1000
        rows.append(("logged-in / anonymous /healthz: p50 @1, req/s @16",
                     f"{floor_1.p50 / anonymous_1.p50:.2f}×, "
                     f"{anonymous_n.rps / floor_n.rps:.2f}× fewer"))
        figures["logged-in vs anonymous p50@1"] = floor_1.p50 / anonymous_1.p50
        figures["anonymous vs logged-in rps"] = anonymous_n.rps / floor_n.rps

        # Two app servers sharing the cache and the database (REDIS_URL makes it Redis): the
        # answer-save load split over both, at once.
        second = Gunicorn(env)
        try:
            half = CONCURRENCY // 2
            with ThreadPoolExecutor(2) as pool:
                split = list(pool.map(
                    lambda args: wrk.run("two servers", args[0], connections=half,
                                         seconds=SECONDS, saves=saves(args[1])),
                    [(server.port, concepts[:half]), (second.port, concepts[half:2 * half])]))
        finally:
            second.stop()
        for result in split:
            written.update(result.written)
        two = sum(r.requests for r in split) / max(r.seconds for r in split)
        two_failures = sum(r.failures for r in split)
        shared = "Redis" if os.environ.get("REDIS_URL") else "file cache"
        rows.append((f"answer save through two app servers sharing the {shared}, {half}+{half} conn.",
                     f"{two:.0f}/s, {two_failures} errors"))

        # Zero lost writes: every answer a load saved (and was told so) is in the database as
        # saved, or a later version of it (a save still in flight when wrk stopped reading).
        errors = sum(r.failures for r in measured.values()) + two_failures
        stored = {f"{a.assessment_id}:{a.question_id}": (a.score, a.version)
                  for a in Answer.objects.filter(assessment__in=concepts)}

        def is_lost(key: str, value: str) -> bool:
            score, version = (int(part) for part in value.split(":"))
            found = stored.get(key)
            return found is None or found[1] < version or (found[1] == version and found[0] != score)

        lost = sum(1 for key, value in written.items() if is_lost(key, value))
        rows.append(("load: errors / answers written / lost writes",
                     f"{errors} / {len(written)} / {lost}"))
        figures.update(errors=errors, lost_writes=lost, answers_written=len(written))

        # Worker memory under the heaviest page: RSS after 100 and after 1,000 requests.
        heaviest = max((name for name in pages if name != "stored PDF download"),
                       key=lambda name: measured[name, 1].p50)
        memory_server = Gunicorn(env, workers=1)
        try:
            readers = [Client(memory_server.port, cookie, csrf) for _ in range(2)]

            def page(client, index):
                return client.request("GET", pages[heaviest])[0] == 200

            first_load = run_load("memory", readers, page, seconds=600, max_requests=100)
            rss_100 = max(memory_server.worker_rss_mb())
            more = run_load("memory", readers, page, seconds=1200, max_requests=900)
            rss_1000 = max(memory_server.worker_rss_mb())
        finally:
            memory_server.stop()
        rows.append((f"worker RSS after 100 / 1,000 requests of the {heaviest}",
                     f"{rss_100:.0f} MB / {rss_1000:.0f} MB ({rss_1000 / rss_100:.2f}×), "
                     f"{first_load.errors + more.errors} errors"))
        figures.update(page_rss_100_mb=rss_100, page_rss_1000_mb=rss_1000)

        # How cost grows with data: the same overview and results at 100 and 10,000 assessments.
        # (BENCH_GROWTH=0 skips it: seeding takes minutes on a busy machine.)
        if os.environ.get("BENCH_GROWTH", "1") != "0":
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
                large = load(name, server.port, pages[name], 1)
                small = measured[name, 1]
                rows.append((f"{name} at {small_count} vs {large_count} assessments: p50 @1",
                             f"{ms(small.p50)} vs {ms(large.p50)} ({large.p50 / small.p50:.2f}×)"))
                figures[f"{name} growth p50"] = large.p50 / small.p50

        # PDF through gunicorn: the first and later downloads of a completed report. It was stored
        # above (as the completion task does), so neither renders: the first pays only for a
        # worker's cold path.
        reader_cookie, reader_csrf = _session_cookie(
            get_user_model().objects.get(username="bench0001-lezer"))
        reader = Client(server.port, reader_cookie, reader_csrf)
        pdf_url = f"/gemeente/beoordelingen/{results_target.pk}/rapport.pdf"
        start = time.perf_counter()
        status, body = reader.request("GET", pdf_url)
        first_pdf = time.perf_counter() - start
        assert status == 200 and body.startswith(b"%PDF"), status
        cached_pdf = _median(lambda: reader.request("GET", pdf_url), 20)
        rows.append(("PDF via gunicorn: first / later downloads of the stored report (median of 20)",
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
    rows += national.measure()  # 342 municipalities × 100 assessments (issue 13 §4)
    width = max(len(label) for label, _value in rows)
    print(f"\nWaardevol benchmarks — {database}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, gunicorn 4 workers × 2 threads, {CONCURRENCY} clients")
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
