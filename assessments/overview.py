"""The presenters of the municipality's overview and of a project's page.

Both lead with what an alderman reads: the latest *completed* result. A concept in progress is
marked next to it and never hides it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.forms import Form, MultipleChoiceField
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from perspectives.models import Band, Phase, characteristic_label

from .forms import OverviewFilterForm
from .labels import band_label, date_label, moment_label, person_label, score_label, shared_dates
from .models import Assessment, Membership, Project, Status
from .scoring import score_band
from .selectors import (
    OVERVIEW_ROW_FIELDS,
    OverviewFilters,
    latest_round,
    open_action_counts,
    projects_overview,
    round_raters,
)


def url_with_pk(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many pks: the URL is reversed once, with a marker for the
    pk (a reverse costs about as much as the rest of an overview row)."""
    marker = "2147483647"
    before, after = reverse(name, args=[int(marker)]).split(marker)
    return lambda pk: f"{before}{pk}{after}"


# Large enough to scan, small enough that 10,000 projects stay quick to page through.
OVERVIEW_PAGE_SIZE = 50

SORT_LABELS = [
    ("name", gettext_lazy("Project")), ("phase", gettext_lazy("Fase")),
    ("status", gettext_lazy("Status")), ("score", gettext_lazy("Totaalscore")),
    ("actions", gettext_lazy("Open acties")), ("date", gettext_lazy("Laatste beoordeling")),
]


class ListWords:
    """The words a list of projects repeats, translated once per list rather than once a row
    (a row needs five of them, and each gettext costs more than the rest of the row)."""

    def __init__(self):
        self.phases = {value: str(label) for value, label in Phase.choices}
        self.bands = {band: band_label(band) for band in (*Band.values, None)}
        self.statuses = {2: _("Afgerond"), 1: _("Eerste beoordeling loopt"),
                         0: _("Nog niet beoordeeld")}
        self.completed_on = _("Afgerond op %(date)s")
        self.started_on = _("Gestart op %(date)s")
        self.concept = _("concept in bewerking")

    def phase(self, phase: str) -> str:
        return self.phases.get(phase, phase)

    def score(self, score: int | None) -> str:
        return score_label(score, self.bands)


@dataclass
class SortColumn:
    key: str
    label: str
    url: str  # sorts by this column, the other way round if it is the current one
    aria_sort: str  # "ascending", "descending" or ""


@dataclass
class ProjectRow:
    name: str
    url: str
    phase_label: str
    status_label: str
    concept_label: str  # "concept in bewerking", next to a completed result or on its own
    concept_url: str
    score_label: str
    result_url: str
    open_actions: int
    date_label: str


@dataclass
class PageLink:
    label: str
    url: str  # empty: no such page (the first page has no "previous")


@dataclass
class Pagination:
    """Where a long list is: "Pagina 2 van 40 (1.000 projecten)", previous and next."""

    summary: str
    previous: PageLink
    next: PageLink

    @classmethod
    def of(cls, page: Page, url, noun: str) -> "Pagination | None":
        """`url(number)` links a page; `noun` counts the items ("%(count)s projecten")."""
        paginator = page.paginator
        if paginator.count == 0:
            return None
        summary = _("Pagina %(page)s van %(pages)s") % {
            "page": page.number, "pages": paginator.num_pages} + f" ({noun})"
        return cls(
            summary,
            PageLink(_("Vorige pagina"),
                     url(page.previous_page_number()) if page.has_previous() else ""),
            PageLink(_("Volgende pagina"),
                     url(page.next_page_number()) if page.has_next() else ""),
        )


class FilteredListPage:
    """What a paged list filtered by a query string shows around its rows (the overview, the
    library of examples): `form` is its bound filter form, `page` its page, and the subclass says
    `is_filtered` and `count_label`."""

    form: Form
    page: Page

    def query_string(self, **changes) -> str:
        """The current filters and sort as a query string, with `changes` (None drops one)."""
        params = [(name, value) for name in self.form.fields if name not in self.form.errors
                  for value in self._values(name) if value and name not in changes]
        params += [(name, value) for name, value in changes.items() if value not in (None, "")]
        return urlencode(params)

    def _values(self, name: str) -> list[str]:
        """A field's values as its form read them: a single-value field reads the last one given,
        a multiple choice each value once (a link must mean what the page shows)."""
        values = self.form.data.getlist(name)
        if not isinstance(self.form.fields[name], MultipleChoiceField):
            return values[-1:]
        return list(dict.fromkeys(values))

    @property
    def result_sentence(self) -> str:
        """What the filters found, for screen reader users too (the page's h2 says it)."""
        if self.is_filtered:
            return _("%(count)s gevonden met deze filters") % {"count": self.count_label}
        return self.count_label

    @property
    def pagination(self) -> Pagination | None:
        return Pagination.of(self.page, lambda n: "?" + self.query_string(pagina=n),
                             self.count_label)


class OverviewPresenter(FilteredListPage):
    """The municipality's projects, filtered, searched, sorted and paged by the query string."""

    def __init__(self, membership: Membership, form: OverviewFilterForm,
                 page_number: str | None = None):
        self.membership = membership
        self.form = form
        self.filters = form.filters()
        self.sort = form.ordering()
        self.page_number = page_number

    @property
    def title(self) -> str:
        return _("Digitale projecten van %(name)s") % {"name": self.membership.municipality.name}

    def projects(self, *, every_column: bool = True):
        """Every project the filters select, in the chosen order (for the page and the CSV)."""
        return projects_overview(municipality=self.membership.municipality, sort=self.sort,
                                 filters=self.filters, every_column=every_column)

    @cached_property
    def page(self) -> Page:
        rows = self.projects(every_column=False).values_list(*OVERVIEW_ROW_FIELDS, named=True)
        return Paginator(rows, OVERVIEW_PAGE_SIZE).get_page(self.page_number)

    @property
    def is_filtered(self) -> bool:
        return self.filters != OverviewFilters()

    @property
    def columns(self) -> list[SortColumn]:
        columns = []
        for key, label in SORT_LABELS:
            current = self.sort.lstrip("-") == key
            descending = current and self.sort.startswith("-")
            sort = ("-" if current and not descending else "") + key
            columns.append(SortColumn(
                key, str(label), "?" + self.query_string(sort=sort, pagina=None),
                ("descending" if descending else "ascending") if current else ""))
        return columns

    @cached_property
    def rows(self) -> list[ProjectRow]:
        projects = list(self.page)
        open_actions = open_action_counts(projects)
        # One reverse() per kind of link, not three per row (a page has 50 rows).
        project_url = url_with_pk("assessments:project_detail")
        results_url = url_with_pk("assessments:results")
        words = ListWords()
        return [self._row(project, open_actions.get(project.pk, 0), project_url, results_url,
                          words)
                for project in projects]

    @property
    def count_label(self) -> str:
        count = self.page.paginator.count
        return ngettext("%(count)s project", "%(count)s projecten", count) % {
            "count": number_format(count, force_grouping=True)}


    @property
    def csv_url(self) -> str:
        query = self.query_string(pagina=None)
        return reverse("assessments:overview_csv") + (f"?{query}" if query else "")

    @property
    def csv_rows(self):
        """The CSV export: every filtered project, not just this page (a header row first).

        Dates as ISO 8601 (a spreadsheet sorts them) and labels looked up once, not per row:
        10,000 rows must not spend seconds formatting dates and reversing URLs."""
        yield [_("Project"), _("Fase"), _("Status"), _("Totaalscore"), _("Beoordeling"),
               _("Minimumeisen niet gehaald"), _("Open acties"), _("Laatste beoordeling")]
        words = ListWords()
        for project in self.projects().iterator(chunk_size=1000):
            completed = project.completed_id is not None
            yield [project.name, words.phase(project.phase),
                   words.statuses[project.status_rank],
                   project.completed_score if completed else "",
                   words.bands[score_band(project.completed_score)] if completed else "",
                   project.completed_unmet if completed else "",
                   project.open_action_count or 0,
                   # The latest completed assessment's date, as the page shows it; a concept's
                   # start is no result (the status column says one is under way).
                   _iso_date(project.completed_at) if completed else ""]

    @staticmethod
    def _row(project, open_actions: int, project_url: Callable[[int], str],
             results_url: Callable[[int], str], words: ListWords) -> ProjectRow:
        completed, concept = project.completed_id, project.concept_id
        if completed:
            status = words.completed_on % {"date": date_label(project.completed_at)}
        else:
            status = words.statuses[1 if concept else 0]
        return ProjectRow(
            name=project.name,
            url=project_url(project.pk),
            phase_label=words.phase(project.phase),
            status_label=status,
            concept_label=words.concept if concept and completed else "",
            concept_url=results_url(concept) if concept else "",
            score_label=words.score(project.completed_score),
            result_url=results_url(completed) if completed else "",
            open_actions=open_actions,
            # A project with only a concept has no completed assessment to date: the column
            # says when its first one started, not a date that reads as a result.
            date_label=(date_label(project.completed_at) if completed
                        else words.started_on % {"date": date_label(project.concept_started_at)}
                        if concept else "–"),
        )


@dataclass
class AssessmentRow:
    started_label: str  # "3 november 2026 (Bea Bewerker)"
    status_label: str
    score_label: str
    result_url: str
    resume_url: str  # a concept the user may continue
    delete_url: str  # an empty concept the user may delete


class ProjectPresenter:
    """A project's page: its facts, its latest completed result, its concept, its history."""

    def __init__(self, project: Project, membership: Membership):
        self.project = project
        self.can_edit = membership.can_edit
        self.user_id = membership.user_id
        self.assessments = list(
            project.assessments.select_related("started_by", "completed_by")
            .annotate(answer_count=Count("answers", distinct=True),
                      action_count=Count("actions", distinct=True)).order_by("-started_at", "-pk"))

    @property
    def characteristic_labels(self) -> list[str]:
        return [characteristic_label(code) for code in self.project.characteristics]

    @property
    def owner_label(self) -> str:
        return person_label(self.project.owner)

    @property
    def latest_completed(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == Status.COMPLETED), None)

    @property
    def latest_result(self) -> dict | None:
        assessment = self.latest_completed
        if assessment is None:
            return None
        return {"score_label": score_label(assessment.overall_score),
                "date_label": date_label(assessment.completed_at),
                "url": reverse("assessments:results", args=[assessment.pk])}

    @property
    def concept(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == Status.CONCEPT), None)

    @property
    def concept_summary(self) -> dict | None:
        concept = self.concept
        if concept is None:
            return None
        return {
            "text": _("Concept gestart op %(date)s door %(person)s, %(answered)s.") % {
                "date": date_label(concept.started_at), "person": person_label(concept.started_by),
                "answered": ngettext("%(n)s vraag beantwoord", "%(n)s vragen beantwoord",
                                     concept.answer_count) % {"n": concept.answer_count}},
            "resume_url": reverse("assessments:resume", args=[concept.pk]) if self.can_edit else "",
            "delete_url": (reverse("assessments:delete", args=[concept.pk])
                           if self.can_edit and _is_empty(concept) and not self.latest_round
                           else ""),
        }

    @cached_property
    def latest_round(self):
        """The concept's latest rating round (its scores are someone's work, like answers)."""
        return latest_round(assessment=self.concept) if self.concept else None

    @cached_property
    def rating_pending(self) -> bool:
        """The user is a rater of the concept's open round who has not submitted: until they
        have, the concept, its results and the project's history are closed to them (access
        helpers), so the page offers only their own scores."""
        rating_round = self.latest_round
        if rating_round is None or not rating_round.is_open:
            return False
        return any(r.user_id == self.user_id and not r.is_submitted for r in self._raters)

    @cached_property
    def _raters(self) -> list:
        return round_raters(rating_round=self.latest_round) if self.latest_round else []

    @property
    def can_continue(self) -> bool:
        return self.can_edit and not self.rating_pending

    @cached_property
    def rating(self) -> dict | None:
        """The concept's latest rating round, and what this user can do in it: start one (a
        bewerker), fill in their own scores (a rater), or read the discussion."""
        concept = self.concept
        if concept is None:
            return None
        rating_round = self.latest_round
        if rating_round is None:
            if not self.can_edit:
                return None
            return {"text": "", "own_url": "", "discussion_url": "",
                    "start_url": reverse("assessments:round_start", args=[concept.pk])}
        raters = self._raters
        mine = next((r for r in raters if r.user_id == self.user_id), None)
        submitted = sum(1 for r in raters if r.is_submitted)
        if rating_round.is_open:
            text = ngettext(
                "Er loopt een ronde waarin collega's zelfstandig scoren: %(done)s van de "
                "%(total)s heeft ingediend.",
                "Er loopt een ronde waarin collega's zelfstandig scoren: %(done)s van de "
                "%(total)s hebben ingediend.", submitted) % {"done": submitted,
                                                              "total": len(raters)}
            if self.rating_pending:
                text += " " + _("U bent gevraagd mee te scoren. Dien eerst uw eigen scores in; "
                                "daarna ziet u het concept, de scores van collega's en de "
                                "geschiedenis.")
        else:
            text = ngettext(
                "De laatste ronde is gesloten op %(date)s; %(done)s van de %(total)s heeft "
                "ingediend.",
                "De laatste ronde is gesloten op %(date)s; %(done)s van de %(total)s hebben "
                "ingediend.", submitted) % {"date": date_label(rating_round.closed_at),
                                            "done": submitted, "total": len(raters)}
        pending = self.rating_pending
        may_read = not pending and (self.can_edit or (mine is not None and mine.is_submitted))
        return {
            "text": text,
            "own_url": (reverse("assessments:rating_step", args=[rating_round.pk, 0])
                        if pending else ""),
            "discussion_url": (reverse("assessments:round_discussion", args=[rating_round.pk])
                               if may_read else ""),
            "start_url": (reverse("assessments:round_start", args=[concept.pk])
                          if self.can_edit and not rating_round.is_open else ""),
        }

    @property
    def start_label(self) -> str:
        return _("Verder met de beoordeling") if self.concept else _("Nieuwe beoordeling starten")

    @property
    def history(self) -> list[AssessmentRow]:
        # Two assessments on one day (reopened the same day) read alike: those get their time.
        started = shared_dates(a.started_at for a in self.assessments)
        completed = shared_dates(a.completed_at for a in self.assessments)
        rows = []
        for assessment in self.assessments:
            if assessment.status == Status.COMPLETED:
                status = _("Afgerond op %(date)s door %(person)s") % {
                    "date": moment_label(assessment.completed_at, completed),
                    "person": person_label(assessment.completed_by)}
            else:
                status = (f"{assessment.get_status_display()} "
                          f"({_answers_label(assessment.answer_count)})")
            closed = self.rating_pending and assessment.is_concept
            rows.append(AssessmentRow(
                started_label=f"{moment_label(assessment.started_at, started)} "
                              f"({person_label(assessment.started_by)})",
                status_label=status,
                score_label=score_label(assessment.overall_score)
                if assessment.status == Status.COMPLETED else "–",
                result_url="" if closed else reverse("assessments:results", args=[assessment.pk]),
                resume_url=reverse("assessments:resume", args=[assessment.pk])
                if self.can_continue and assessment.is_concept else "",
                delete_url=reverse("assessments:delete", args=[assessment.pk])
                if self.can_edit and assessment.is_concept and _is_empty(assessment) else "",
            ))
        return rows


def _iso_date(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _is_empty(assessment: Assessment) -> bool:
    """Mirrors services.assessment_delete_empty: only then is a delete button offered."""
    return assessment.answer_count == 0 and assessment.action_count == 0


def _answers_label(count: int) -> str:
    return ngettext("%(n)s antwoord", "%(n)s antwoorden", count) % {"n": count}
