import json

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    NOT_APPLICABLE,
    SCORE,
    UNKNOWN,
    AnswerData,
    Evaluation,
    PerspectiveScore,
    ScoredAnswer,
    applicability,
    assessment_scores,
    conditions_of,
    evaluate,
    mean_score,
    minimum_unmet,
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


# -- Minimum requirements ----------------------------------------------------------------------


def minimum(level, threshold=3, code="1.4", kind=SCORE):
    return ScoredAnswer(weight=1, kind=kind, score=level if kind == SCORE else None,
                        minimum=threshold, code=code)


class MinimumRequirementTests(SimpleTestCase):
    def test_unmet_minimum_caps_an_otherwise_good_perspective(self):
        # The case: 1.4 = 0 with three 4s (one of weight 2) scored 80, "op orde".
        answers = [scored(4, weight=2), scored(4), scored(4), minimum(0)]
        result = perspective_score(answers)
        self.assertEqual(result.uncapped_score, 80)
        self.assertEqual(result.score, 39)
        self.assertEqual(result.band, "aandacht")
        self.assertEqual(result.unmet, ("1.4",))
        self.assertTrue(result.capped)

    def test_met_minimum_does_not_cap(self):
        result = perspective_score([scored(4, weight=2), scored(4), scored(4), minimum(3)])
        self.assertEqual(result.score, 95)  # (2*4 + 4 + 4 + 3) / 20
        self.assertEqual(result.unmet, ())

    def test_unknown_and_not_applicable_on_an_applicable_minimum_are_unmet(self):
        self.assertEqual(perspective_score([scored(4), minimum(None, kind=UNKNOWN)]).unmet,
                         ("1.4",))
        # Whether a minimum applies follows from the characteristics: n.v.t. cannot set it aside.
        answers = [scored(4), ScoredAnswer(kind=NOT_APPLICABLE, minimum=3, code="1.4")]
        result = perspective_score(answers)
        self.assertEqual((result.unmet, result.score, result.band), (("1.4",), 39, "aandacht"))
        inapplicable = ScoredAnswer(kind=SCORE, score=0, minimum=3, code="1.4", applicable=False)
        self.assertEqual(perspective_score([scored(4), inapplicable]).score, 100)
        # An unanswered minimum (a concept in progress) is not unmet yet.
        self.assertEqual(perspective_score([scored(4), ScoredAnswer(minimum=3)]).unmet, ())

    def test_cap_spreads_to_process_and_overall(self):
        scores = assessment_scores(
            {1: [scored(4), minimum(1)], 2: [scored(4)], 3: [scored(4)]},
            {1: "waarderen", 2: "waarderen", 3: "experimenteren"},
        )
        self.assertEqual(scores.perspectives[1].score, 39)
        self.assertEqual(scores.processes["waarderen"].score, 39)
        self.assertEqual(scores.processes["waarderen"].unmet, ("1.4",))
        self.assertEqual(scores.processes["experimenteren"].score, 100)
        self.assertEqual(scores.overall.score, 39)
        self.assertEqual(scores.overall.band, "aandacht")
        self.assertEqual(scores.overall.uncapped_score, 88)  # mean of 62.5, 100 and 100 uncapped


minimum_answers = st.lists(
    st.builds(
        ScoredAnswer,
        weight=st.integers(min_value=1, max_value=5),
        kind=st.sampled_from([SCORE, UNKNOWN, NOT_APPLICABLE, None]),
        score=st.integers(min_value=0, max_value=4),
        applicable=st.booleans(),
        minimum=st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
        code=st.sampled_from(["a", "b", "c"]),
    ).map(lambda a: a if a.kind == SCORE else ScoredAnswer(a.weight, a.kind, None, a.applicable,
                                                          a.minimum, a.code)),
    min_size=1, max_size=10,
)


def without_minimums(items):
    return [ScoredAnswer(a.weight, a.kind, a.score, a.applicable, None, a.code) for a in items]


class MinimumProperties(SimpleTestCase):
    @given(minimum_answers)
    def test_an_unmet_minimum_never_yields_a_band_above_attention(self, items):
        result = perspective_score(items)
        if any(minimum_unmet(a) for a in items):
            # "niet beoordeeld" when nothing else could be scored, never a better band.
            self.assertIn(result.band, (None, "aandacht"))
            self.assertLessEqual(result.score or 0, 39)
            overall = mean_score([result, perspective_score([scored(4)])])
            self.assertEqual(overall.band, "aandacht")

    @given(minimum_answers)
    def test_capping_never_raises_a_score(self, items):
        capped, plain = perspective_score(items), perspective_score(without_minimums(items))
        if plain.score is None:
            self.assertIsNone(capped.score)
            return
        self.assertLessEqual(capped.score, plain.score)
        self.assertEqual(capped.uncapped_score, plain.score)
        other = perspective_score([scored(3)])
        self.assertLessEqual(mean_score([capped, other]).score, mean_score([plain, other]).score)

    @given(minimum_answers, st.data())
    def test_raising_one_answer_never_lowers_the_score_with_minimums(self, items, data):
        index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
        answer = items[index]
        if answer.kind not in (SCORE, UNKNOWN) or not answer.applicable:
            return
        level = 0 if answer.kind == UNKNOWN else answer.score
        if level == 4:
            return
        raised = list(items)
        raised[index] = ScoredAnswer(answer.weight, SCORE, data.draw(
            st.integers(min_value=level + 1, max_value=4)), True, answer.minimum, answer.code)
        self.assertGreaterEqual(perspective_score(raised).score, perspective_score(items).score)

    @given(minimum_answers)
    def test_json_round_trip_keeps_every_figure(self, items):
        result = perspective_score(items)
        stored = json.loads(json.dumps(result.to_json()))
        self.assertEqual(PerspectiveScore.from_json(stored), result)


# -- Applicability, next steps, instruments, the whole evaluation -------------------------------


def content(*questions, instruments=()):
    """A one-process, one-perspective content snapshot with the given questions."""
    return {"processes": [{"code": "waarderen", "perspectives": [
        {"number": 1, "questions": [
            {"code": code, "weight": 1, "applies_when": conditions, "phases": phases,
             "minimum": {"level": threshold} if threshold else None,
             "next_steps": {"0": {}, "1": {}}, "instruments": linked}
            for code, conditions, phases, threshold, linked in questions
        ]}]}], "instruments": list(instruments)}


class ApplicabilityTests(SimpleTestCase):
    def test_all_characteristics_must_hold_and_the_phase_must_fit(self):
        self.assertEqual(applicability([], [], [], "idee"), (True, None))
        self.assertEqual(applicability(["personal_data", "partners"], [], ["personal_data"], "idee"),
                         (False, ("characteristic", "partners")))
        self.assertEqual(applicability(["personal_data"], ["experiment", "beheer"],
                                       ["personal_data"], "idee"), (False, ("phase", "idee")))
        self.assertEqual(applicability([], ["idee"], [], "idee"), (True, None))

    def test_first_questionnaire_stored_one_condition_as_a_string(self):
        self.assertEqual(conditions_of({"applies_when": "public_space"}), ["public_space"])
        self.assertEqual(conditions_of({"applies_when": ""}), [])
        self.assertEqual(conditions_of({}), [])


class EvaluationTests(SimpleTestCase):
    def test_answers_to_questions_that_no_longer_apply_are_kept_but_do_not_count(self):
        data = content(("1.1", [], [], None, []), ("1.2", ["personal_data"], [], 3, []))
        answers = {"1.1": AnswerData(SCORE, 4), "1.2": AnswerData(SCORE, 0, note="Nog niets")}
        without = evaluate(data, [], "idee", answers)
        self.assertEqual(without.perspectives[1].score, 100)
        self.assertFalse(without.questions["1.2"].applicable)
        self.assertEqual(without.questions["1.2"].answer.note, "Nog niets")
        self.assertEqual(without.unmet, ())
        with_data = evaluate(data, ["personal_data"], "idee", answers)
        self.assertEqual(with_data.perspectives[1].score, 39)
        self.assertEqual(with_data.unmet, ("1.2",))

    def test_next_steps_put_unmet_minimums_first_then_the_lowest_answers(self):
        data = content(("1.1", [], [], None, []), ("1.2", [], [], None, []),
                       ("1.3", [], [], 3, []), ("1.4", [], [], None, []))
        answers = {"1.1": AnswerData(SCORE, 1), "1.2": AnswerData(UNKNOWN),
                   "1.3": AnswerData(SCORE, 1), "1.4": AnswerData(SCORE, 2)}
        steps = evaluate(data, [], "idee", answers).next_steps
        self.assertEqual([(s.code, s.level, s.minimum) for s in steps],
                         [("1.3", 1, True), ("1.2", 0, False), ("1.1", 1, False)])

    def test_instruments_follow_characteristics_and_weak_answers(self):
        instruments = [{"code": "dpia", "applies_when": ["personal_data"]},
                       {"code": "deda", "applies_when": []},
                       {"code": "toegankelijk", "applies_when": ["public_channel"]}]
        data = content(("1.1", ["personal_data"], [], None, ["dpia"]), ("1.2", [], [], None, ["deda"]),
                       ("1.3", ["public_channel"], ["beheer"], None, ["toegankelijk"]),
                       instruments=instruments)
        weak = {"1.1": AnswerData(SCORE, 1), "1.2": AnswerData(UNKNOWN)}
        suggested = evaluate(data, ["personal_data", "public_channel"], "idee", weak).instruments
        self.assertEqual([(i.code, i.characteristics, i.questions) for i in suggested], [
            ("dpia", ("personal_data",), (("1.1", 1),)),
            ("deda", (), (("1.2", UNKNOWN),)),
            # 1.3 does not apply in the idea phase: the characteristic alone lists it.
            ("toegankelijk", ("public_channel",), ()),
        ])
        strong = {"1.1": AnswerData(SCORE, 3), "1.2": AnswerData(SCORE, 4)}
        self.assertEqual(evaluate(data, ["personal_data"], "idee", strong).instruments, ())
        self.assertEqual(evaluate(data, [], "idee", weak).instruments[0].code, "deda")

    def test_evaluation_survives_json(self):
        data = content(("1.1", [], [], 3, ["x"]), ("1.2", ["ai"], ["beheer"], None, []),
                       instruments=[{"code": "x", "applies_when": []}])
        evaluation = evaluate(data, ["ai"], "idee", {"1.1": AnswerData(SCORE, 1, "", "note")})
        self.assertEqual(Evaluation.from_json(json.loads(json.dumps(evaluation.to_json()))),
                         evaluation)
        self.assertEqual(evaluation.missing, [])
        self.assertEqual(evaluate(data, ["ai"], "beheer", {}).missing, ["1.1", "1.2"])
