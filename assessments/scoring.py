"""The rules of judgement: pure functions on plain values. No database, no Django.

Scores. A perspective's score is the weighted mean of its answered questions on the 0-4 scale,
expressed as 0-100. "Weet ik niet" counts as 0 and is flagged; "niet van toepassing" (or a question
that does not apply to the project) is left out; unanswered questions are left out. A perspective
with nothing to score is "niet beoordeeld" (score None) and is left out of process and overall
scores. Process score = mean of its assessed perspectives; overall = mean of all assessed
perspectives.

Minimum requirements. A question can be a minimum requirement with a threshold level. When it
applies and is answered below that level or with "weet ik niet", it is unmet: its perspective is
capped at the top of "aandacht nodig" (39), and so are its process and the overall score, because
a project that misses a legal or normative minimum is not in order, whatever else it does well.
Capping only ever lowers a score.

Applicability. A question applies when the project has all the characteristics it lists and is in
one of the phases it lists (an empty list means: always).

`evaluate()` puts this together for a whole assessment and returns an `Evaluation`, which
completion stores as JSON (`to_json`) and completed assessments read back (`from_json`), so that
a later change of these rules never changes a completed result.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean
from typing import Any

MAX_LEVEL = 4
SCORE = "score"
UNKNOWN = "unknown"
NOT_APPLICABLE = "na"

ATTENTION = "aandacht"
DEVELOPING = "ontwikkeling"
IN_ORDER = "op_orde"
DEVELOPING_FROM = 40
IN_ORDER_FROM = 70
# An unmet minimum requirement caps a score at the top of "aandacht nodig".
MINIMUM_CAP = DEVELOPING_FROM - 1
# Levels 0 and 1 can carry a next step; "weet ik niet" gets the step of level 0.
NEXT_STEP_LEVELS = (0, 1)
# An instrument is suggested while a question linked to it is answered below this level.
INSTRUMENT_DONE_FROM = 3

REASON_CHARACTERISTIC = "characteristic"
REASON_PHASE = "phase"
# What a stored result holds and how it is read. 3 (2026-11): each perspective's band before
# the cap; a result of 3 or later also lists an 'op orde' perspective with a weak answer among
# those needing attention and says when every minimum is met. A result keeps its version, so an
# assessment completed under older rules reads as it did then.
RESULT_VERSION = 3


@dataclass(frozen=True)
class ScoredAnswer:
    """One question's answer as scoring sees it."""

    weight: int = 1
    kind: str | None = None  # SCORE, UNKNOWN, NOT_APPLICABLE, or None when unanswered
    score: int | None = None
    applicable: bool = True  # False when the question does not apply to the project
    minimum: int | None = None  # the lowest level that meets the question's minimum requirement
    code: str = ""


def minimum_unmet(answer: ScoredAnswer) -> bool:
    """An applicable minimum requirement answered below its threshold, with "weet ik niet", or
    with "niet van toepassing": whether a minimum applies is decided by the project's
    characteristics and phase, so an n.v.t. cannot set it aside (the questionnaire does not offer
    it; this keeps a crafted or old answer from doing so)."""
    if not answer.applicable or answer.minimum is None:
        return False
    if answer.kind in (UNKNOWN, NOT_APPLICABLE):
        return True
    return answer.kind == SCORE and answer.score is not None and answer.score < answer.minimum


@dataclass(frozen=True)
class PerspectiveScore:
    score: int | None  # 0-100, None when nothing could be scored ("niet beoordeeld")
    exact: float | None
    band: str | None
    answered: int
    unanswered: int
    unknown: int
    not_applicable: int
    uncapped: float | None = None  # the exact score before an unmet minimum capped it
    unmet: tuple[str, ...] = ()  # codes of unmet minimum requirements
    # The band of the score before the cap, when an unmet minimum capped it (stored since
    # 2026-11; None in results completed before, which then take their advice by `band`).
    uncapped_band: str | None = None

    @property
    def assessed(self) -> bool:
        return self.score is not None

    @property
    def uncapped_score(self) -> int | None:
        return round_score(self.uncapped) if self.uncapped is not None else None

    @property
    def capped(self) -> bool:
        return bool(self.unmet)

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "exact": self.exact, "band": self.band,
                "answered": self.answered, "unanswered": self.unanswered,
                "unknown": self.unknown, "not_applicable": self.not_applicable,
                "uncapped": self.uncapped, "unmet": list(self.unmet),
                "uncapped_band": self.uncapped_band}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "PerspectiveScore":
        return cls(data["score"], data["exact"], data["band"], data["answered"],
                   data["unanswered"], data["unknown"], data["not_applicable"],
                   data.get("uncapped", data["exact"]), tuple(data.get("unmet", ())),
                   data.get("uncapped_band"))


def round_score(value: float) -> int:
    """Round half up, as people expect (69.5 -> 70), not Python's half-to-even."""
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def score_band(score: int | None) -> str | None:
    if score is None:
        return None
    if score >= IN_ORDER_FROM:
        return IN_ORDER
    if score >= DEVELOPING_FROM:
        return DEVELOPING
    return ATTENTION


def _capped(exact: float, unmet: tuple[str, ...]) -> float:
    return min(exact, MINIMUM_CAP) if unmet else exact


def perspective_score(answers: Iterable[ScoredAnswer]) -> PerspectiveScore:
    total_weight = 0
    weighted_sum = 0
    answered = unanswered = unknown = not_applicable = 0
    unmet: list[str] = []
    for answer in answers:
        if minimum_unmet(answer):
            unmet.append(answer.code)
        if not answer.applicable or answer.kind == NOT_APPLICABLE:
            not_applicable += 1
            continue
        if answer.kind is None:
            unanswered += 1
            continue
        if answer.weight < 0:
            raise ValueError("weights cannot be negative")
        if answer.kind == UNKNOWN:
            unknown += 1
            level = 0
        elif answer.kind == SCORE:
            if answer.score is None or not 0 <= answer.score <= MAX_LEVEL:
                raise ValueError(f"score must be 0-{MAX_LEVEL}, got {answer.score!r}")
            level = answer.score
        else:
            raise ValueError(f"unknown answer kind {answer.kind!r}")
        answered += 1
        total_weight += answer.weight
        weighted_sum += answer.weight * level
    if total_weight == 0:
        # Nothing to score; an unmet minimum (an n.v.t. on it) is still named and still caps the
        # process and the total.
        return PerspectiveScore(None, None, None, answered, unanswered, unknown, not_applicable,
                                None, tuple(unmet))
    uncapped = 100 * weighted_sum / (MAX_LEVEL * total_weight)
    exact = _capped(uncapped, tuple(unmet))
    rounded = round_score(exact)
    return PerspectiveScore(rounded, exact, score_band(rounded), answered, unanswered, unknown,
                            not_applicable, uncapped, tuple(unmet),
                            score_band(round_score(uncapped)) if unmet else None)


@dataclass(frozen=True)
class AggregateScore:
    score: int | None
    band: str | None
    assessed: int  # how many perspectives it is the mean of
    exact: float | None = None
    uncapped: float | None = None  # the exact mean before an unmet minimum capped it
    unmet: tuple[str, ...] = ()  # unmet minimum requirements in its perspectives

    @property
    def capped(self) -> bool:
        return bool(self.unmet)

    @property
    def uncapped_score(self) -> int | None:
        return round_score(self.uncapped) if self.uncapped is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "band": self.band, "assessed": self.assessed,
                "exact": self.exact, "uncapped": self.uncapped, "unmet": list(self.unmet)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AggregateScore":
        return cls(data["score"], data["band"], data["assessed"], data.get("exact"),
                   data.get("uncapped", data.get("exact")), tuple(data.get("unmet", ())))


def mean_score(perspective_scores: Iterable[PerspectiveScore]) -> AggregateScore:
    """Mean of the assessed perspectives: used for a process and for the overall score."""
    scores = list(perspective_scores)
    assessed = [p for p in scores if p.exact is not None]
    if not assessed:
        return AggregateScore(None, None, 0)
    unmet = tuple(code for p in scores for code in p.unmet)
    uncapped = fmean(p.uncapped if p.uncapped is not None else p.exact for p in assessed)
    exact = _capped(fmean(p.exact for p in assessed), unmet)
    rounded = round_score(exact)
    return AggregateScore(rounded, score_band(rounded), len(assessed), exact, uncapped, unmet)


@dataclass(frozen=True)
class AssessmentScores:
    perspectives: dict[int, PerspectiveScore]
    processes: dict[str, AggregateScore]
    overall: AggregateScore


def assessment_scores(
    answers_by_perspective: Mapping[int, Iterable[ScoredAnswer]],
    process_of_perspective: Mapping[int, str],
) -> AssessmentScores:
    perspectives = {
        number: perspective_score(answers) for number, answers in answers_by_perspective.items()
    }
    by_process: dict[str, list[PerspectiveScore]] = {}
    for number, result in perspectives.items():
        by_process.setdefault(process_of_perspective[number], []).append(result)
    processes = {code: mean_score(results) for code, results in by_process.items()}
    return AssessmentScores(perspectives, processes, mean_score(perspectives.values()))


# -- Applicability ---------------------------------------------------------------------------


def conditions_of(question: Mapping[str, Any]) -> list[str]:
    """The characteristics a question (or instrument) needs; the first questionnaire stored one
    code as a string, later ones a list."""
    conditions = question.get("applies_when") or []
    return [conditions] if isinstance(conditions, str) else list(conditions)


def applicability(conditions: Iterable[str], phases: Iterable[str], characteristics: Iterable[str],
                  phase: str) -> tuple[bool, tuple[str, str] | None]:
    """Whether a question applies, and if not, why: (REASON_CHARACTERISTIC, the first missing
    characteristic) or (REASON_PHASE, the project's phase)."""
    have = set(characteristics)
    for condition in conditions:
        if condition not in have:
            return False, (REASON_CHARACTERISTIC, condition)
    phases = list(phases)
    if phases and phase not in phases:
        return False, (REASON_PHASE, phase)
    return True, None


# -- A whole assessment ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerData:
    """An answer's values: what is saved, scored and frozen."""

    kind: str
    score: int | None = None
    na_reason: str = ""
    note: str = ""

    @classmethod
    def of(cls, answer: Any) -> "AnswerData | None":
        """The values of a stored answer (anything with these four attributes), or None."""
        if answer is None:
            return None
        return cls(answer.kind, answer.score, answer.na_reason, answer.note)

    def normalised(self) -> "AnswerData":
        """A reason only belongs to n.v.t.; a score only to a scored answer."""
        return AnswerData(
            self.kind,
            self.score if self.kind == SCORE else None,
            self.na_reason.strip() if self.kind == NOT_APPLICABLE else "",
            self.note.strip(),
        )

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "score": self.score, "na_reason": self.na_reason,
                "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "AnswerData | None":
        if data is None:
            return None
        return cls(data["kind"], data.get("score"), data.get("na_reason", ""),
                   data.get("note", ""))


@dataclass(frozen=True)
class QuestionOutcome:
    applicable: bool
    reason: tuple[str, str] | None  # why it does not apply
    answer: AnswerData | None
    unmet: bool = False  # an unmet minimum requirement

    @property
    def is_answered(self) -> bool:
        """Done for completion: does not apply, or answered (n.v.t. only with a reason)."""
        if not self.applicable:
            return True
        if self.answer is None:
            return False
        return self.answer.kind != NOT_APPLICABLE or bool(self.answer.na_reason.strip())

    def to_json(self) -> dict[str, Any]:
        return {"applicable": self.applicable, "reason": list(self.reason) if self.reason else None,
                "answer": self.answer.to_json() if self.answer else None, "unmet": self.unmet}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "QuestionOutcome":
        reason = data.get("reason")
        return cls(data["applicable"], tuple(reason) if reason else None,
                   AnswerData.from_json(data.get("answer")), data.get("unmet", False))


@dataclass(frozen=True)
class NextStep:
    code: str  # the question
    level: int  # the level whose next step applies (0 for "weet ik niet")
    minimum: bool  # the question is an unmet minimum requirement


@dataclass(frozen=True)
class SuggestedInstrument:
    code: str
    characteristics: tuple[str, ...]  # why: the project has these characteristics
    questions: tuple[tuple[str, int | str], ...]  # why: these questions scored low (level/UNKNOWN)


@dataclass(frozen=True)
class Evaluation:
    phase: str
    characteristics: tuple[str, ...]
    questions: dict[str, QuestionOutcome]
    perspectives: dict[int, PerspectiveScore]
    processes: dict[str, AggregateScore]
    overall: AggregateScore
    next_steps: tuple[NextStep, ...] = ()
    instruments: tuple[SuggestedInstrument, ...] = ()
    unmet: tuple[str, ...] = field(default=())  # unmet minimum requirements, in question order
    version: int = RESULT_VERSION  # of the rules it was stored under (1 before versions)

    @property
    def missing(self) -> list[str]:
        """Codes of applicable questions that still need an answer before completion."""
        return [code for code, outcome in self.questions.items() if not outcome.is_answered]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "phase": self.phase,
            "characteristics": list(self.characteristics),
            "questions": {code: outcome.to_json() for code, outcome in self.questions.items()},
            "perspectives": {str(n): score.to_json() for n, score in self.perspectives.items()},
            "processes": {code: score.to_json() for code, score in self.processes.items()},
            "overall": self.overall.to_json(),
            "unmet": list(self.unmet),
            "next_steps": [[s.code, s.level, s.minimum] for s in self.next_steps],
            "instruments": [
                {"code": i.code, "characteristics": list(i.characteristics),
                 "questions": [list(q) for q in i.questions]}
                for i in self.instruments
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Evaluation":
        return cls(
            phase=data.get("phase", ""),
            characteristics=tuple(data.get("characteristics", ())),
            questions={code: QuestionOutcome.from_json(q) for code, q in data["questions"].items()},
            perspectives={int(n): PerspectiveScore.from_json(p)
                          for n, p in data["perspectives"].items()},
            processes={code: AggregateScore.from_json(p) for code, p in data["processes"].items()},
            overall=AggregateScore.from_json(data["overall"]),
            next_steps=tuple(NextStep(c, level, minimum)
                             for c, level, minimum in data.get("next_steps", ())),
            instruments=tuple(
                SuggestedInstrument(i["code"], tuple(i["characteristics"]),
                                    tuple((q[0], q[1]) for q in i["questions"]))
                for i in data.get("instruments", ())
            ),
            unmet=tuple(data.get("unmet", ())),
            version=data.get("version", 1),
        )


def next_step_level(outcome: QuestionOutcome) -> int | None:
    """The level whose next step this answer calls for, if any."""
    answer = outcome.answer
    if not outcome.applicable or answer is None:
        return None
    if answer.kind == UNKNOWN:
        return 0
    if answer.kind == SCORE and answer.score in NEXT_STEP_LEVELS:
        return answer.score
    return None


def _weak_level(outcome: QuestionOutcome) -> int | str | None:
    """The level of an answer that leaves room for an instrument: UNKNOWN for "weet ik niet",
    NOT_APPLICABLE for an n.v.t. on a minimum requirement."""
    answer = outcome.answer
    if not outcome.applicable or answer is None:
        return None
    if answer.kind == UNKNOWN:
        return UNKNOWN
    if outcome.unmet and answer.kind == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if answer.kind == SCORE and answer.score is not None and answer.score < INSTRUMENT_DONE_FROM:
        return answer.score
    return None


def suggested_instruments(instruments: Iterable[Mapping[str, Any]],
                          linked: Mapping[str, list[str]],
                          outcomes: Mapping[str, QuestionOutcome],
                          characteristics: Iterable[str]) -> tuple[SuggestedInstrument, ...]:
    """Instruments for this project, each with why it applies.

    Listed when the project has all of the instrument's characteristics and either a linked
    question that applies is answered below INSTRUMENT_DONE_FROM (or "weet ik niet"), or the
    instrument has characteristics and none of its linked questions applies yet (for example the
    accessibility requirements in the idea phase).
    """
    have = set(characteristics)
    suggested = []
    for instrument in instruments:
        conditions = tuple(conditions_of(instrument))
        if any(condition not in have for condition in conditions):
            continue
        applicable = [code for code in linked.get(instrument["code"], [])
                      if code in outcomes and outcomes[code].applicable]
        weak = tuple((code, level) for code in applicable
                     if (level := _weak_level(outcomes[code])) is not None)
        if weak or (conditions and not applicable):
            suggested.append(SuggestedInstrument(instrument["code"], conditions, weak))
    return tuple(suggested)


def evaluate(content: Mapping[str, Any], characteristics: Iterable[str], phase: str,
             answers: Mapping[str, AnswerData]) -> Evaluation:
    """Everything an assessment's result consists of, from plain data.

    `content` is a content snapshot (perspectives.selectors.content_snapshot), `answers` maps
    question codes to answers.
    """
    characteristics = tuple(characteristics)
    outcomes: dict[str, QuestionOutcome] = {}
    scored: dict[int, list[ScoredAnswer]] = {}
    process_of: dict[int, str] = {}
    position: dict[str, tuple[int, int, int]] = {}  # code -> (perspective, order, weight)
    steps_available: dict[str, set[int]] = {}
    linked: dict[str, list[str]] = {}
    for process in content["processes"]:
        for perspective in process["perspectives"]:
            number = perspective["number"]
            process_of[number] = process["code"]
            scored[number] = []
            for order, question in enumerate(perspective["questions"]):
                code = question["code"]
                applies, reason = applicability(conditions_of(question),
                                                question.get("phases") or [], characteristics,
                                                phase)
                answer = answers.get(code)
                minimum = (question.get("minimum") or {}).get("level")
                item = ScoredAnswer(question["weight"], answer.kind if answer else None,
                                    answer.score if answer else None, applies, minimum, code)
                scored[number].append(item)
                outcomes[code] = QuestionOutcome(applies, reason, answer, minimum_unmet(item))
                position[code] = (number, order, question["weight"])
                steps_available[code] = {int(level) for level in question.get("next_steps") or {}}
                for instrument in question.get("instruments") or []:
                    linked.setdefault(instrument, []).append(code)
    scores = assessment_scores(scored, process_of)

    steps = []
    for code, outcome in outcomes.items():
        level = next_step_level(outcome)
        if level is not None and level in steps_available[code]:
            steps.append(NextStep(code, level, outcome.unmet))
    perspective_exact = {n: (p.exact if p.exact is not None else 100.0)
                         for n, p in scores.perspectives.items()}

    def priority(step: NextStep):
        number, order, weight = position[step.code]
        return (not step.minimum, step.level, -weight, perspective_exact[number], number, order)

    return Evaluation(
        phase=phase,
        characteristics=characteristics,
        questions=outcomes,
        perspectives=scores.perspectives,
        processes=scores.processes,
        overall=scores.overall,
        next_steps=tuple(sorted(steps, key=priority)),
        instruments=suggested_instruments(content.get("instruments") or [], linked, outcomes,
                                          characteristics),
        unmet=tuple(code for code, outcome in outcomes.items() if outcome.unmet),
    )
