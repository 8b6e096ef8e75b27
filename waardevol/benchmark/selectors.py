"""Reads of the national benchmark: per perspective, the spread of the scores of comparable
projects across the municipalities that opted in, computed in the database.

What is counted, and why:
- Per project only its latest completed assessment (as the portfolio counts): a project that was
  re-assessed five times is one project, not five, and its current state is what compares.
- Only municipalities that opted in (models.BenchmarkParticipation); a perspective that did not
  apply to a project (no score) is left out of that perspective's figures.
- Phase and characteristics are the project's columns (as the overview and the portfolio filter):
  indexed and the same on SQLite and PostgreSQL, where the frozen JSON is neither.
- No figure of a group of fewer than MIN_MUNICIPALITIES municipalities leaves this module: its
  counts and quartiles are replaced by None (the presenter says "te weinig vergelijkbare
  beoordelingen"). Nothing but the perspective number, the year and these aggregates is read.

Quartiles are PostgreSQL's `percentile_cont` (linear interpolation between the two nearest
ranks); SQLite has no percentile function, so there the same definition is computed with window
functions (ROW_NUMBER and COUNT over the perspective). Both are one query per table, however many
assessments there are.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from assessments.models import PerspectiveResult, Project
from assessments.selectors import latest_completed
from perspectives.models import Characteristic, Phase

from .models import BenchmarkParticipation

# The k-anonymity rule of the benchmark: a figure needs this many different municipalities.
MIN_MUNICIPALITIES = 5
# The table over time covers this many calendar years, the current one included.
YEARS = 5
QUARTILES = (0.25, 0.5, 0.75)
GENERATION_KEY = "benchmark:generation"


@dataclass(frozen=True)
class BenchmarkFilters:
    """Which projects compare: every field empty means all projects.

    `characteristics` must all hold; `without` must all not hold (a project's comparison names
    both, so that, say, projects without personal data are not its peers)."""

    phase: str = ""
    characteristics: tuple[str, ...] = ()
    without: tuple[str, ...] = ()

    def __post_init__(self):
        if self.phase and self.phase not in Phase.values:
            raise ValueError(self.phase)
        for code in (*self.characteristics, *self.without):
            Characteristic(code)  # a ValueError for an unknown code

    @property
    def key(self) -> str:
        text = f"{self.phase}|{','.join(sorted(self.characteristics))}|{','.join(sorted(self.without))}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Distribution:
    """One perspective (in one year): the spread of its scores, or only `suppressed`.

    A suppressed group carries no counts at all: even "3 municipalities" says too much."""

    number: int
    year: int | None
    suppressed: bool
    municipalities: int | None = None
    assessments: int | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None


def _characteristic_condition(code: str, prefix: str = "") -> Q:
    """The characteristic holds, as Project.characteristics says (a pilot is an experiment)."""
    condition = Q(**{f"{prefix}{Project.CHARACTERISTIC_FIELDS[Characteristic(code)]}": True})
    if code == Characteristic.EXPERIMENT:
        condition |= Q(**{f"{prefix}phase": Phase.PILOT})
    return condition


def compared_projects(filters: BenchmarkFilters) -> QuerySet[Project]:
    """The projects of opted-in municipalities that match the filters."""
    projects = Project.objects.filter(municipality__benchmark_participation__opted_in=True)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    for code in filters.characteristics:
        projects = projects.filter(_characteristic_condition(code))
    for code in filters.without:
        projects = projects.exclude(_characteristic_condition(code))
    return projects


def _year_starts(today: datetime) -> list[tuple[int, datetime]]:
    """(year, its first moment in our time zone), newest first, YEARS of them."""
    zone = timezone.get_current_timezone()
    return [(year, datetime(year, 1, 1, tzinfo=zone))
            for year in range(today.year, today.year - YEARS, -1)]


def _scores(filters: BenchmarkFilters, *, by_year: bool, today: datetime):
    """The rows the figures are made of: (group, perspective, score, municipality). The group is
    the year of completion, or 0 for the table over all years. Nothing else is selected."""
    latest = (compared_projects(filters)
              .annotate(latest=Subquery(latest_completed().values("pk")[:1]))
              .filter(latest__isnull=False).values("latest"))
    rows = PerspectiveResult.objects.filter(assessment_id__in=latest, score__isnull=False)
    if by_year:
        # Year boundaries as moments (not a per-row EXTRACT, a Python function on SQLite);
        # older assessments fall outside the table.
        starts = _year_starts(today)
        rows = rows.filter(assessment__completed_at__gte=starts[-1][1])
        group = Case(*[When(assessment__completed_at__gte=start, then=Value(year))
                       for year, start in starts], output_field=IntegerField())
    else:
        group = Value(0, output_field=IntegerField())
    return (rows.order_by()
            .annotate(group=group, municipality=F("assessment__project__municipality_id"))
            .values_list("group", "number", "score", "municipality"))


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: the `fraction` quantile, interpolated linearly."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        # A constant of ours, never user input: safe to place in the SQL text.
        super().__init__(expression, fraction=float(fraction), **extra)


def _figures_postgresql(rows) -> list[tuple]:
    return list(
        rows.values("group", "number")
        .annotate(m=Count("municipality", distinct=True), n=Count("pk"),
                  **{f"q{i}": PercentileCont("score", fraction=f)
                     for i, f in enumerate(QUARTILES)})
        .values_list("group", "number", "m", "n", "q0", "q1", "q2"))


def _quantile_sql(fraction: float) -> str:
    """percentile_cont over ranked rows: the value at rank h = 1 + f·(n − 1), interpolated
    between the ranks floor(h) and floor(h) + 1 (SQLite's CAST to INTEGER truncates)."""
    h = f"(1 + {fraction!r} * (n - 1))"
    low = f"MAX(CASE WHEN rn = CAST({h} AS INTEGER) THEN score END)"
    high = f"MAX(CASE WHEN rn = CAST({h} AS INTEGER) + 1 THEN score END)"
    part = f"(MAX({h}) - CAST(MAX({h}) AS INTEGER))"
    return f"({low} + {part} * (COALESCE({high}, {low}) - {low}))"


def _figures_window(rows) -> list[tuple]:
    sql, params = rows.query.sql_with_params()
    quantiles = ", ".join(_quantile_sql(f) for f in QUARTILES)
    query = f"""
        WITH scores(grp, number, score, municipality) AS ({sql}),
        ranked AS (
            SELECT grp, number, score, municipality,
                   ROW_NUMBER() OVER (PARTITION BY grp, number ORDER BY score) AS rn,
                   COUNT(*) OVER (PARTITION BY grp, number) AS n
            FROM scores)
        SELECT grp, number, COUNT(DISTINCT municipality), COUNT(*), {quantiles}
        FROM ranked GROUP BY grp, number"""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _distributions(filters: BenchmarkFilters, *, by_year: bool) -> list[Distribution]:
    rows = _scores(filters, by_year=by_year, today=timezone.localtime())
    figures = (_figures_postgresql(rows) if connection.vendor == "postgresql"
               else _figures_window(rows))
    result = []
    for group, number, municipalities, count, p25, median, p75 in figures:
        year = group if by_year else None
        if municipalities < MIN_MUNICIPALITIES:
            result.append(Distribution(number, year, suppressed=True))
        else:
            result.append(Distribution(number, year, False, municipalities, count,
                                       float(p25), float(median), float(p75)))
    return sorted(result, key=lambda d: (d.year or 0, d.number))


def _generation() -> str:
    """Changes whenever a municipality opts in or out, so that no cached figure counts a
    municipality that left (or misses one that joined)."""
    return str(cache.get(GENERATION_KEY) or 0)


def generation_bump() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def benchmark_distributions(*, filters: BenchmarkFilters,
                            by_year: bool = False) -> list[Distribution]:
    """Per perspective (and per year, `by_year`), the spread of the scores of the comparable
    projects; cached for BENCHMARK_CACHE_SECONDS per filter. Perspectives that no compared
    project was scored on are absent."""
    key = f"benchmark:{_generation()}:{filters.key}:{'year' if by_year else 'all'}"
    found = cache.get(key)
    if found is None:
        found = _distributions(filters, by_year=by_year)
        cache.set(key, found, timeout=settings.BENCHMARK_CACHE_SECONDS)
    return found


def participation(*, municipality_id: int) -> BenchmarkParticipation | None:
    """The municipality's choice; None when no beheerder ever chose (which means: not counted)."""
    return (BenchmarkParticipation.objects.select_related("changed_by")
            .filter(municipality_id=municipality_id).first())
