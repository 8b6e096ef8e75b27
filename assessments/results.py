"""The results presenter: everything the results page shows about one assessment, in words.

The report's presenter (report.py) builds on it, so the page and the PDF never word the same fact
differently: the overall sentence, the radar and its legend, the process bars, the perspectives
that need attention, the people, the dates, the characteristics and the action plan all come from
here.
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waardevol.benchmark.presenters import ProjectComparison

from .labels import band_label, date_label, person_label
from .models import Action, ActionStatus, Assessment
from .radar import RadarChart, radar_chart
from .readmodel import (
    AssessmentResult,
    InstrumentView,
    MinimumRequirementView,
    NextStepView,
    PerspectiveView,
    assessment_result,
)

RADAR_TEMPLATE = "assessments/includes/radar.svg"


# What shapes the results page's per-perspective section besides the frozen result.
CARDS_FILES = ("templates/assessments/includes/perspective_cards.html",
               "templates/assessments/includes/next_steps.html",
               "locale/en/LC_MESSAGES/django.po", "assessments/results.py",
               "assessments/readmodel.py", "assessments/labels.py")


@lru_cache(maxsize=8)
def files_digest(names: tuple[str, ...]) -> str:
    """A digest of the source files (templates, translations, code) behind a cached rendering, so
    that a deployment that changes one of them makes new cache keys instead of serving stale
    output."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((Path(settings.BASE_DIR) / name).read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class ProcessBar:
    title: str
    score: int | None
    score_text: str  # "72 – op orde", or "niet beoordeeld"
    width: int  # 0–100, the bar's filled part


@dataclass
class RadarLegendItem:
    number: int
    title: str
    score_text: str


@dataclass
class ActionRow:
    perspective_label: str  # "8. Bescherm publieke waarden …"
    description: str
    owner: str
    due_label: str
    status_label: str
    is_open: bool
    edit_url: str


@dataclass
class AnswerRow:
    code: str
    question: str
    answer_label: str
    note: str
    is_minimum: bool


@dataclass
class PerspectiveCard:
    """One perspective in full: score in words, next steps, advice, answers, its actions."""

    number: int
    title: str
    anchor: str
    score_text: str
    remarks: list[str]  # "2 keer ‘weet ik niet’", "minimumeis 7.4 niet gehaald"
    next_steps: list[NextStepView]
    advice_html: str
    answers: list[AnswerRow]
    add_action_url: str
    # Why the advice is that of another band than the score's (an unmet minimum capped it).
    advice_note: str = ""


@dataclass
class ProcessSection:
    title: str
    score_text: str
    perspectives: list[PerspectiveCard]


@dataclass
class PerspectiveSummary:
    """A perspective as a line of a summary: its title, score in words, and next steps."""

    number: int
    title: str
    score_text: str
    next_steps: list[NextStepView]
    anchor: str


class ResultSummary:
    """The parts of a result page that read only the result (`self.result`, an
    AssessmentResult): the sentence, the radar, the bars, the minimums, what needs attention and
    the instruments. The results page and a published example's page share them, so both word
    the same fact the same way; nothing here names a person or reads the assessment itself."""

    result: AssessmentResult

    @property
    def revision(self) -> str:
        return self.result.revision or "–"

    @property
    def content_version(self) -> str:
        """Which content the result was scored on, as editors name it: the publication's number
        and date ("publicatie 3 van 1 maart 2027"); content frozen before publications existed
        has only its revision hash."""
        publication = self.result.publication
        if publication is None:
            return self.revision
        return _("publicatie %(number)s van %(date)s") % {
            "number": publication.number, "date": date_label(publication.published_at)}

    @property
    def characteristics(self) -> list[str]:
        return self.result.characteristic_labels

    @property
    def phase_label(self) -> str:
        return self.result.phase_label

    # --- the result in words ---------------------------------------------------------------

    @property
    def overall_score(self) -> int | None:
        return self.result.scores.overall.score

    @property
    def overall_band_label(self) -> str:
        return self.result.overall_band_label

    @property
    def overall_sentence(self) -> str:
        overall = self.result.scores.overall
        if overall.score is None:
            return _("Er is nog niets beantwoord, dus er is nog geen totaalscore.")
        return _("Het project scoort %(score)s van de 100 punten: %(band)s.") % {
            "score": overall.score, "band": self.overall_band_label.lower()}

    @property
    def cap_sentence(self) -> str:
        return self.result.cap_sentence

    # --- radar and bars ----------------------------------------------------------------------

    @cached_property
    def radar(self) -> RadarChart:
        return radar_chart(self.result)

    @property
    def radar_svg(self) -> str:
        """The chart, one template for the page (inline) and the report (as an image). The
        template autoescapes every text in it, so its output is safe to place as it is."""
        return mark_safe(render_to_string(RADAR_TEMPLATE,
                                          {"radar": self.radar, "alt": self.radar_alt}))

    @property
    def radar_legend(self) -> list[RadarLegendItem]:
        return [RadarLegendItem(p.number, p.title, self._score_text(p.score))
                for p in self.result.perspectives]

    @property
    def radar_alt(self) -> str:
        parts = [f"{item.number}. {item.title}: {item.score_text}" for item in self.radar_legend]
        return _("Radardiagram van de score per perspectief (0–100). ") + "; ".join(parts) + "."

    @property
    def process_bars(self) -> list[ProcessBar]:
        return [ProcessBar(p.title, p.score.score, self._score_text(p.score),
                           p.score.score or 0) for p in self.result.processes]

    # --- what to do --------------------------------------------------------------------------

    @property
    def unmet_minimums(self) -> list[MinimumRequirementView]:
        return self.result.unmet_minimums

    @property
    def unmet_minimums_title(self) -> str:
        count = len(self.unmet_minimums)
        return ngettext("Niet voldaan aan een minimumeis", "Niet voldaan aan %(n)s minimumeisen",
                        count) % {"n": count}

    @property
    def met_minimums_sentence(self) -> str:
        """That the legal and normative must-haves are in order, when they all are: without
        unmet minimums a summary said nothing of them at all."""
        met = self.result.met_minimums
        if not met:
            return ""
        # The answers say so, for the minimums Waardevol checks in this phase: not a finding of
        # compliance.
        return ngettext(
            "Volgens de antwoorden is voldaan aan de minimumeis van Waardevol die in deze fase "
            "voor dit project geldt (%(codes)s).",
            "Volgens de antwoorden is voldaan aan de %(n)s minimumeisen van Waardevol die in "
            "deze fase voor dit project gelden (%(codes)s).",
            len(met)) % {"n": len(met), "codes": ", ".join(q.code for q in met)}

    @property
    def no_instruments_sentence(self) -> str:
        """Why the list of follow-up instruments is empty, without claiming that none is needed
        (an idea-phase DPIA can be required and planned, not yet done)."""
        sentence = _("Op grond van de kenmerken, de fase en de antwoorden stelt Waardevol geen "
                     "vervolginstrumenten voor.")
        if self.result.missing:
            sentence += " " + _("Nog niet alle vragen zijn beantwoord.")
        return sentence

    @property
    def top_next_steps(self) -> list[NextStepView]:
        return self.result.top_next_steps

    @property
    def attention(self) -> list[PerspectiveSummary]:
        """The perspectives that need attention most (`AssessmentResult.needing_attention`),
        with their next steps."""
        return [PerspectiveSummary(p.number, p.title, self._score_text(p.score), p.next_steps,
                                   f"perspectief-{p.number}")
                for p in self.result.needing_attention]

    @property
    def instruments(self) -> list[InstrumentView]:
        return self.result.instruments

    # --- per process and perspective ---------------------------------------------------------

    @cached_property
    def perspective_cards(self) -> list[PerspectiveCard]:
        return [self._card(p) for p in self.result.perspectives]

    @property
    def perspective_cards_weakest_first(self) -> list[PerspectiveCard]:
        weakest = [p.number for p in self.result.weakest]
        cards = {card.number: card for card in self.perspective_cards}
        return [cards[n] for n in weakest] + [c for c in self.perspective_cards
                                              if c.number not in weakest]

    @property
    def process_sections(self) -> list[ProcessSection]:
        cards = {card.number: card for card in self.perspective_cards}
        return [ProcessSection(p.title, self._score_text(p.score),
                               [cards[view.number] for view in p.perspectives])
                for p in self.result.processes]

    def _card(self, perspective: PerspectiveView) -> PerspectiveCard:
        score = perspective.score
        remarks = []
        if score and score.unknown:
            remarks.append(ngettext("%(n)s keer ‘weet ik niet’", "%(n)s keer ‘weet ik niet’",
                                    score.unknown) % {"n": score.unknown})
        if score and score.capped:
            remarks.append(_("minimumeis %(codes)s niet gehaald") % {
                "codes": ", ".join(score.unmet)})
        return PerspectiveCard(
            number=perspective.number, title=perspective.title,
            anchor=f"perspectief-{perspective.number}", score_text=self._score_text(score),
            remarks=remarks, next_steps=perspective.next_steps,
            advice_html=perspective.advice_html,
            answers=[AnswerRow(q.code, q.text, q.answer_label,
                               getattr(q.answer, "note", "") or "", q.minimum_level is not None)
                     for q in perspective.questions],
            add_action_url=self.add_action_url(perspective.number),
            advice_note=self._advice_note(perspective),
        )

    @staticmethod
    def _advice_note(perspective: PerspectiveView) -> str:
        score = perspective.score
        if not score or score.uncapped_score is None or perspective.advice_band == perspective.band:
            return ""
        return ngettext(
            "Dit advies gaat uit van de andere antwoorden: zonder de niet gehaalde minimumeis "
            "(%(codes)s) zou dit perspectief %(score)s punten scoren. Die eis gaat voor.",
            "Dit advies gaat uit van de andere antwoorden: zonder de niet gehaalde minimumeisen "
            "(%(codes)s) zou dit perspectief %(score)s punten scoren. Die eisen gaan voor.",
            len(score.unmet)) % {"codes": ", ".join(score.unmet), "score": score.uncapped_score}

    def add_action_url(self, number: int) -> str:
        """Where "Actie toevoegen" beside a perspective leads; nowhere by default."""
        return ""

    @staticmethod
    def _score_text(score) -> str:
        if score is None or score.score is None:
            return _("niet beoordeeld")
        return f"{score.score} – {band_label(score.band).lower()}"


class ResultsPresenter(ResultSummary):
    def __init__(self, assessment: Assessment, result: AssessmentResult):
        self.assessment = assessment
        self.result = result
        self.project = assessment.project
        self.language = result.language

    @classmethod
    def for_assessment(cls, assessment: Assessment, *, language: str | None = None):
        """In `language` (the page's), or else in the assessment's own (the report's)."""
        language = language or assessment.language
        with translation.override(language):
            return cls(assessment, assessment_result(assessment, language=language))

    # --- status, people, dates -------------------------------------------------------------

    @property
    def is_concept(self) -> bool:
        return self.assessment.is_concept

    @property
    def is_completed(self) -> bool:
        return self.assessment.is_completed

    @property
    def frozen_cards_cache_key(self) -> str:
        """A completed assessment's per-perspective section (answers, notes, advice: two thirds
        of the page's rendering) never changes, so the page caches its HTML under this key; a
        concept's is rendered every time ("")."""
        if not self.is_completed:
            return ""
        return f"{self.assessment.pk}:{self.language}:{files_digest(CARDS_FILES)}"

    @property
    def status_sentence(self) -> str:
        if self.is_completed:
            return _("Afgerond op %(date)s door %(person)s.") % {
                "date": self.date_text, "person": self.completed_by}
        if self.is_concept:
            return _("Concept: deze beoordeling is nog niet afgerond; de scores zijn voorlopig.")
        return _("Vervangen concept: dit concept is niet afgerond en vervangen door een nieuwer "
                 "concept van hetzelfde project. Het blijft bewaard, maar kan niet meer worden "
                 "gewijzigd.")

    @property
    def date_text(self) -> str:
        """The date the result is from: its completion, or today for a concept."""
        return date_label(self.assessment.completed_at or timezone.now())

    @property
    def completed_by(self) -> str:
        return person_label(self.assessment.completed_by) or "–"

    @property
    def started_by(self) -> str:
        return person_label(self.assessment.started_by)

    def add_action_url(self, number: int) -> str:
        return (reverse("assessments:action_create", args=[self.assessment.pk])
                + f"?perspectief={number}")

    # --- the national benchmark (context as of today, not part of the frozen result) -------

    @cached_property
    def national_comparison(self) -> ProjectComparison:
        return ProjectComparison.for_result(self.result)

    # --- the action plan ---------------------------------------------------------------------

    @property
    def actions(self) -> list[ActionRow]:
        return [self._action_row(action) for action in self.result.actions]

    @property
    def open_actions(self) -> list[ActionRow]:
        return [row for row in self.actions if row.is_open]

    @cached_property
    def _perspective_titles(self) -> dict[int, str]:
        # The titles of the assessment's own content (a completed one keeps its snapshot's).
        return {p.number: p.title for p in self.result.perspectives}

    def _action_row(self, action: Action) -> ActionRow:
        number = action.perspective.number
        title = self._perspective_titles.get(number) or action.perspective.title
        return ActionRow(
            perspective_label=f"{number}. {title}",
            description=action.description, owner=action.owner,
            due_label=date_label(action.due_date) or "–",
            status_label=action.get_status_display(),
            is_open=action.status != ActionStatus.DONE,
            edit_url=reverse("assessments:action_edit", args=[action.pk]),
        )
