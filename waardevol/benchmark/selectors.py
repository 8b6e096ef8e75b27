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
- Differencing: a filtered group whose complement in the unfiltered set has 1 to
  MIN_MUNICIPALITIES - 1 municipalities is suppressed too (`guard_complement`), and the
  presenter shows counts only in bands; a project's comparison leaves the viewer's own
  municipality out (`other_than`).

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


def _filter_condition(filters: BenchmarkFilters) -> Q:
    """The filters as one condition on Project (an empty Q when there are none)."""
    condition = Q()
    if filters.phase:
        condition &= Q(phase=filters.phase)
    for code in filters.characteristics:
        condition &= _characteristic_condition(code)
    for code in filters.without:
        condition &= ~_characteristic_condition(code)
    return condition


def compared_projects(filters: BenchmarkFilters, *,
                      other_than: int | None = None) -> QuerySet[Project]:
    """The projects of opted-in municipalities that match the filters; `other_than` leaves one
    municipality's projects out (a project's comparison is against the others only)."""
    projects = Project.objects.filter(municipality__benchmark_participation__opted_in=True)
    if other_than is not None:
        projects = projects.exclude(municipality_id=other_than)
    return projects.filter(_filter_condition(filters))


def complement_projects(filters: BenchmarkFilters) -> QuerySet[Project]:
    """The projects of opted-in municipalities that do NOT match the filters: what a reader
    could learn by subtracting the filtered figures from the unfiltered ones."""
    return (Project.objects.filter(municipality__benchmark_participation__opted_in=True)
            .exclude(_filter_condition(filters)))


def _year_starts(today: datetime) -> list[tuple[int, datetime]]:
    """(year, its first moment in our time zone), newest first, YEARS of them."""
    zone = timezone.get_current_timezone()
    return [(year, datetime(year, 1, 1, tzinfo=zone))
            for year in range(today.year, today.year - YEARS, -1)]


def _scores(projects: QuerySet[Project], *, by_year: bool, today: datetime):
    """The rows the figures are made of: (group, perspective, score, municipality). The group is
    the year of completion, or 0 for the table over all years. Nothing else is selected."""
    latest = (projects
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


def _small_complements(filters: BenchmarkFilters, *, by_year: bool,
                       today: datetime) -> set[tuple[int, int]]:
    """The (group, perspective) cells whose complement (the unfiltered set's rows minus the
    filtered ones) has 1 to MIN_MUNICIPALITIES - 1 municipalities: showing the filtered figures
    next to the unfiltered ones would describe that small complement by subtraction. One
    COUNT(DISTINCT) query, no quantiles."""
    rows = _scores(complement_projects(filters), by_year=by_year, today=today)
    counts = (rows.values("group", "number")
              .annotate(m=Count("municipality", distinct=True))
              .values_list("group", "number", "m"))
    return {(group, number) for group, number, m in counts if 0 < m < MIN_MUNICIPALITIES}


def _distributions(filters: BenchmarkFilters, *, by_year: bool, other_than: int | None = None,
                   guard_complement: bool = False) -> list[Distribution]:
    today = timezone.localtime()
    rows = _scores(compared_projects(filters, other_than=other_than), by_year=by_year,
                   today=today)
    figures = (_figures_postgresql(rows) if connection.vendor == "postgresql"
               else _figures_window(rows))
    small_complements = (_small_complements(filters, by_year=by_year, today=today)
                         if guard_complement and filters != BenchmarkFilters() else set())
    result = []
    for group, number, municipalities, count, p25, median, p75 in figures:
        year = group if by_year else None
        if municipalities < MIN_MUNICIPALITIES or (group, number) in small_complements:
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


def benchmark_distributions(*, filters: BenchmarkFilters, by_year: bool = False,
                            other_than: int | None = None,
                            guard_complement: bool = False) -> list[Distribution]:
    """Per perspective (and per year, `by_year`), the spread of the scores of the comparable
    projects; cached for BENCHMARK_CACHE_SECONDS per filter (and per left-out municipality).
    Perspectives that no compared project was scored on are absent.

    `other_than`: leave this municipality out (a project's comparison: the viewer knows their
    own scores, so k ≥ 5 must hold for the others). `guard_complement`: also suppress a cell
    whose complement within the unfiltered set has 1–4 municipalities (the VNG page, where
    nested filters can be subtracted); one extra COUNT query when a filter is applied."""
    key = (f"benchmark:{_generation()}:{filters.key}:{'year' if by_year else 'all'}"
           f":{other_than or '-'}:{'guarded' if guard_complement else 'plain'}")
    found = cache.get(key)
    if found is None:
        found = _distributions(filters, by_year=by_year, other_than=other_than,
                               guard_complement=guard_complement)
        cache.set(key, found, timeout=settings.BENCHMARK_CACHE_SECONDS)
    return found


def participation(*, municipality_id: int) -> BenchmarkParticipation | None:
    """The municipality's choice; None when no beheerder ever chose (which means: not counted)."""
    return (BenchmarkParticipation.objects.select_related("changed_by")
            .filter(municipality_id=municipality_id).first())


def takes_part(*, municipality_id: int) -> bool:
    """Whether the municipality is counted (and sees comparisons): one EXISTS query."""
    return BenchmarkParticipation.objects.filter(municipality_id=municipality_id,
                                                 opted_in=True).exists()
