"""Scoring: pure functions on plain values. No database, no Django.

A perspective's score is the weighted mean of its answered questions on the 0-4 scale, expressed
as 0-100. "Weet ik niet" counts as 0 and is flagged; "niet van toepassing" (or a question that does
not apply to the project) is left out; unanswered questions are left out. A perspective with
nothing to score is "niet beoordeeld" (score None) and is left out of process and overall scores.
Process score = mean of its assessed perspectives; overall = mean of all assessed perspectives.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

MAX_LEVEL = 4
SCORE = "score"
UNKNOWN = "unknown"
NOT_APPLICABLE = "na"

ATTENTION = "aandacht"
DEVELOPING = "ontwikkeling"
IN_ORDER = "op_orde"
DEVELOPING_FROM = 40
IN_ORDER_FROM = 70


@dataclass(frozen=True)
class ScoredAnswer:
    """One question's answer as scoring sees it."""

    weight: int = 1
    kind: str | None = None  # SCORE, UNKNOWN, NOT_APPLICABLE, or None when unanswered
    score: int | None = None
    applicable: bool = True  # False when the question does not apply to the project


@dataclass(frozen=True)
class PerspectiveScore:
    score: int | None  # 0-100, None when nothing could be scored ("niet beoordeeld")
    exact: float | None
    band: str | None
    answered: int
    unanswered: int
    unknown: int
    not_applicable: int

    @property
    def assessed(self) -> bool:
        return self.score is not None


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


def perspective_score(answers: Iterable[ScoredAnswer]) -> PerspectiveScore:
    total_weight = 0
    weighted_sum = 0
    answered = unanswered = unknown = not_applicable = 0
    for answer in answers:
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
        return PerspectiveScore(None, None, None, answered, unanswered, unknown, not_applicable)
    exact = 100 * weighted_sum / (MAX_LEVEL * total_weight)
    rounded = round_score(exact)
    return PerspectiveScore(rounded, exact, score_band(rounded), answered, unanswered, unknown,
                            not_applicable)


@dataclass(frozen=True)
class AggregateScore:
    score: int | None
    band: str | None
    assessed: int  # how many perspectives it is the mean of


def mean_score(perspective_scores: Iterable[PerspectiveScore]) -> AggregateScore:
    """Mean of the assessed perspectives: used for a process and for the overall score."""
    exact = [p.exact for p in perspective_scores if p.exact is not None]
    if not exact:
        return AggregateScore(None, None, 0)
    rounded = round_score(fmean(exact))
    return AggregateScore(rounded, score_band(rounded), len(exact))


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
