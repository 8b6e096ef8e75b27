"""How far raters disagree on one question: pure functions on plain values, no database.

A rating is a score 0–4, "weet ik niet" (UNKNOWN) or "niet van toepassing" (NOT_APPLICABLE).
The disagreement of a question is the range of its scores (0–4) plus KIND_WEIGHT for every other
kind of answer given beside them: one rater finding a question not applicable, or not knowing,
while another scores it, is a disagreement about the question itself, worth discussing as much as
two levels apart. Ties are broken by the spread of the scores (population standard deviation),
then by the questionnaire's order, so the discussion lists the same questions the same way.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import pstdev

from .scoring import MAX_LEVEL, NOT_APPLICABLE, SCORE, UNKNOWN

KIND_WEIGHT = 2

# A rating in one value: its score (0–4), UNKNOWN or NOT_APPLICABLE.
Token = int | str


def token_of(kind: str, score: int | None) -> Token:
    return score if kind == SCORE and score is not None else kind


@dataclass(frozen=True)
class Spread:
    count: int  # ratings given
    scores: tuple[int, ...]  # the scores among them, lowest first
    unknown: int
    not_applicable: int
    disagreement: float
    deviation: float  # of the scores; 0 with fewer than two

    @property
    def lowest(self) -> int | None:
        return self.scores[0] if self.scores else None

    @property
    def highest(self) -> int | None:
        return self.scores[-1] if self.scores else None

    @property
    def distribution(self) -> list[int]:
        """How many raters gave each level 0–4."""
        counts = Counter(self.scores)
        return [counts[level] for level in range(MAX_LEVEL + 1)]

    @property
    def unanimous(self) -> bool:
        return self.count > 0 and self.disagreement == 0


def spread(tokens: Iterable[Token]) -> Spread:
    tokens = list(tokens)
    scores = tuple(sorted(t for t in tokens if isinstance(t, int)))
    unknown = sum(1 for t in tokens if t == UNKNOWN)
    not_applicable = sum(1 for t in tokens if t == NOT_APPLICABLE)
    kinds = bool(scores) + bool(unknown) + bool(not_applicable)
    score_range = scores[-1] - scores[0] if scores else 0
    return Spread(
        count=len(tokens), scores=scores, unknown=unknown, not_applicable=not_applicable,
        disagreement=score_range + KIND_WEIGHT * max(kinds - 1, 0),
        deviation=round(pstdev(scores), 3) if len(scores) > 1 else 0.0,
    )


def largest_disagreement_first(spreads: Sequence[Spread]) -> list[int]:
    """The positions of `spreads` (in questionnaire order), the largest disagreement first."""
    return sorted(range(len(spreads)),
                  key=lambda i: (-spreads[i].disagreement, -spreads[i].deviation, i))
