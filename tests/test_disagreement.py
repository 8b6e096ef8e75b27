"""The disagreement measure of a rating round's discussion: plain values, no database."""

from django.test import SimpleTestCase

from assessments.disagreement import (
    KIND_WEIGHT,
    largest_disagreement_first,
    spread,
    token_of,
)


class SpreadTests(SimpleTestCase):
    def test_no_ratings_is_no_disagreement(self):
        value = spread([])
        self.assertEqual((value.count, value.disagreement, value.lowest), (0, 0, None))
        self.assertFalse(value.unanimous)

    def test_one_rating_is_unanimous(self):
        value = spread([3])
        self.assertEqual(value.disagreement, 0)
        self.assertTrue(value.unanimous)

    def test_the_range_of_the_scores(self):
        value = spread([4, 1, 2])
        self.assertEqual((value.lowest, value.highest, value.disagreement), (1, 4, 3))
        self.assertEqual(value.distribution, [0, 1, 1, 0, 1])

    def test_unknown_or_not_applicable_beside_scores_counts_as_disagreement(self):
        self.assertEqual(spread([2, 2, "unknown"]).disagreement, KIND_WEIGHT)
        self.assertEqual(spread([2, 3, "na"]).disagreement, 1 + KIND_WEIGHT)
        self.assertEqual(spread([1, "na", "unknown"]).disagreement, 2 * KIND_WEIGHT)

    def test_everyone_not_knowing_is_agreement(self):
        value = spread(["unknown", "unknown"])
        self.assertEqual((value.disagreement, value.unknown), (0, 2))
        self.assertTrue(value.unanimous)

    def test_token_of_a_rating(self):
        self.assertEqual(token_of("score", 0), 0)
        self.assertEqual(token_of("unknown", None), "unknown")
        self.assertEqual(token_of("na", None), "na")


class OrderTests(SimpleTestCase):
    def test_largest_disagreement_first_then_spread_then_questionnaire_order(self):
        spreads = [spread([2, 2]), spread([0, 4]), spread([1, 2]), spread([0, 2, 2]),
                   spread([0, 0, 2]), spread([3, "na"])]
        # [0,4]: 4. Then three at 2: [0,2,2] and [0,0,2] (equal deviations, so in order) before
        # [3,na] (a single score, no deviation). Then [1,2]: 1, and [2,2]: 0.
        self.assertEqual(largest_disagreement_first(spreads), [1, 3, 4, 5, 2, 0])

    def test_equal_spreads_keep_their_order(self):
        self.assertEqual(largest_disagreement_first([spread([1])] * 3), [0, 1, 2])


class SpreadWordsTests(SimpleTestCase):
    def test_one_score_is_not_called_unanimous(self):
        from assessments.disagreement import UNKNOWN
        from assessments.discussion import _spread_label

        self.assertEqual(_spread_label(spread([0])),
                         "Eén beoordelaar heeft deze vraag gescoord: 0.")
        self.assertEqual(_spread_label(spread([UNKNOWN])),
                         "Eén beoordelaar heeft deze vraag gescoord: weet ik niet.")
        self.assertEqual(_spread_label(spread([2, 2])), "Alle scores 2: eensgezind.")
        self.assertEqual(_spread_label(spread([])), "Niemand heeft deze vraag gescoord.")
