"""The questionnaire as content: fits every project, asks each concern once, texts that are right.

These tests read the content as loaded from fixtures/content/ (and as an editor may change it).
"""

import itertools
import json
import math
import re
from collections import Counter
from pathlib import Path

from django.test import TestCase

from assessments import scoring
from perspectives.models import Characteristic, Instrument, Phase, PublicValue, StepRole
from perspectives.selectors import content_snapshot

# Near-duplicate tripwire: TF-IDF cosine of a question's words and word pairs (question, help text
# and its five levels). Pairs the first questionnaire asked twice score up to 0.40, an old question
# next to today's question on the same concern 0.22-0.33; release 2026-11's most similar pair of
# questions scores 0.16. It cannot prove that two questions differ, only catch a concern that is
# asked again.
DUPLICATE_THRESHOLD = 0.2
STOPWORDS = set("""aan als bij dan dat deze die dit door een eens geen heeft hebben het hoe hun
kan kunnen maar meer met naar niet nog ook over per tot uit van voor wat wel welke wie worden
wordt zijn zich zoals of en de in is te op er om project projecten gemeente niveau vastgelegd
""".split())
OLD_DUPLICATES = Path(__file__).parent / "data" / "old_duplicate_questions.json"

# The minimum requirements of release 2026-11 and their basis (see the README).
MINIMUMS = {
    "1.4": ("Art. 5, 6 en 38 AVG", "law"),
    "7.3": ("BIO", "norm"),
    "7.4": ("art. 38 lid 1 AVG", "law"),
    "7.5": ("Art. 35 en 36 AVG", "law"),
    "7.7": ("AI-verordening", "law"),
    "7.9": ("Art. 28 AVG", "law"),
    "8.5": ("Art. 22 AVG", "law"),
    "8.6": ("Besluit digitale toegankelijkheid overheid", "law"),
}
REQUIRED_INSTRUMENTS = {"dpia-prescan", "dpia", "iama", "algoritmekader", "algoritmeregister",
                        "ai-verordening", "deda", "bio", "verwerkersovereenkomst",
                        "digitoegankelijk", "ethische-commissie"}


def _tokens(text: str) -> list[str]:
    words = [w[:6] for w in re.findall(r"[a-zà-ÿ]+", text.lower())
             if len(w) >= 4 and w not in STOPWORDS]
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def similarities(documents: dict[str, str]) -> dict[tuple[str, str], float]:
    """TF-IDF cosine similarity of every pair of documents."""
    tokens = {code: _tokens(text) for code, text in documents.items()}
    frequency = Counter(t for words in tokens.values() for t in set(words))
    vectors = {}
    for code, words in tokens.items():
        counts = Counter(words)
        vector = {t: c / len(words) * math.log(len(tokens) / frequency[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
        vectors[code] = {t: x / norm for t, x in vector.items()}
    scores = {}
    for a, b in itertools.combinations(vectors, 2):
        scores[a, b] = scores[b, a] = sum(x * vectors[b].get(t, 0.0) for t, x in vectors[a].items())
    return scores


def questions_of(snapshot):
    return [(perspective, q) for process in snapshot["processes"]
            for perspective in process["perspectives"] for q in perspective["questions"]]


def document(question) -> str:
    return " ".join([question["text"]["nl"], question["help_text"]["nl"],
                     *(level["nl"] for level in question["scale"])])


def can_be_active_together(a, b) -> bool:
    """Every set of characteristics can hold at once; only phases can keep two questions apart."""
    phases_a, phases_b = set(a.get("phases") or Phase.values), set(b.get("phases") or Phase.values)
    return bool(phases_a & phases_b)


class FitsEveryProjectTests(TestCase):
    def test_every_perspective_has_three_applicable_questions_for_every_project_and_phase(self):
        snapshot = content_snapshot()
        characteristics = list(Characteristic.values)
        checked = 0
        for size in range(len(characteristics) + 1):
            for combination in itertools.combinations(characteristics, size):
                for phase in Phase.values:
                    for process in snapshot["processes"]:
                        for perspective in process["perspectives"]:
                            applicable = [
                                q["code"] for q in perspective["questions"]
                                if scoring.applicability(scoring.conditions_of(q), q["phases"],
                                                         combination, phase)[0]
                            ]
                            self.assertGreaterEqual(
                                len(applicable), 3,
                                f"perspective {perspective['number']}, {phase}, {combination}")
                            checked += 1
        self.assertEqual(checked, 2 ** len(characteristics) * len(Phase.values) * 10)

    def test_three_questions_per_perspective_apply_to_every_project(self):
        for process in content_snapshot()["processes"]:
            for perspective in process["perspectives"]:
                universal = [q for q in perspective["questions"]
                             if not q["applies_when"] and not q["phases"]]
                self.assertGreaterEqual(len(universal), 3, perspective["number"])

    def test_experiments_and_living_lab_questions_are_conditional(self):
        snapshot = content_snapshot()
        texts = {q["code"]: q for _p, q in questions_of(snapshot)}
        for code in ("3.4", "3.5"):
            self.assertEqual(texts[code]["applies_when"], [Characteristic.EXPERIMENT])
        for _perspective, question in questions_of(snapshot):
            if "het experiment" in question["text"]["nl"].lower() and not question["applies_when"]:
                self.fail(f"{question['code']} assumes an experiment but applies to every project")


class OneQuestionPerConcernTests(TestCase):
    def test_no_two_questions_that_can_be_active_together_ask_the_same(self):
        questions = {q["code"]: q for _p, q in questions_of(content_snapshot())}
        scores = similarities({code: document(q) for code, q in questions.items()})
        too_similar = [
            (a, b, round(score, 2)) for (a, b), score in scores.items()
            if a < b and score >= DUPLICATE_THRESHOLD
            and can_be_active_together(questions[a], questions[b])
        ]
        self.assertEqual(too_similar, [])

    def test_the_check_flags_duplicates_of_the_first_questionnaire_and_of_todays(self):
        old = json.loads(OLD_DUPLICATES.read_text(encoding="utf-8"))["questions"]
        documents = {q["code"]: " ".join([q["text"], q["help_text"], *q["scale"]]) for q in old}
        documents.update({q["code"]: document(q) for _p, q in questions_of(content_snapshot())})
        scores = similarities(documents)
        # Pairs the first questionnaire asked twice, and old questions that would creep back
        # next to the question that now carries their concern.
        for pair in [("old-2.4", "old-7.3"), ("old-5.2", "old-9.4"), ("old-7.4", "7.5"),
                     ("old-6.4", "6.4"), ("old-9.4", "9.4")]:
            self.assertGreaterEqual(scores[pair], DUPLICATE_THRESHOLD, pair)


class TextsAreRightTests(TestCase):
    def setUp(self):
        self.snapshot = content_snapshot()
        self.questions = [q for _p, q in questions_of(self.snapshot)]

    def test_every_level_is_written_out_in_full_and_distinct_in_both_languages(self):
        for question in self.questions:
            for language in ("nl", "en"):
                levels = [level[language].strip() for level in question["scale"]]
                self.assertEqual(len(levels), 5)
                self.assertTrue(all(levels), question["code"])
                self.assertEqual(len(set(levels)), 5, question["code"])
                for level in levels:
                    self.assertNotRegex(level, r"(?i)\b(als niveau|as level)\b", question["code"])

    def test_minimum_requirements_have_their_basis_threshold_and_what_to_do(self):
        found = {q["code"]: q["minimum"] for q in self.questions if q["minimum"]}
        self.assertEqual(set(found), set(MINIMUMS))
        for code, minimum in found.items():
            basis, kind = MINIMUMS[code]
            self.assertIn(basis, minimum["basis"]["nl"], code)
            self.assertTrue(minimum["basis"]["en"], code)
            self.assertEqual(minimum["basis_kind"], kind, code)
            self.assertIn(minimum["level"], (1, 2, 3, 4), code)
            self.assertTrue(minimum["action"]["nl"] and minimum["action"]["en"], code)

    def test_the_norm_that_is_not_law_says_so(self):
        bio = next(q for q in self.questions if q["code"] == "7.3")
        self.assertIn("geen wet", bio["help_text"]["nl"].lower())

    def test_levels_0_and_1_carry_a_next_step_and_who_takes_it(self):
        for question in self.questions:
            for level in ("0", "1"):
                step = question["next_steps"].get(level)
                self.assertIsNotNone(step, f"{question['code']} level {level}")
                self.assertIn(step["role"], StepRole.values)
                self.assertTrue(step["text"]["nl"] and step["text"]["en"])

    def test_every_question_says_where_it_comes_from_in_the_report(self):
        for question in self.questions:
            self.assertRegex(question["report_basis"]["nl"], r"Zichtlijn \d+", question["code"])

    def test_one_term_for_residents(self):
        for question in self.questions:
            texts = [question["text"]["nl"], question["help_text"]["nl"],
                     *(level["nl"] for level in question["scale"]),
                     *(step["text"]["nl"] for step in question["next_steps"].values())]
            for text in texts:
                self.assertNotRegex(text, r"(?i)\b(burgers?|bewoners?)\b", question["code"])

    def test_english_uses_official_names(self):
        for question in self.questions:
            english = " ".join([question["text"]["en"], question["help_text"]["en"],
                                *(level["en"] for level in question["scale"])])
            self.assertNotRegex(english, r"\badministrators?\b", question["code"])
            if "IAMA" in english:
                self.assertIn("FRAIA", english.replace("IAMA", ""), question["code"])

    def test_no_legally_wrong_dpia_advice(self):
        for process in self.snapshot["processes"]:
            for perspective in process["perspectives"]:
                for text in perspective["advice"].values():
                    self.assertNotIn("zo snel mogelijk een DPIA", text["nl"])
                    self.assertNotIn("risico’s zijn in beeld", text["nl"])

    def test_advice_above_attention_does_not_talk_of_unmet_minimums(self):
        # An unmet minimum caps its perspective at "aandacht nodig": the other bands never see one.
        for process in self.snapshot["processes"]:
            for perspective in process["perspectives"]:
                for band in ("ontwikkeling", "op_orde"):
                    for language in ("nl", "en"):
                        self.assertNotRegex(perspective["advice"][band][language],
                                            r"(?i)minimum", (perspective["number"], band))

    def test_efficiency_is_one_of_the_public_values(self):
        self.assertTrue(PublicValue.objects.filter(code="efficientie", name_nl="Efficiëntie").exists())

    def test_instruments_named_in_the_issue_exist_and_are_linked(self):
        codes = set(Instrument.objects.values_list("code", flat=True))
        self.assertLessEqual(REQUIRED_INSTRUMENTS, codes)
        linked = {code for q in self.questions for code in q["instruments"]}
        self.assertLessEqual(linked, codes)
        for instrument in self.snapshot["instruments"]:
            for language in ("nl", "en"):
                self.assertTrue(instrument["name"][language] and instrument["purpose"][language])
