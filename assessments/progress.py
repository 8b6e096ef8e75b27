"""Progress over time: two completed assessments of one project side by side.

One presenter for the comparison page and for the report's section "Ontwikkeling sinds de vorige
beoordeling", so the two never word a change differently. Both assessments are read from what
they froze at completion (their result and their content snapshot); questions are matched on
their code, which stays the same across publications for as long as the question is asked.
"""

from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .labels import band_label, date_label, moment_label, shared_dates
from .models import Action, AnswerKind, Assessment
from .radar import RadarChart, radar_chart
from .readmodel import PerspectiveView, QuestionView, assessment_result
from .results import RADAR_TEMPLATE, ResultsPresenter
from .selectors import actions_completed_between


@dataclass
class PerspectiveChange:
    number: int
    title: str
    older_text: str  # "45 – in ontwikkeling", or "niet beoordeeld"
    newer_text: str
    change_text: str  # "12 punten hoger; van ‘in ontwikkeling’ naar ‘op orde’"


@dataclass
class AnswerChange:
    code: str
    question: str
    older_answer: str
    older_note: str
    newer_answer: str
    newer_note: str
    # The compact forms for the report: the question's short name, the level in a word or two.
    short_question: str = ""
    older_level: str = ""
    newer_level: str = ""


@dataclass
class NotComparable:
    label: str  # "1.9 Question text", or "Perspectief 3. Title"
    reason: str


@dataclass
class CompletedAction:
    description: str
    perspective_label: str
    owner: str
    done_label: str  # the date it was last changed, when it was marked done at the latest


class ComparisonPresenter:
    """An earlier and a later completed assessment of the same project (given in either order)."""

    def __init__(self, older: ResultsPresenter, newer: ResultsPresenter, actions: list[Action]):
        self.older = older
        self.newer = newer
        self.project = newer.project
        self._actions = actions

    @classmethod
    def for_assessments(cls, first: Assessment, second: Assessment, *,
                        language: str) -> "ComparisonPresenter":
        older, newer = sorted((first, second), key=lambda a: (a.completed_at, a.pk))
        with translation.override(language):
            presenters = [ResultsPresenter(a, assessment_result(a, language=language))
                          for a in (older, newer)]
        actions = actions_completed_between(project=newer.project, start=older.completed_at,
                                            end=newer.completed_at)
        return cls(*presenters, actions)

    # --- which two ---------------------------------------------------------------------------

    @cached_property
    def older_date(self) -> str:
        return self._moment(self.older.assessment)

    @cached_property
    def newer_date(self) -> str:
        return self._moment(self.newer.assessment)

    def _moment(self, assessment: Assessment) -> str:
        """The completion date; with the time when both were completed on the same day."""
        return moment_label(assessment.completed_at, shared_dates(
            [self.older.assessment.completed_at, self.newer.assessment.completed_at]))

    @property
    def title(self) -> str:
        return _("Beoordelingen van %(older)s en %(newer)s vergeleken") % {
            "older": self.older_date, "newer": self.newer_date}

    @property
    def overall_sentence(self) -> str:
        older, newer = self.older.overall_score, self.newer.overall_score
        if older is None or newer is None:
            return _("De totaalscores zijn niet te vergelijken: een van de twee beoordelingen "
                     "heeft er geen.")
        sentence = _("De totaalscore ging van %(older)s op %(older_date)s naar %(newer)s op "
                     "%(newer_date)s: %(change)s.") % {
            "older": self.older._score_text(self.older.result.scores.overall),
            "newer": self.newer._score_text(self.newer.result.scores.overall),
            "older_date": self.older_date, "newer_date": self.newer_date,
            "change": _change_words(older, newer)}
        uncapped = _uncapped_change(self.older.result.scores.overall,
                                    self.newer.result.scores.overall)
        if uncapped:
            # A capped score can stand still while the answers, or a legal minimum, got
            # better: "gelijk gebleven" alone would tell an alderman nothing happened.
            sentence += " " + _("Zonder de begrenzing door minimumeisen: %(change)s.") % {
                "change": uncapped}
        return sentence

    @cached_property
    def minimums_sentence(self) -> str:
        """Which minimum requirements were met since, which not yet, which are new (nothing
        when neither assessment missed one)."""
        older = self.older.result.scores.overall.unmet
        newer = self.newer.result.scores.overall.unmet
        if not older and not newer:
            return ""
        parts = [_("Minimumeisen niet gehaald: %(older)s op %(older_date)s, %(newer)s op "
                   "%(newer_date)s.") % {"older": len(older), "newer": len(newer),
                                         "older_date": self.older_date,
                                         "newer_date": self.newer_date}]
        older_questions, newer_questions = self._questions
        met = [code for code in older if code not in newer and code in newer_questions
               and newer_questions[code].applicable]
        gone = [code for code in older if code not in newer and code not in met]
        for codes, words in (
                (met, _("Nu gehaald: %(names)s.")),
                (gone, _("Niet meer van toepassing: %(names)s.")),
                ([code for code in newer if code in older], _("Nog niet gehaald: %(names)s.")),
                ([code for code in newer if code not in older],
                 _("Niet meer gehaald of nieuw: %(names)s."))):
            if codes:
                parts.append(words % {"names": "; ".join(
                    _question_name(newer_questions.get(code) or older_questions[code])
                    for code in codes)})
        return " ".join(parts)

    @property
    def publications_differ(self) -> bool:
        return self.older.content_version != self.newer.content_version

    @property
    def publication_sentence(self) -> str:
        """Which content each was judged on, when that differs (else nothing to say)."""
        if not self.publications_differ:
            return ""
        return _("De twee beoordelingen zijn gedaan met verschillende versies van de vragen: "
                 "die van %(older_date)s met %(older)s, die van %(newer_date)s met %(newer)s. "
                 "Vragen worden vergeleken op hun nummer, waar ze in beide voorkomen; wat niet "
                 "te vergelijken is, staat onder ‘Niet te vergelijken’.") % {
            "older_date": self.older_date, "older": self.older.content_version,
            "newer_date": self.newer_date, "newer": self.newer.content_version}

    # --- the radar of both -------------------------------------------------------------------

    @cached_property
    def radar(self) -> RadarChart:
        return radar_chart(self.newer.result, previous=self.older.result, labels=(
            _("Eerder: %(date)s") % {"date": self.older_date},
            _("Later: %(date)s") % {"date": self.newer_date}))

    @property
    def radar_alt(self) -> str:
        parts = [f"{row.number}. {row.title}: {row.older_text} → {row.newer_text}"
                 for row in self.perspective_changes]
        return _("Radardiagram van de score per perspectief (0–100) van de beoordeling van "
                 "%(older)s (gestreepte lijn) en die van %(newer)s (doorgetrokken lijn). ") % {
            "older": self.older_date, "newer": self.newer_date} + "; ".join(parts) + "."

    @property
    def radar_svg(self) -> str:
        """The shared radar template, which autoescapes every text in it."""
        return mark_safe(render_to_string(RADAR_TEMPLATE,
                                          {"radar": self.radar, "alt": self.radar_alt}))

    # --- per perspective ---------------------------------------------------------------------

    @cached_property
    def _older_perspectives(self) -> dict[int, PerspectiveView]:
        return {p.number: p for p in self.older.result.perspectives}

    @cached_property
    def perspective_changes(self) -> list[PerspectiveChange]:
        rows = []
        for newer in self.newer.result.perspectives:
            older = self._older_perspectives.get(newer.number)
            older_score = older.score if older else None
            old, new = _score(older_score), _score(newer.score)
            if old is None or new is None:
                change = _("niet te vergelijken")
            else:
                change = _change_words(old, new)
                if older_score.band != newer.score.band:
                    change += "; " + _("van ‘%(older)s’ naar ‘%(newer)s’") % {
                        "older": band_label(older_score.band).lower(),
                        "newer": band_label(newer.score.band).lower()}
                uncapped = _uncapped_change(older_score, newer.score)
                if uncapped:
                    change += "; " + _("zonder begrenzing: %(change)s") % {"change": uncapped}
            rows.append(PerspectiveChange(
                newer.number, newer.title, ResultsPresenter._score_text(older_score),
                ResultsPresenter._score_text(newer.score), change))
        return rows

    # --- per question ------------------------------------------------------------------------

    @cached_property
    def _questions(self) -> tuple[dict[str, QuestionView], dict[str, QuestionView]]:
        return ({q.code: q for q in self.older.result.questions},
                {q.code: q for q in self.newer.result.questions})

    @cached_property
    def changed_answers(self) -> list[AnswerChange]:
        """The questions asked in both whose answer differs (a changed note alone is no change
        of answer), in the order of the later questionnaire."""
        older, newer = self._questions
        return [
            AnswerChange(code, question.text, older[code].answer_label, _note(older[code]),
                         question.answer_label, _note(question), question.short_name,
                         _level(older[code]), _level(question))
            for code, question in newer.items()
            if code in older and _answer_key(older[code]) != _answer_key(question)
        ]

    @cached_property
    def not_comparable(self) -> list[NotComparable]:
        """Questions asked in only one of the two, and perspectives assessed in only one (or
        neither), each with why."""
        older, newer = self._questions
        items = []
        for number, view in ((p.number, p) for p in self.newer.result.perspectives):
            earlier = self._older_perspectives.get(number)
            old, new = _score(earlier.score if earlier else None), _score(view.score)
            if old is not None and new is not None:
                continue
            if old is None and new is None:
                reason = _("in geen van beide beoordelingen beoordeeld; geen van de vragen was "
                           "van toepassing")
            else:
                reason = _("perspectief niet beoordeeld op %(date)s; geen van de vragen was van "
                           "toepassing") % {
                    "date": self.older_date if old is None else self.newer_date}
            items.append(NotComparable(
                _("Perspectief %(number)s. %(title)s") % {"number": number, "title": view.title},
                reason))
        for code, question in newer.items():
            if code not in older:
                items.append(NotComparable(f"{code} {question.text}", _(
                    "nieuwe vraag; in de beoordeling van %(date)s (%(version)s) werd die nog "
                    "niet gesteld") % {"date": self.older_date,
                                        "version": self.older.content_version}))
        for code, question in older.items():
            if code not in newer:
                items.append(NotComparable(f"{code} {question.text}", _(
                    "vraag wordt niet meer gesteld; de beoordeling van %(date)s (%(version)s) "
                    "kent die niet") % {"date": self.newer_date,
                                         "version": self.newer.content_version}))
        return items

    # --- what was done in between ------------------------------------------------------------

    @property
    def completed_actions(self) -> list[CompletedAction]:
        titles = {p.number: p.title for p in self.newer.result.perspectives}
        return [CompletedAction(
            action.description,
            f"{action.perspective.number}. "
            f"{titles.get(action.perspective.number) or action.perspective.title}",
            action.owner, date_label(action.updated_at))
            for action in self._actions]

    @property
    def completed_actions_sentence(self) -> str:
        count = len(self._actions)
        if not count:
            return _("Tussen de twee beoordelingen is geen verbeteractie als gereed gemeld.")
        return ngettext(
            "Tussen de twee beoordelingen is %(n)s verbeteractie als gereed gemeld.",
            "Tussen de twee beoordelingen zijn %(n)s verbeteracties als gereed gemeld.",
            count) % {"n": count}


def _score(score) -> int | None:
    return score.score if score is not None else None


def _change_words(older: int, newer: int) -> str:
    delta = newer - older
    if delta > 0:
        return ngettext("%(n)s punt hoger", "%(n)s punten hoger", delta) % {"n": delta}
    if delta < 0:
        return ngettext("%(n)s punt lager", "%(n)s punten lager", -delta) % {"n": -delta}
    return _("gelijk gebleven")


def _uncapped_change(older, newer) -> str:
    """"55 → 59, 4 punten hoger" when a minimum capped either score and the scores without the
    cap moved another way than the shown ones (the same way, it would only repeat them)."""
    if not (older.unmet or newer.unmet):
        return ""
    before, after = older.uncapped_score, newer.uncapped_score
    if None in (before, after, older.score, newer.score):
        return ""

    def sign(delta: int) -> int:
        return (delta > 0) - (delta < 0)

    if sign(after - before) == sign(newer.score - older.score):
        return ""
    return f"{before} → {after}, {_change_words(before, after)}"


def _question_name(question: QuestionView) -> str:
    return f"{question.code} {question.short_name or question.text}"


def _answer_key(question: QuestionView) -> tuple:
    """What an answer is, apart from its note and from how the scale is worded this time."""
    answer = question.answer
    if not question.applicable:
        return (False,)
    if answer is None:
        return (True, None)
    return (True, answer.kind, answer.score, (answer.na_reason or "").strip())


def _level(question: QuestionView) -> str:
    answer = question.answer
    if not question.applicable or (answer is not None and answer.kind == AnswerKind.NOT_APPLICABLE):
        return _("niet van toepassing")
    if answer is None:
        return "–"
    if answer.kind == AnswerKind.UNKNOWN:
        return _("weet ik niet")
    return _("niveau %(level)s") % {"level": answer.score}


def _note(question: QuestionView) -> str:
    return (getattr(question.answer, "note", "") or "") if question.applicable else ""
