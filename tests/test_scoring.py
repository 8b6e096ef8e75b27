from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    NOT_APPLICABLE,
    SCORE,
    UNKNOWN,
    ScoredAnswer,
    assessment_scores,
    mean_score,
    perspective_score,
    round_score,
    score_band,
)


def scored(level, weight=1):
    return ScoredAnswer(weight=weight, kind=SCORE, score=level)


class PerspectiveScoreTests(SimpleTestCase):
    def test_weighted_mean_on_0_to_100(self):
        result = perspective_score([scored(4, weight=2), scored(0)])
        self.assertEqual(result.score, 67)  # (2*4 + 0) / (3*4) = 66.67
        self.assertEqual(result.band, "ontwikkeling")

    def test_all_not_applicable_is_not_assessed(self):
        result = perspective_score([ScoredAnswer(kind=NOT_APPLICABLE)] * 3)
        self.assertIsNone(result.score)
        self.assertIsNone(result.band)
        self.assertFalse(result.assessed)
        self.assertEqual(result.not_applicable, 3)

    def test_questions_that_do_not_apply_are_left_out(self):
        result = perspective_score([scored(4), ScoredAnswer(kind=SCORE, score=0, applicable=False)])
        self.assertEqual(result.score, 100)

    def test_all_unknown_scores_zero_and_is_flagged(self):
        result = perspective_score([ScoredAnswer(kind=UNKNOWN)] * 4)
        self.assertEqual(result.score, 0)
        self.assertEqual(result.unknown, 4)
        self.assertEqual(result.band, "aandacht")

    def test_unanswered_questions_are_left_out_and_counted(self):
        result = perspective_score([scored(2), ScoredAnswer()])
        self.assertEqual(result.score, 50)
        self.assertEqual(result.unanswered, 1)

    def test_nothing_answered_is_not_assessed(self):
        self.assertIsNone(perspective_score([ScoredAnswer(), ScoredAnswer()]).score)

    def test_rounding_is_half_up(self):
        self.assertEqual(round_score(69.5), 70)
        self.assertEqual(round_score(39.5), 40)
        self.assertEqual(round_score(0.5), 1)
        # 1 of 8 = 12.5 -> 13, not Python's banker's 12
        self.assertEqual(perspective_score([scored(1), scored(0)]).score, 13)

    def test_bands(self):
        self.assertEqual(score_band(39), "aandacht")
        self.assertEqual(score_band(40), "ontwikkeling")
        self.assertEqual(score_band(69), "ontwikkeling")
        self.assertEqual(score_band(70), "op_orde")
        self.assertIsNone(score_band(None))

    def test_invalid_scores_are_refused(self):
        with self.assertRaises(ValueError):
            perspective_score([ScoredAnswer(kind=SCORE, score=5)])
        with self.assertRaises(ValueError):
            perspective_score([ScoredAnswer(kind="maybe")])


class AggregateScoreTests(SimpleTestCase):
    def test_process_and_overall_are_means_of_assessed_perspectives(self):
        scores = assessment_scores(
            {1: [scored(4)], 2: [scored(2)], 3: [ScoredAnswer(kind=NOT_APPLICABLE)],
             4: [scored(0)]},
            {1: "waarderen", 2: "waarderen", 3: "experimenteren", 4: "experimenteren"},
        )
        self.assertEqual(scores.processes["waarderen"].score, 75)
        self.assertEqual(scores.processes["experimenteren"].score, 0)
        self.assertEqual(scores.processes["experimenteren"].assessed, 1)
        self.assertEqual(scores.overall.score, 50)  # mean of 100, 50, 0; perspective 3 left out
        self.assertEqual(scores.overall.assessed, 3)

    def test_means_use_exact_values_not_rounded_ones(self):
        # 1/3 of 100 three times: exact mean 33.33, not 33 averaged from rounded values.
        third = [scored(4), scored(0), scored(0)]
        self.assertEqual(mean_score([perspective_score(third)] * 3).score, 33)

    def test_nothing_assessed_has_no_overall_score(self):
        scores = assessment_scores({1: [ScoredAnswer(kind=NOT_APPLICABLE)]}, {1: "waarderen"})
        self.assertIsNone(scores.overall.score)
        self.assertIsNone(scores.overall.band)


answers = st.lists(
    st.builds(
        ScoredAnswer,
        weight=st.integers(min_value=1, max_value=5),
        kind=st.sampled_from([SCORE, UNKNOWN, NOT_APPLICABLE, None]),
        score=st.integers(min_value=0, max_value=4),
        applicable=st.booleans(),
    ).map(lambda a: a if a.kind == SCORE else ScoredAnswer(a.weight, a.kind, None, a.applicable)),
    min_size=1, max_size=12,
)


class ScoringProperties(SimpleTestCase):
    @given(answers)
    def test_scores_stay_within_0_and_100(self, items):
        result = perspective_score(items)
        if result.score is not None:
            self.assertGreaterEqual(result.score, 0)
            self.assertLessEqual(result.score, 100)
            self.assertIn(result.band, {"aandacht", "ontwikkeling", "op_orde"})

    @given(answers, st.data())
    def test_raising_one_answer_never_lowers_the_score(self, items, data):
        index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
        answer = items[index]
        if answer.kind not in (SCORE, UNKNOWN) or not answer.applicable:
            return
        level = 0 if answer.kind == UNKNOWN else answer.score
        if level == 4:
            return
        higher = data.draw(st.integers(min_value=level + 1, max_value=4))
        raised = list(items)
        raised[index] = ScoredAnswer(answer.weight, SCORE, higher, True)
        before, after = perspective_score(items), perspective_score(raised)
        self.assertGreaterEqual(after.exact, before.exact)
        self.assertGreaterEqual(after.score, before.score)
        overall_before = mean_score([before, perspective_score([scored(2)])])
        overall_after = mean_score([after, perspective_score([scored(2)])])
        self.assertGreaterEqual(overall_after.score, overall_before.score)
