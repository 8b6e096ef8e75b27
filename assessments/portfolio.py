"""The municipality's portfolio (perspective 9: an overview of all experiments, and learning
across them): a heat map of projects × perspectives, the perspectives that are weakest across
projects, the improvement actions of every project, and a one-page PDF for the college.

`PortfolioFacts` words what the page and the PDF share (the band distribution, the weakest
perspectives, the projects missing a minimum requirement, the overdue actions), so they never
disagree; `PortfolioPresenter` adds the page's paged lists and filters. Everything is counted in
the database over the copied result columns (models.PerspectiveResult), so the cost of a page
does not grow with the number of projects.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from perspectives.models import Band

from . import pdf, scoring, selectors
from .forms import ActionFilterForm
from .labels import band_label, date_label, perspective_titles
from .models import Action, ActionStatus, Membership
from .overview import Pagination

HEAT_MAP_PAGE_SIZE = 25
ACTIONS_PAGE_SIZE = 25
# The PDF is one page: the longest lists stop here and say how many more there are.
PDF_UNMET_LIMIT = 8  # in two columns
PDF_OVERDUE_LIMIT = 6
PAGE_LIST_LIMIT = 10
TEMPLATE = "assessments/portfolio/portfolio_pdf.html"
BANDS = [Band.ATTENTION, Band.DEVELOPING, Band.IN_ORDER]


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of scores given as {score: how often}; None without any."""
    total = sum(counts.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # the two middle positions (equal when odd)
    values, seen = [], 0
    for score in sorted(counts):
        while middle and middle[0] < seen + counts[score]:
            values.append(score)
            middle.pop(0)
        seen += counts[score]
    return (values[0] + values[1]) / 2


def score_text(score: int | float | None) -> str:
    if score is None:
        return _("niet beoordeeld")
    rounded = scoring.round_score(score)
    return f"{rounded} – {band_label(scoring.score_band(rounded)).lower()}"


@dataclass
class PerspectiveSpread:
    """One perspective over the latest completed results of all projects."""

    number: int
    title: str
    median: int | None  # rounded half up, as every score
    median_text: str
    band: str  # of the median: the CSS class of its cell
    band_counts: list[int]  # projects in "aandacht nodig", "in ontwikkeling", "op orde"
    not_assessed: int  # projects where the perspective did not apply at all

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def band_cells(self) -> list[tuple[str, int]]:
        return [(str(band.label), count) for band, count in zip(BANDS, self.band_counts,
                                                                 strict=True)]


@dataclass
class HeatCell:
    perspective: str  # "3. Title", the column's header (for the 390 px layout too)
    score: str  # "55", or "–"
    band: str  # CSS class suffix; "none" when not assessed
    band_label: str  # said after the score, so colour is never the only carrier


@dataclass
class HeatRow:
    name: str
    url: str
    result_url: str
    overall: HeatCell
    cells: list[HeatCell]


@dataclass
class UnmetRow:
    name: str
    url: str
    count_label: str  # "2 minimumeisen"


@dataclass
class PortfolioActionRow:
    project: str
    project_url: str
    perspective_label: str
    description: str
    owner: str
    due_label: str
    status_label: str
    is_overdue: bool
    overdue_label: str  # "verlopen" next to the date, in words


class PortfolioFacts:
    """What the portfolio page and its PDF both say."""

    def __init__(self, membership: Membership, *, today: date | None = None):
        self.membership = membership
        self.municipality = membership.municipality
        self.today = today or timezone.localdate()

    @property
    def title(self) -> str:
        return _("Portfolio van %(name)s") % {"name": self.municipality.name}

    @cached_property
    def titles(self) -> dict[int, str]:
        return perspective_titles()

    @cached_property
    def spreads(self) -> list[PerspectiveSpread]:
        """Per perspective, in number order: its median and how many projects are in each
        band, over every project's latest completed result."""
        histograms: dict[int, dict[int, int]] = defaultdict(dict)
        not_assessed: dict[int, int] = defaultdict(int)
        for number, score, count in selectors.perspective_score_counts(
                municipality=self.municipality):
            if score is None:
                not_assessed[number] += count
            else:
                histograms[number][score] = count
        spreads = []
        for number, title in self.titles.items():
            histogram = histograms.get(number, {})
            median = median_of_counts(histogram)
            rounded = None if median is None else scoring.round_score(median)
            bands = [sum(n for score, n in histogram.items() if scoring.score_band(score) == band)
                     for band in BANDS]
            spreads.append(PerspectiveSpread(
                number, title, rounded, score_text(median),
                scoring.score_band(rounded) or "none", bands, not_assessed.get(number, 0)))
        return spreads

    @property
    def band_headers(self) -> list[str]:
        return [str(band.label) for band in BANDS]

    @property
    def assessed_count(self) -> int:
        """Projects with a completed assessment (those the figures are about)."""
        return max((sum(s.band_counts) + s.not_assessed for s in self.spreads), default=0)

    @property
    def basis_sentence(self) -> str:
        count = self.assessed_count
        if not count:
            return _("Nog geen enkel project heeft een afgeronde beoordeling. Het portfolio "
                     "vult zich zodra de eerste beoordeling is afgerond.")
        return ngettext(
            "Gebaseerd op de laatste afgeronde beoordeling van %(count)s project.",
            "Gebaseerd op de laatste afgeronde beoordeling van elk van %(count)s projecten.",
            count) % {"count": number_format(count, force_grouping=True)}

    @property
    def weakest(self) -> list[PerspectiveSpread]:
        """The perspectives that need attention most across projects: lowest median first
        (perspectives no project was scored on last)."""
        return sorted(self.spreads, key=lambda s: (s.median is None, s.median or 0, s.number))

    @property
    def weakest_sentence(self) -> str:
        scored = [s for s in self.weakest if s.median is not None]
        if not scored:
            return ""
        names = [s.label for s in scored[:3]]
        return _("Over alle projecten scoren deze perspectieven het laagst: %(names)s.") % {
            "names": "; ".join(names)}

    def _unmet_projects(self):
        return selectors.projects_overview(
            municipality=self.municipality, sort="name",
            filters=selectors.OverviewFilters(unmet=True))

    @cached_property
    def unmet_count(self) -> int:
        return self._unmet_projects().count()

    def unmet_rows(self, limit: int) -> list[UnmetRow]:
        return [UnmetRow(
            project.name, reverse("assessments:results", args=[project.completed_id]),
            ngettext("%(n)s minimumeis", "%(n)s minimumeisen", project.completed_unmet) % {
                "n": project.completed_unmet})
            for project in self._unmet_projects()[:limit]]

    @property
    def unmet_sentence(self) -> str:
        if not self.unmet_count:
            return _("Geen project mist een minimumeis in zijn laatste afgeronde beoordeling.")
        return ngettext(
            "%(count)s project voldoet in zijn laatste afgeronde beoordeling niet aan een of "
            "meer minimumeisen.",
            "%(count)s projecten voldoen in hun laatste afgeronde beoordeling niet aan een of "
            "meer minimumeisen.", self.unmet_count) % {
            "count": number_format(self.unmet_count, force_grouping=True)}

    def _overdue_actions(self):
        return selectors.portfolio_actions(
            municipality=self.municipality, user_id=self.membership.user_id, today=self.today,
            filters=selectors.ActionFilters(overdue=True))

    @cached_property
    def overdue_count(self) -> int:
        return self._overdue_actions().count()

    def overdue_rows(self, limit: int) -> list[PortfolioActionRow]:
        return [self.action_row(action) for action in self._overdue_actions()[:limit]]

    @property
    def overdue_sentence(self) -> str:
        if not self.overdue_count:
            return _("Er zijn geen verlopen verbeteracties.")
        return ngettext("%(count)s verbeteractie is over de uiterste datum en nog niet gereed.",
                        "%(count)s verbeteracties zijn over de uiterste datum en nog niet gereed.",
                        self.overdue_count) % {
            "count": number_format(self.overdue_count, force_grouping=True)}

    def more_sentence(self, total: int, shown: int) -> str:
        rest = total - shown
        if rest <= 0:
            return ""
        return ngettext("En nog %(n)s andere.", "En nog %(n)s andere.", rest) % {
            "n": number_format(rest, force_grouping=True)}

    def action_row(self, action: Action) -> PortfolioActionRow:
        overdue = (action.due_date is not None and action.due_date < self.today
                   and action.status != ActionStatus.DONE)
        number = action.perspective.number
        return PortfolioActionRow(
            project=action.assessment.project.name,
            project_url=reverse("assessments:project_detail",
                                args=[action.assessment.project_id]),
            perspective_label=f"{number}. {self.titles.get(number) or action.perspective.title}",
            description=action.description, owner=action.owner,
            due_label=date_label(action.due_date) or "–",
            status_label=action.get_status_display(),
            is_overdue=overdue, overdue_label=_("verlopen") if overdue else "",
        )


class PortfolioPresenter(PortfolioFacts):
    """The portfolio page: the shared facts, the heat map and the action list, paged."""

    def __init__(self, membership: Membership, action_form: ActionFilterForm,
                 heat_page: str | None = None, action_page: str | None = None,
                 today: date | None = None):
        super().__init__(membership, today=today)
        self.action_form = action_form
        self.heat_page_number = heat_page
        self.action_page_number = action_page

    def query_string(self, **changes) -> str:
        form = self.action_form
        params = {name: value for name, value in form.data.items()
                  if (name in form.fields and name not in form.errors or name == "pagina")
                  and value}
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    @property
    def unmet_list(self) -> list[UnmetRow]:
        return self.unmet_rows(PAGE_LIST_LIMIT)

    @property
    def unmet_more(self) -> str:
        return self.more_sentence(self.unmet_count, PAGE_LIST_LIMIT)

    @property
    def unmet_overview_url(self) -> str:
        return reverse("assessments:overview") + "?minimumeisen=niet-gehaald"

    # The heat map.
    @cached_property
    def heat_page(self) -> Page:
        projects = selectors.projects_overview(
            municipality=self.municipality, sort="name",
            filters=selectors.OverviewFilters(status=selectors.ProjectStatus.COMPLETED))
        return Paginator(projects, HEAT_MAP_PAGE_SIZE).get_page(self.heat_page_number)

    @property
    def heat_headers(self) -> list[tuple[int, str]]:
        return list(self.titles.items())

    @property
    def heat_rows(self) -> list[HeatRow]:
        projects = list(self.heat_page)
        scores = selectors.perspective_scores(assessment_ids=[p.completed_id for p in projects])
        return [HeatRow(
            project.name, reverse("assessments:project_detail", args=[project.pk]),
            reverse("assessments:results", args=[project.completed_id]),
            self._cell(_("Totaal"), project.completed_score),
            [self._cell(f"{number}. {title}", scores.get(project.completed_id, {}).get(number))
             for number, title in self.titles.items()],
        ) for project in projects]

    @staticmethod
    def _cell(perspective: str, score: int | None) -> HeatCell:
        band = scoring.score_band(score)
        return HeatCell(perspective, "–" if score is None else str(score), band or "none",
                        band_label(band).lower())

    @property
    def heat_pagination(self) -> Pagination | None:
        count = self.heat_page.paginator.count
        noun = ngettext("%(count)s beoordeeld project", "%(count)s beoordeelde projecten",
                        count) % {"count": number_format(count, force_grouping=True)}
        return Pagination.of(self.heat_page,
                             lambda n: f"?{self.query_string(kaart=n)}#heatmap", noun)

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(scoring.ATTENTION, _("onder 40: aandacht nodig")),
                (scoring.DEVELOPING, _("40 tot en met 69: in ontwikkeling")),
                (scoring.IN_ORDER, _("70 en hoger: op orde")),
                ("none", _("–: niet beoordeeld (geen vraag van toepassing)"))]

    # The actions.
    def _actions(self):
        return selectors.portfolio_actions(municipality=self.municipality,
                                           user_id=self.membership.user_id, today=self.today,
                                           filters=self.action_form.filters())

    @cached_property
    def action_page(self) -> Page:
        return Paginator(self._actions(), ACTIONS_PAGE_SIZE).get_page(self.action_page_number)

    @property
    def action_rows(self) -> list[PortfolioActionRow]:
        return [self.action_row(action) for action in self.action_page]

    @property
    def action_pagination(self) -> Pagination | None:
        count = self.action_page.paginator.count
        noun = ngettext("%(count)s actie", "%(count)s acties", count) % {
            "count": number_format(count, force_grouping=True)}
        return Pagination.of(self.action_page,
                             lambda n: f"?{self.query_string(pagina=n)}#acties", noun)

    @property
    def owners(self) -> list[dict]:
        """Open and overdue actions per owner (the ten with most open), of the filtered list."""
        return selectors.action_owner_counts(actions=self._actions(), today=self.today)

    @property
    def actions_csv_url(self) -> str:
        query = self.query_string(pagina=None, kaart=None)
        return reverse("assessments:portfolio_actions_csv") + (f"?{query}" if query else "")

    @property
    def actions_csv_rows(self):
        """Every filtered action (dates ISO 8601; labels looked up once, not per row)."""
        yield [_("Project"), _("Perspectief"), _("Actie"), _("Eigenaar"), _("Uiterste datum"),
               _("Status"), _("Verlopen")]
        statuses = {value: str(label) for value, label in ActionStatus.choices}
        yes, no = _("ja"), _("nee")
        rows = self._actions().values_list(
            "assessment__project__name", "perspective__number", "perspective__title",
            "description", "owner", "due_date", "status")
        for project, number, title, description, owner, due, status in rows.iterator(
                chunk_size=2000):
            overdue = due is not None and due < self.today and status != ActionStatus.DONE
            yield [project, f"{number}. {self.titles.get(number) or title}", description, owner,
                   due.isoformat() if due else "", statuses.get(status, status),
                   yes if overdue else no]


class PortfolioReportPresenter(PortfolioFacts):
    """The one-page PDF for the college: the shared facts, the longest lists cut short."""

    @property
    def date_text(self) -> str:
        return date_label(self.today)

    @property
    def unmet_list(self) -> list[UnmetRow]:
        return self.unmet_rows(PDF_UNMET_LIMIT)

    @property
    def unmet_more(self) -> str:
        return self.more_sentence(self.unmet_count, PDF_UNMET_LIMIT)

    @property
    def overdue_list(self) -> list[PortfolioActionRow]:
        return self.overdue_rows(PDF_OVERDUE_LIMIT)

    @property
    def overdue_more(self) -> str:
        return self.more_sentence(self.overdue_count, PDF_OVERDUE_LIMIT)

    @property
    def file_name(self) -> str:
        slug = slugify(self.municipality.name)[:60] or "gemeente"
        return f"waardevol-portfolio-{slug}-{self.today:%Y-%m-%d}.pdf"


def portfolio_html(presenter: PortfolioReportPresenter) -> str:
    return render_to_string(TEMPLATE, {"report": presenter, "language": get_language() or "nl"})


def portfolio_pdf(presenter: PortfolioReportPresenter) -> bytes:
    return pdf.html_to_pdf(portfolio_html(presenter))
