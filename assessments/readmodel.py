"""The read model of one assessment: its content, answers and evaluation, question by question and
perspective by perspective, as the wizard, the results page and the report read it.

A completed assessment is read from what it stored at completion: its frozen content snapshot and
its frozen result (`Assessment.result`, a `scoring.Evaluation`). Only a concept is scored live,
against the current content, so a later change of the content or of the scoring rules never
changes a completed assessment.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from perspectives.markdown import render_markdown
from perspectives.models import Band, BasisKind, StepRole, characteristic_label

from . import scoring
from .labels import band_label, not_applicable_reason, phase_label, score_label, translated
from .models import Action, ActionStatus, Answer, AnswerKind, Assessment
from .selectors import assessment_content, evaluate_live

TOP_NEXT_STEPS = 5



@dataclass(frozen=True)
class PublicationView:
    """Which publication of the content an assessment was judged on (number and date)."""

    number: int
    published_at: datetime  # aware; show it with Django's date filter (local time)

    @classmethod
    def of(cls, content: dict) -> "PublicationView | None":
        """None for content frozen before publications existed."""
        data = content.get("publication")
        if not data:
            return None
        return cls(data["number"], datetime.fromisoformat(data["published_at"]))


@dataclass
class QuestionView:
    id: int
    code: str
    text: str
    help_text: str
    scale: list[str]
    weight: int
    applicable: bool
    not_applicable_reason: str
    answer: Answer | scoring.AnswerData | None  # the stored answer; frozen values once completed
    outcome: scoring.QuestionOutcome | None = None
    minimum_level: int | None = None
    short_name: str = ""

    @property
    def is_answered(self) -> bool:
        if not self.applicable:
            return True
        if self.answer is None:
            return False
        return self.answer.kind != AnswerKind.NOT_APPLICABLE or bool(self.answer.na_reason)

    @property
    def meets_minimum(self) -> bool:
        """An applicable minimum requirement answered at or above its level."""
        return (self.applicable and self.minimum_level is not None and self.answer is not None
                and self.answer.kind == AnswerKind.SCORE and self.answer.score is not None
                and self.answer.score >= self.minimum_level)

    @property
    def is_unknown(self) -> bool:
        return self.applicable and self.answer is not None and self.answer.kind == AnswerKind.UNKNOWN

    @property
    def is_adopted(self) -> bool:
        """Copied from a published example and not yet confirmed or changed by the user."""
        return self.applicable and bool(getattr(self.answer, "adopted_from_example", False))

    @property
    def is_unmet_minimum(self) -> bool:
        return bool(self.outcome and self.outcome.unmet)

    @property
    def answer_label(self) -> str:
        if not self.applicable:
            return _("Niet van toepassing") + f" ({self.not_applicable_reason})"
        if self.answer is None:
            return _("Niet beantwoord")
        if self.answer.kind == AnswerKind.SCORE:
            return f"{self.answer.score} – {self.scale[self.answer.score]}"
        if self.answer.kind == AnswerKind.UNKNOWN:
            return _("Weet ik niet")
        return _("Niet van toepassing") + (f": {self.answer.na_reason}" if self.answer.na_reason else "")


@dataclass
class MinimumRequirementView:
    """An applicable minimum requirement that the answer does not meet."""

    code: str
    question: str
    short_name: str
    perspective_number: int
    perspective_title: str
    step: int  # the wizard step that asks it
    answer_label: str
    required_label: str  # "ten minste niveau 3: …"
    basis: str
    basis_kind_label: str
    action: str


@dataclass
class NextStepView:
    code: str
    question: str
    short_name: str
    perspective_number: int
    perspective_title: str
    level_label: str  # what the answer was: "niveau 0" or "weet ik niet"
    text: str
    role_label: str
    is_minimum: bool


@dataclass
class InstrumentView:
    code: str
    name: str
    purpose: str
    applies: str
    legal_basis: str
    url: str
    reasons: list[str]


@dataclass
class PerspectiveView:
    number: int
    step: int
    process_code: str
    process_title: str
    title: str
    summary: str
    explanation: str
    public_values: list[str]
    questions: list[QuestionView]
    advice: dict[str, str]
    score: scoring.PerspectiveScore | None = None
    actions: list[Action] = field(default_factory=list)
    next_steps: list[NextStepView] = field(default_factory=list)
    unmet_minimums: list[MinimumRequirementView] = field(default_factory=list)

    @property
    def band(self) -> str | None:
        return self.score.band if self.score else None

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    @property
    def score_label(self) -> str:
        return score_label(self.score.score if self.score else None)

    @property
    def advice_band(self) -> str | None:
        """The band whose advice fits the answers. A perspective capped by an unmet minimum was
        given the advice for weak answers ("breng de keten in kaart") above answers of 4: it
        gets the advice of its band before the cap, but never that of 'op orde' while a minimum
        is unmet. Results stored before the band before the cap was keep their band's advice."""
        score = self.score
        if score is None or not score.uncapped_band:
            return self.band
        if score.uncapped_band == Band.IN_ORDER:
            return Band.DEVELOPING.value
        return score.uncapped_band

    @property
    def advice_text(self) -> str:
        return self.advice.get(self.advice_band, "") if self.advice_band else ""

    @property
    def advice_html(self) -> str:
        return render_markdown(self.advice_text)

    @property
    def adopted(self) -> list[QuestionView]:
        return [q for q in self.questions if q.is_adopted]

    @property
    def applicable_count(self) -> int:
        return sum(1 for q in self.questions if q.applicable)

    @property
    def answered_count(self) -> int:
        return sum(1 for q in self.questions if q.applicable and q.is_answered)


@dataclass
class ProcessView:
    code: str
    title: str
    perspectives: list[PerspectiveView]
    score: scoring.AggregateScore

    @property
    def band_label(self) -> str:
        return band_label(self.score.band)


@dataclass
class AssessmentResult:
    assessment: Assessment | None  # None for a published example's frozen copy
    language: str
    revision: str
    characteristics: list[str]
    processes: list[ProcessView]
    perspectives: list[PerspectiveView]
    scores: scoring.AssessmentScores
    actions: list[Action]
    evaluation: scoring.Evaluation | None = None
    phase: str = ""
    unmet_minimums: list[MinimumRequirementView] = field(default_factory=list)
    next_steps: list[NextStepView] = field(default_factory=list)
    instruments: list[InstrumentView] = field(default_factory=list)
    # A concept's answers to questions the current release retired: kept, but not counted.
    retired_answers: int = 0
    # The publication of the content: the latest for a concept, the frozen one once completed.
    publication: PublicationView | None = None

    @property
    def overall_band_label(self) -> str:
        return band_label(self.scores.overall.band)

    @property
    def phase_label(self) -> str:
        return phase_label(self.phase)

    @property
    def cap_sentence(self) -> str:
        """Why the overall score is lower than the answers alone would give, if it is."""
        overall = self.scores.overall
        if not overall.capped or overall.score is None or overall.uncapped_score is None \
                or overall.uncapped_score <= overall.score:
            return ""
        count = len(self.unmet_minimums)
        return ngettext(
            "Het project voldoet niet aan %(count)s minimumeis. Daarom is de score begrensd op "
            "‘aandacht nodig’; zonder die begrenzing zou het %(uncapped)s zijn.",
            "Het project voldoet niet aan %(count)s minimumeisen. Daarom is de score begrensd op "
            "‘aandacht nodig’; zonder die begrenzing zou het %(uncapped)s zijn.",
            count,
        ) % {"count": count, "uncapped": overall.uncapped_score}

    @property
    def characteristic_labels(self) -> list[str]:
        return [characteristic_label(code) for code in self.characteristics]

    @property
    def top_next_steps(self) -> list[NextStepView]:
        """The most important next steps besides the unmet minimums (which a summary lists with
        what to do already): the lowest answers of the heaviest questions first."""
        return [step for step in self.next_steps if not step.is_minimum][:TOP_NEXT_STEPS]

    @property
    def questions(self) -> list[QuestionView]:
        return [q for p in self.perspectives for q in p.questions]

    @property
    def met_minimums(self) -> list[QuestionView]:
        """Every minimum requirement that applies, when each one is met; else none (one unmet,
        or in a concept one not answered yet, and nothing can be said of them all)."""
        if self.version < 3:  # a result stored earlier did not say it
            return []
        minimums = [q for q in self.questions if q.applicable and q.minimum_level is not None]
        return minimums if all(q.meets_minimum for q in minimums) else []

    @property
    def missing(self) -> list[QuestionView]:
        return [q for q in self.questions if not q.is_answered]

    @property
    def adopted(self) -> list[QuestionView]:
        """Answers copied from a published example that nobody confirmed or changed yet."""
        return [q for q in self.questions if q.is_adopted]

    @property
    def unknown(self) -> list[QuestionView]:
        return [q for q in self.questions if q.is_unknown]

    @property
    def weakest(self) -> list[PerspectiveView]:
        """The three assessed perspectives that need attention most, lowest score first."""
        return self._assessed_lowest_first[:3]

    @property
    def _assessed_lowest_first(self) -> list[PerspectiveView]:
        assessed = [p for p in self.perspectives if p.score and p.score.assessed]
        return sorted(assessed, key=lambda p: (p.score.exact, p.number))

    @property
    def version(self) -> int:
        """The version of the rules the result was stored under (`scoring.RESULT_VERSION`); a
        concept is evaluated under today's."""
        return self.evaluation.version if self.evaluation else scoring.RESULT_VERSION

    @property
    def needing_attention(self) -> list[PerspectiveView]:
        """The three perspectives that need attention most, lowest score first. One that is in
        order counts only while an answer in it still calls for a next step (a 0, a 1 or "weet
        ik niet"): a summary said that no perspective needed urgent attention above a missing
        register entry and a missing fundamental-rights assessment, both answered 0 in
        perspectives that scored well on the rest."""
        steps_count = self.version >= 3  # a result stored earlier lists as it did then
        return [p for p in self._assessed_lowest_first
                if p.band != Band.IN_ORDER or (steps_count and p.next_steps)][:3]

    @property
    def perspectives_weakest_first(self) -> list[PerspectiveView]:
        weakest = self.weakest
        return weakest + [p for p in self.perspectives if p not in weakest]

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if a.status != ActionStatus.DONE]


def assessment_result(assessment: Assessment, *, language: str | None = None,
                      answers: dict[int, object] | None = None) -> AssessmentResult:
    """Everything about one assessment; a fixed number of queries whatever its size.

    `answers` (by question id) stands in for a concept's own answers: a rater's scores, so that
    their questionnaire shows and counts their answers and nobody else's.
    """
    content, characteristics, phase = assessment_content(assessment)
    language = language or get_language() or "nl"
    frozen = assessment.is_completed and bool(assessment.result)
    rows: dict[int, Answer] = {}
    if frozen:
        evaluation = scoring.Evaluation.from_json(assessment.result)
    else:
        rows = answers if answers is not None else {
            a.question_id: a for a in assessment.answers.select_related("updated_by")}
        evaluation = evaluate_live(content, characteristics, phase, rows)
    actions = list(assessment.actions.select_related("perspective"))
    return _result(assessment, content, characteristics, phase, evaluation, rows, actions,
                   frozen=frozen, language=language)


def frozen_result(*, content: dict, characteristics: list[str], phase: str,
                  evaluation: scoring.Evaluation, language: str) -> AssessmentResult:
    """A frozen result read without its assessment (a published example's copy): no answer
    rows, no actions, no people; no database query."""
    return _result(None, content, characteristics, phase, evaluation, {}, [], frozen=True,
                   language=language)


def _result(assessment: Assessment | None, content: dict, characteristics: list[str], phase: str,
            evaluation: scoring.Evaluation, rows: dict[int, Answer], actions: list[Action], *,
            frozen: bool, language: str) -> AssessmentResult:
    actions_by_perspective: dict[int, list[Action]] = {}
    for action in actions:
        actions_by_perspective.setdefault(action.perspective.number, []).append(action)

    processes: list[ProcessView] = []
    perspectives: list[PerspectiveView] = []
    questions_by_code: dict[str, tuple[dict, PerspectiveView, QuestionView]] = {}
    for process in content["processes"]:
        views = []
        for data in process["perspectives"]:
            view = PerspectiveView(
                number=data["number"], step=len(perspectives) + 1, process_code=process["code"],
                process_title=translated(process["title"], language),
                title=translated(data["title"], language),
                summary=translated(data["summary"], language),
                explanation=translated(data["explanation"], language),
                public_values=[translated(v, language) for v in data["public_values"]],
                questions=[],
                advice={band: translated(t, language) for band, t in data["advice"].items()},
                score=evaluation.perspectives.get(data["number"]),
                actions=actions_by_perspective.get(data["number"], []),
            )
            for q in data["questions"]:
                outcome = evaluation.questions.get(q["code"]) or scoring.QuestionOutcome(
                    True, None, None)
                if frozen:
                    answer = outcome.answer
                else:
                    answer = rows.get(q["id"])
                question = QuestionView(
                    id=q["id"], code=q["code"], text=translated(q["text"], language),
                    help_text=translated(q["help_text"], language),
                    scale=[translated(label, language) for label in q["scale"]],
                    weight=q["weight"], applicable=outcome.applicable,
                    not_applicable_reason=not_applicable_reason(outcome.reason),
                    answer=answer, outcome=outcome,
                    minimum_level=(q.get("minimum") or {}).get("level"),
                    short_name=translated(q.get("short_name"), language)
                    or translated(q["text"], language),
                )
                view.questions.append(question)
                questions_by_code[q["code"]] = (q, view, question)
            views.append(view)
            perspectives.append(view)
        processes.append(ProcessView(
            process["code"], translated(process["title"], language), views,
            evaluation.processes.get(process["code"], scoring.AggregateScore(None, None, 0)),
        ))

    unmet = [_minimum_view(*questions_by_code[code], language)
             for code in evaluation.unmet if code in questions_by_code]
    for item in unmet:
        questions_by_code[item.code][1].unmet_minimums.append(item)
    steps = [_next_step_view(*questions_by_code[step.code], step, language)
             for step in evaluation.next_steps if step.code in questions_by_code]
    for step in steps:
        questions_by_code[step.code][1].next_steps.append(step)
    instruments_by_code = {i["code"]: i for i in content.get("instruments") or []}
    instruments = [
        _instrument_view(instruments_by_code[item.code], item, questions_by_code, language)
        for item in evaluation.instruments if item.code in instruments_by_code
    ]
    scores = scoring.AssessmentScores(evaluation.perspectives, evaluation.processes,
                                      evaluation.overall)
    asked = {view.id for _data, _perspective, view in questions_by_code.values()}
    return AssessmentResult(
        assessment=assessment, language=language, revision=content.get("revision", ""),
        characteristics=list(characteristics), processes=processes, perspectives=perspectives,
        scores=scores, actions=actions, evaluation=evaluation, phase=phase,
        unmet_minimums=unmet, next_steps=steps, instruments=instruments,
        retired_answers=sum(1 for question_id in rows if question_id not in asked),
        publication=PublicationView.of(content),
    )


def _minimum_view(data: dict, perspective: PerspectiveView, question: QuestionView,
                  language: str) -> MinimumRequirementView:
    minimum = data.get("minimum") or {}
    level = minimum.get("level", 0)
    kind = minimum.get("basis_kind", "")
    return MinimumRequirementView(
        code=question.code, question=question.text, short_name=question.short_name,
        perspective_number=perspective.number, perspective_title=perspective.title,
        step=perspective.step, answer_label=question.answer_label,
        required_label=_("ten minste niveau %(level)s: %(label)s") % {
            "level": level, "label": question.scale[level] if level < len(question.scale) else ""},
        basis=translated(minimum.get("basis"), language),
        basis_kind_label=str(BasisKind(kind).label) if kind in BasisKind.values else "",
        action=translated(minimum.get("action"), language),
    )


def _next_step_view(data: dict, perspective: PerspectiveView, question: QuestionView,
                    step: scoring.NextStep, language: str) -> NextStepView:
    content = (data.get("next_steps") or {}).get(str(step.level)) or {}
    role = content.get("role", "")
    is_unknown = question.answer is not None and question.answer.kind == AnswerKind.UNKNOWN
    return NextStepView(
        code=question.code, question=question.text, short_name=question.short_name,
        perspective_number=perspective.number, perspective_title=perspective.title,
        level_label=_("weet ik niet") if is_unknown else _("niveau %(level)s") % {
            "level": step.level},
        text=translated(content.get("text"), language),
        role_label=str(StepRole(role).label) if role in StepRole.values else "",
        is_minimum=step.minimum,
    )


def _instrument_view(data: dict, item: scoring.SuggestedInstrument,
                     questions_by_code: dict, language: str) -> InstrumentView:
    reasons = []
    if item.characteristics:
        # The labels as the project page writes them ("Gebruikt AI", not "gebruikt ai").
        reasons.append(ngettext("Het project heeft het kenmerk %(characteristics)s.",
                                "Het project heeft de kenmerken %(characteristics)s.",
                                len(item.characteristics)) % {
            "characteristics": ", ".join(f"‘{characteristic_label(c)}’"
                                         for c in item.characteristics)})
    for code, level in item.questions:
        if level == scoring.UNKNOWN:
            answer = _("weet ik niet")
        elif level == scoring.NOT_APPLICABLE:
            answer = _("niet van toepassing")
        else:
            answer = _("niveau %(level)s") % {"level": level}
        reasons.append(_("Vraag %(code)s (%(question)s) is beantwoord met %(answer)s.") % {
            "code": code, "answer": answer, "question": questions_by_code[code][2].short_name})
    return InstrumentView(
        code=data["code"], name=translated(data.get("name"), language),
        purpose=translated(data.get("purpose"), language),
        applies=translated(data.get("applies"), language),
        legal_basis=translated(data.get("legal_basis"), language), url=data.get("url", ""),
        reasons=reasons,
    )
