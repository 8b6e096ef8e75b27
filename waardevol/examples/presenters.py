"""The presenters of the library's list and of one example's page.

The example's page reads only the frozen copy (`PublishedExample.result` and its content
revision), never the assessment it came from: nothing there can show a person, a note the
publisher left out, or a later change.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import scoring
from assessments.labels import date_label, phase_label, score_label
from assessments.models import Membership
from assessments.overview import FilteredListPage
from assessments.readmodel import frozen_result
from assessments.results import ResultSummary
from perspectives.models import characteristic_label
from perspectives.selectors import revision_snapshot

from .forms import LibraryFilterForm
from .models import PublishedExample
from .selectors import LibraryFilters, examples_published

LIBRARY_PAGE_SIZE = 20


@dataclass
class ExampleRow:
    title: str
    url: str
    municipality: str
    phase_label: str
    characteristic_labels: list[str]
    score_label: str
    published_label: str


class LibraryPresenter(FilteredListPage):
    """Every municipality's published examples, searched, filtered and paged."""

    def __init__(self, form: LibraryFilterForm, page_number: str | None = None):
        self.form = form
        self.filters = form.filters()
        self.page_number = page_number

    @cached_property
    def page(self) -> Page:
        return Paginator(examples_published(filters=self.filters),
                         LIBRARY_PAGE_SIZE).get_page(self.page_number)

    @property
    def is_filtered(self) -> bool:
        return self.filters != LibraryFilters()

    @property
    def rows(self) -> list[ExampleRow]:
        return [self._row(example) for example in self.page]

    @property
    def count_label(self) -> str:
        count = self.page.paginator.count
        return ngettext("%(count)s voorbeeld", "%(count)s voorbeelden", count) % {
            "count": number_format(count, force_grouping=True)}

    @staticmethod
    def _row(example: PublishedExample) -> ExampleRow:
        return ExampleRow(
            title=example.title, url=reverse("examples:detail", args=[example.pk]),
            municipality=example.municipality.name, phase_label=phase_label(example.phase),
            characteristic_labels=[characteristic_label(c) for c in example.characteristics],
            score_label=score_label(example.overall_score),
            published_label=date_label(example.published_at),
        )


class ExamplePresenter(ResultSummary):
    """One published example: what it is, who published it (the municipality, never a person),
    and its result, worded as on a results page."""

    def __init__(self, example: PublishedExample, membership: Membership, *, language: str):
        self.example = example
        self.membership = membership
        self.result = frozen_result(
            content=revision_snapshot(example.content), characteristics=example.characteristics,
            phase=example.phase, evaluation=scoring.Evaluation.from_json(example.result),
            language=language)

    @property
    def title(self) -> str:
        return self.example.title

    @property
    def description(self) -> str:
        return self.example.description

    @property
    def published_sentence(self) -> str:
        return _("Gepubliceerd door %(municipality)s op %(date)s.") % {
            "municipality": self.example.municipality.name,
            "date": date_label(self.example.published_at)}

    @property
    def notes_sentence(self) -> str:
        if self.example.include_notes:
            return _("Met de toelichtingen bij de antwoorden, zoals de gemeente ze schreef.")
        return _("Zonder toelichtingen: de gemeente publiceerde alleen de antwoorden.")

    @property
    def includes_notes(self) -> bool:
        return self.example.include_notes

    @property
    def is_own(self) -> bool:
        return self.membership.municipality_id == self.example.municipality_id

    @property
    def can_withdraw(self) -> bool:
        return self.is_own and self.membership.can_edit

    @property
    def can_start(self) -> bool:
        return self.membership.can_edit
