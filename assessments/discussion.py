"""The presenter of a rating round's discussion: per question the spread of the submitted scores,
who gave what with their notes, the assessment's answer now and the form to choose it; the
questions with the largest disagreement first (disagreement.py)."""

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import readmodel, selectors
from .disagreement import Spread, largest_disagreement_first, spread, token_of
from .forms import ChosenAnswerForm, QuestionBlock
from .labels import date_label, person_label
from .models import Answer, AnswerKind, Rating, RatingRound
from .readmodel import QuestionView

# Three levels apart, or a score beside "weet ik niet" or n.v.t.: worth the group's time first.
LARGE_DISAGREEMENT = 3


@dataclass
class RaterStatus:
    name: str
    status_label: str  # "ingediend op 3 maart 2027" / "nog niet ingediend"
    is_submitted: bool


@dataclass
class SpreadGroup:
    """One answer given, and by whom: "2× score 4: Bob, Dave", then the level's text."""

    answer: str  # "score 4", "weet ik niet", "niet van toepassing"
    description: str  # the level's text on the question's scale; "" for the other answers
    names: str
    count: int
    kind: str  # "score", "unknown" or "na", for the page's styling


@dataclass
class RaterNote:
    name: str
    answer: str  # short: "4", "weet ik niet", "n.v.t."
    text: str


@dataclass
class QuestionDiscussion:
    code: str
    text: str
    perspective_label: str
    anchor: str
    spread: Spread
    spread_label: str
    groups: list[SpreadGroup]
    notes: list[RaterNote]
    current_label: str
    form: ChosenAnswerForm | None
    block: QuestionBlock | None
    action_url: str
    conflict_label: str = ""
    has_answer: bool = False

    @property
    def disagrees(self) -> bool:
        return self.spread.disagreement > 0

    @property
    def settled(self) -> bool:
        """Everyone agreed and the assessment already has an answer: its form starts folded, so
        the group's time goes to the questions still open."""
        return (self.spread.unanimous and not self.conflict_label and self.form is not None
                and not self.form.is_bound and self.has_answer)

    @property
    def folded(self) -> bool:
        """Its form starts folded: settled, or nobody scored it (nothing to discuss; with every
        form open the page was 41,000 px tall and the few real differences got lost)."""
        return self.settled or (not self.spread.count and not self.conflict_label
                                and self.form is not None and not self.form.is_bound)


class DiscussionPresenter:
    """`bound` is a submitted (invalid or conflicting) choice form of one question, shown again
    instead of a fresh one; `conflict` the answer a colleague stored meanwhile."""

    def __init__(self, rating_round: RatingRound, *, can_choose: bool,
                 bound: ChosenAnswerForm | None = None, conflict: Answer | None = None):
        self.round = rating_round
        self.assessment = rating_round.assessment
        self.project = self.assessment.project
        self.can_choose = can_choose and self.assessment.is_concept
        self.raters = selectors.round_raters(rating_round=rating_round)
        self.result = readmodel.assessment_result(self.assessment)
        self._bound = bound
        self._conflict = conflict
        by_question: dict[int, list[Rating]] = {}
        for rating in selectors.submitted_ratings(rating_round=rating_round):
            by_question.setdefault(rating.question_id, []).append(rating)
        self._ratings = by_question
        self._names = {rater.pk: person_label(rater.user) for rater in self.raters}

    @property
    def rater_statuses(self) -> list[RaterStatus]:
        return [RaterStatus(
            name=self._names[rater.pk],
            status_label=(_("ingediend op %(date)s") % {"date": date_label(rater.submitted_at)}
                          if rater.is_submitted else _("nog niet ingediend")),
            is_submitted=rater.is_submitted) for rater in self.raters]

    @property
    def submitted_count(self) -> int:
        return sum(1 for rater in self.raters if rater.is_submitted)

    @property
    def progress_label(self) -> str:
        return ngettext("%(done)s van de %(total)s beoordelaars heeft ingediend.",
                        "%(done)s van de %(total)s beoordelaars hebben ingediend.",
                        self.submitted_count) % {"done": self.submitted_count,
                                                 "total": len(self.raters)}

    @property
    def status_label(self) -> str:
        if self.round.is_open:
            return _("De ronde loopt sinds %(date)s, gestart door %(person)s.") % {
                "date": date_label(self.round.started_at),
                "person": person_label(self.round.started_by)}
        return _("De ronde is gesloten op %(date)s.") % {"date": date_label(self.round.closed_at)}

    @property
    def can_close(self) -> bool:
        return self.can_choose and self.round.is_open

    @property
    def close_url(self) -> str:
        return reverse("assessments:round_close", args=[self.round.pk])

    @cached_property
    def questions(self) -> list[QuestionDiscussion]:
        """The applicable questions, the largest disagreement first; the ones nobody scored
        last, in the questionnaire's order."""
        items = [self._question(perspective, question)
                 for perspective in self.result.perspectives
                 for question in perspective.questions if question.applicable]
        rated = [item for item in items if item.spread.count]
        unrated = [item for item in items if not item.spread.count]
        order = largest_disagreement_first([item.spread for item in rated])
        return [rated[i] for i in order] + unrated

    @property
    def disagreement_count(self) -> int:
        return sum(1 for item in self.questions if item.disagrees)

    def _question(self, perspective, question: QuestionView) -> QuestionDiscussion:
        ratings = sorted(self._ratings.get(question.id, []),
                         key=lambda r: self._names.get(r.rater_id, ""))
        question_spread = spread(token_of(r.kind, r.score) for r in ratings)
        form = None
        conflict_label = ""
        if self.can_choose:
            if self._bound is not None and self._bound.question.id == question.id:
                form = self._bound
                if self._conflict is not None:
                    conflict_label = self._conflict_label(question, self._conflict)
            else:
                form = ChosenAnswerForm(question=question,
                                        suggested=_suggestion(question_spread, ratings))
        return QuestionDiscussion(
            code=question.code, text=question.text,
            perspective_label=f"{perspective.number}. {perspective.title}",
            anchor=f"vraag-{question.code}",
            spread=question_spread, spread_label=_spread_label(question_spread),
            groups=self._groups(question, ratings),
            notes=[RaterNote(self._names.get(r.rater_id, ""), _short(r),
                             "; ".join(t for t in (r.na_reason, r.note) if t))
                   for r in ratings if r.note or r.na_reason],
            current_label=question.answer_label if question.answer else _("nog geen antwoord"),
            form=form, block=form.block() if form else None,
            action_url=reverse("assessments:round_choose", args=[self.round.pk, question.id]),
            conflict_label=conflict_label, has_answer=question.answer is not None,
        )

    def _groups(self, question: QuestionView, ratings: list[Rating]) -> list[SpreadGroup]:
        groups: dict[object, list[str]] = {}
        for rating in ratings:
            groups.setdefault(token_of(rating.kind, rating.score), []).append(
                self._names.get(rating.rater_id, ""))
        result = []
        for level in range(len(question.scale)):
            if level in groups:
                result.append(SpreadGroup(_("score %(level)s") % {"level": level},
                                          question.scale[level], ", ".join(groups[level]),
                                          len(groups[level]), "score"))
        for kind, label in ((AnswerKind.UNKNOWN, _("weet ik niet")),
                            (AnswerKind.NOT_APPLICABLE, _("niet van toepassing"))):
            if kind.value in groups:
                names = groups[kind.value]
                result.append(SpreadGroup(label, "", ", ".join(names), len(names), kind.value))
        return result

    @staticmethod
    def _conflict_label(question: QuestionView, stored: Answer | None) -> str:
        shown = QuestionView(**{**question.__dict__, "answer": stored})
        who = person_label(stored.updated_by) if stored and stored.updated_by else _("een collega")
        return _("%(person)s heeft het antwoord intussen vastgelegd als: %(answer)s. Kies opnieuw "
                 "en leg het vast om dat te vervangen.") % {"person": who,
                                                          "answer": shown.answer_label}


def _short(rating: Rating) -> str:
    if rating.kind == AnswerKind.SCORE:
        return str(rating.score)
    return _("weet ik niet") if rating.kind == AnswerKind.UNKNOWN else _("n.v.t.")


def _spread_label(value: Spread) -> str:
    if not value.count:
        return _("Niemand heeft deze vraag gescoord.")
    if value.count == 1:
        # One score agrees with nothing: "eensgezind" would read as the group's consensus.
        only = (str(value.lowest) if value.scores
                else _("weet ik niet") if value.unknown else _("niet van toepassing"))
        return _("Eén beoordelaar heeft deze vraag gescoord: %(answer)s.") % {"answer": only}
    parts = []
    if value.scores:
        if value.lowest == value.highest:
            parts.append(_("alle scores %(level)s") % {"level": value.lowest})
        else:
            parts.append(_("scores van %(low)s tot %(high)s") % {"low": value.lowest,
                                                                 "high": value.highest})
    if value.unknown:
        parts.append(ngettext("%(n)s keer weet ik niet", "%(n)s keer weet ik niet",
                              value.unknown) % {"n": value.unknown})
    if value.not_applicable:
        parts.append(ngettext("%(n)s keer niet van toepassing", "%(n)s keer niet van toepassing",
                              value.not_applicable) % {"n": value.not_applicable})
    text = "; ".join(parts)
    text = text[:1].upper() + text[1:]
    if value.unanimous:
        return _("%(spread)s: eensgezind.") % {"spread": text}
    if value.disagreement >= LARGE_DISAGREEMENT:
        return _("%(spread)s: grote verschillen.") % {"spread": text}
    return _("%(spread)s: enig verschil.") % {"spread": text}


def _suggestion(value: Spread, ratings: list[Rating]) -> str | None:
    """What every rater gave, when they agree: the choice offered while there is no answer."""
    if not value.unanimous or not ratings:
        return None
    first = ratings[0]
    return str(first.score) if first.kind == AnswerKind.SCORE else first.kind
