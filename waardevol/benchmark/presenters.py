"""The benchmark in words: the VNG's national page, and one project's comparison (a section of
the results page and of the PDF report, prepared here once for both)."""

from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from assessments import scoring
from assessments.labels import date_label, perspective_titles, phase_label
from perspectives.models import Characteristic

from .selectors import (
    MIN_MUNICIPALITIES,
    BenchmarkFilters,
    Distribution,
    benchmark_distributions,
    participation,
)

# What makes another project comparable to this one, besides its phase: whether it processes
# personal data and whether it uses AI. These two change the questions (and the minimum
# requirements) most; more characteristics would make most groups too small to show.
COMPARABLE_CHARACTERISTICS = (Characteristic.PERSONAL_DATA, Characteristic.AI)


def range_text(low: float | None, high: float | None) -> str:
    """The middle half as "48–71"; one figure when it has no width (most comparable projects
    scored the same, e.g. 39 where an unmet minimum capped them): "45–45" read like an error."""
    low_text, high_text = figure(low), figure(high)
    return low_text if low_text == high_text else f"{low_text}–{high_text}"


def too_few_text() -> str:
    return _("te weinig vergelijkbare beoordelingen")


def figure(value: float | None) -> str:
    """A score figure as every score is shown: a whole number, rounded half up."""
    return "–" if value is None else str(scoring.round_score(value))


# Counts are shown in these bands, never exactly: exact counts of nested groups (all projects,
# and those with one characteristic) can be subtracted to learn about the few municipalities in
# between. Lower bounds, ascending; a shown group has at least MIN_MUNICIPALITIES municipalities
# (and so at least that many assessments), hence the first band.
COUNT_BANDS = (5, 10, 20, 50, 100, 500)


def count_text(value: int | None) -> str:
    """A count as a band: "5–9", "10–19", "20–49", "50–99", "100–499" or "500 of meer"."""
    if value is None:
        return "–"
    if value < COUNT_BANDS[0]:
        return _("minder dan %(n)s") % {"n": COUNT_BANDS[0]}
    for low, high in zip(COUNT_BANDS, COUNT_BANDS[1:], strict=False):
        if value < high:
            return f"{number_format(low)}–{number_format(high - 1)}"
    return _("%(n)s of meer") % {"n": number_format(COUNT_BANDS[-1])}


def rule_sentence() -> str:
    return _("Een cijfer verschijnt alleen als beoordelingen van ten minste %(k)s gemeenten "
             "meetellen; anders staat er ‘%(too_few)s’.") % {
        "k": MIN_MUNICIPALITIES, "too_few": too_few_text()}


@dataclass
class SpreadRow:
    """One perspective of the national table."""

    number: int
    title: str
    municipalities: str
    assessments: str
    p25: str
    median: str
    p75: str
    suppressed: bool

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


def spread_row(number: int, title: str, distribution: Distribution | None) -> SpreadRow:
    if distribution is None or distribution.suppressed:
        return SpreadRow(number, title, "–", "–", "–", too_few_text(), "–", True)
    return SpreadRow(number, title, count_text(distribution.municipalities),
                     count_text(distribution.assessments), figure(distribution.p25),
                     figure(distribution.median), figure(distribution.p75), False)


@dataclass
class YearCell:
    year: int
    text: str  # "62 (48–71)", or "te weinig vergelijkbare beoordelingen"
    suppressed: bool


@dataclass
class YearRow:
    label: str
    cells: list[YearCell]


class NationalPresenter:
    """The VNG's page: per perspective the spread over all comparable projects, and the median
    per year of completion. Everything is an aggregate over at least MIN_MUNICIPALITIES
    municipalities; nothing names a municipality, a project or a person."""

    def __init__(self, filters: BenchmarkFilters):
        self.filters = filters

    @cached_property
    def titles(self) -> dict[int, str]:
        return perspective_titles()

    @cached_property
    def _overall(self) -> dict[int, Distribution]:
        return {d.number: d for d in benchmark_distributions(filters=self.filters,
                                                             guard_complement=True)}

    @cached_property
    def rows(self) -> list[SpreadRow]:
        return [spread_row(number, title, self._overall.get(number))
                for number, title in self.titles.items()]

    @property
    def has_figures(self) -> bool:
        return any(not row.suppressed for row in self.rows)

    @cached_property
    def _by_year(self) -> dict[tuple[int, int], Distribution]:
        return {(d.year, d.number): d
                for d in benchmark_distributions(filters=self.filters, by_year=True,
                                                 guard_complement=True)}

    @property
    def years(self) -> list[int]:
        """The years with at least one shown figure, oldest first. Not every year with a
        completed assessment: a column of only suppressed cells would still tell that some
        (few) municipality completed an assessment that year."""
        return sorted({year for (year, _number), d in self._by_year.items() if not d.suppressed})

    @property
    def year_rows(self) -> list[YearRow]:
        rows = []
        for number, title in self.titles.items():
            cells = []
            for year in self.years:
                found = self._by_year.get((year, number))
                if found is None or found.suppressed:
                    cells.append(YearCell(year, too_few_text(), True))
                else:
                    cells.append(YearCell(year, f"{figure(found.median)} "
                                                f"({range_text(found.p25, found.p75)})",
                                          False))
            rows.append(YearRow(f"{number}. {title}", cells))
        return rows

    @property
    def filter_sentence(self) -> str:
        return group_sentence(self.filters)

    @property
    def rule_sentence(self) -> str:
        return rule_sentence()

    @property
    def privacy_sentence(self) -> str:
        return _("Aantallen staan in klassen (zoals ‘10–19’), niet precies. Met een filter "
                 "verschijnt een cijfer ook niet als de projecten buiten het filter van 1 tot "
                 "%(k)s gemeenten komen: het verschil met ‘alle projecten’ zou anders iets over "
                 "die gemeenten zeggen.") % {"k": MIN_MUNICIPALITIES - 1}

    @property
    def date_text(self) -> str:
        return date_label(timezone.now())


def group_sentence(filters: BenchmarkFilters) -> str:
    """Which projects count, in words."""
    parts = []
    if filters.phase:
        parts.append(_("in de fase ‘%(phase)s’") % {"phase": phase_label(filters.phase)})
    parts += [_("met het kenmerk ‘%(label)s’") % {"label": Characteristic(c).label.lower()}
              for c in filters.characteristics]
    parts += [_("zonder het kenmerk ‘%(label)s’") % {"label": Characteristic(c).label.lower()}
              for c in filters.without]
    which = (_("alle projecten") if not parts
             else _("projecten %(conditions)s") % {"conditions": ", ".join(parts)})
    return _("Over %(which)s: de laatste afgeronde beoordeling van elk project, bij de "
             "gemeenten die meedoen aan de landelijke vergelijking.") % {"which": which}


@dataclass
class ComparisonRow:
    number: int
    title: str
    own: str  # this project's score, "62", or "niet beoordeeld"
    median: str  # or "te weinig vergelijkbare beoordelingen"
    middle_half: str  # "48–71", or "–"
    position: str  # "hoger dan driekwart", … or "–"

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


class ProjectComparison:
    """Where one assessment stands per perspective against comparable projects nationally.

    It is context, not part of the frozen result: it is computed as of today, for completed
    assessments and concepts alike. Only a municipality that takes part sees it (who shares,
    compares); it compares against OTHER municipalities only: the viewer knows their own scores,
    so counting them would let a group of five describe four others."""

    def __init__(self, *, scores: dict[int, int | None], titles: dict[int, str], phase: str,
                 characteristics: list[str], takes_part: bool, municipality_id: int):
        self.scores = scores
        self.titles = titles
        self.takes_part = takes_part
        self.municipality_id = municipality_id
        self.filters = BenchmarkFilters(
            phase=phase if phase else "",
            characteristics=tuple(c for c in COMPARABLE_CHARACTERISTICS if c in characteristics),
            without=tuple(c for c in COMPARABLE_CHARACTERISTICS if c not in characteristics))

    @classmethod
    def for_result(cls, result) -> "ProjectComparison":
        """From a results read model (assessments.readmodel.AssessmentResult): its scores, its
        phase and characteristics (the frozen ones once completed)."""
        municipality_id = result.assessment.project.municipality_id
        chosen = participation(municipality_id=municipality_id)
        return cls(scores={p.number: p.score.score if p.score else None
                           for p in result.perspectives},
                   titles={p.number: p.title for p in result.perspectives},
                   phase=result.phase, characteristics=result.characteristics,
                   takes_part=bool(chosen and chosen.opted_in),
                   municipality_id=municipality_id)

    @cached_property
    def _distributions(self) -> dict[int, Distribution]:
        if not self.takes_part:
            return {}
        return {d.number: d for d in benchmark_distributions(
            filters=self.filters, other_than=self.municipality_id)}

    @cached_property
    def rows(self) -> list[ComparisonRow]:
        return [self._row(number, title) for number, title in self.titles.items()]

    def _row(self, number: int, title: str) -> ComparisonRow:
        own = self.scores.get(number)
        own_text = _("niet beoordeeld") if own is None else str(own)
        found = self._distributions.get(number)
        if found is None or found.suppressed:
            return ComparisonRow(number, title, own_text, too_few_text(), "–", "–")
        return ComparisonRow(number, title, own_text, figure(found.median),
                             range_text(found.p25, found.p75), position_text(own, found))

    @property
    def has_figures(self) -> bool:
        return any(row.middle_half != "–" for row in self.rows)

    @property
    def not_taking_part_sentence(self) -> str:
        return _("Uw gemeente doet niet mee aan de landelijke vergelijking, dus ziet u die hier "
                 "niet. Een beheerder van uw gemeente kan de deelname aanzetten via ‘Leden’; dan "
                 "deelt uw gemeente alleen geanonimiseerde totalen, geen projectnamen, "
                 "toelichtingen of personen.")

    @property
    def group_sentence(self) -> str:
        values = {
            "personal": (_("persoonsgegevens verwerken")
                         if Characteristic.PERSONAL_DATA in self.filters.characteristics
                         else _("geen persoonsgegevens verwerken")),
            "ai": (_("AI gebruiken") if Characteristic.AI in self.filters.characteristics
                   else _("geen AI gebruiken")),
        }
        if not self.filters.phase:
            # A project without a phase is compared across all phases: no "(–)" clause.
            return _("Vergeleken met projecten die net als dit project %(personal)s en "
                     "%(ai)s: de laatste afgeronde beoordeling van elk project, bij de andere "
                     "gemeenten die meedoen aan de landelijke vergelijking (niet uw eigen "
                     "gemeente).") % values
        return _("Vergeleken met projecten in dezelfde fase (%(phase)s) die net als dit project "
                 "%(personal)s en %(ai)s: de laatste afgeronde beoordeling van elk project, bij "
                 "de andere gemeenten die meedoen aan de landelijke vergelijking (niet uw eigen "
                 "gemeente).") % {**values, "phase": phase_label(self.filters.phase).lower()}

    @property
    def as_of_sentence(self) -> str:
        return _("Stand van %(date)s: de landelijke cijfers veranderen als gemeenten "
                 "beoordelingen afronden; de score van dit project zelf verandert daardoor "
                 "niet.") % {"date": date_label(timezone.now())}

    @property
    def rule_sentence(self) -> str:
        return _("Een cijfer verschijnt alleen als beoordelingen van ten minste %(k)s andere "
                 "gemeenten meetellen; anders staat er ‘%(too_few)s’.") % {
            "k": MIN_MUNICIPALITIES, "too_few": too_few_text()}


def position_text(own: int | None, found: Distribution) -> str:
    """Where a score stands against the middle half of the comparable projects."""
    if own is None:
        return "–"
    if own > found.p75:
        return _("hoger dan driekwart van de vergelijkbare projecten")
    if own < found.p25:
        return _("lager dan driekwart van de vergelijkbare projecten")
    if figure(found.p25) == figure(found.p75):  # no width: "in the middle half" says nothing
        return _("gelijk aan de middelste helft")
    return _("in de middelste helft")
