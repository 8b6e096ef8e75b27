from django.conf import settings
from django.test import TestCase

from perspectives.models import Advice, Band, Perspective, Process, PublicValue, Question
from perspectives.selectors import content_snapshot
from perspectives.services import content_load

LANGUAGES = [code for code, _ in settings.LANGUAGES]


class ContentFixtureTests(TestCase):
    def test_five_processes_and_ten_perspectives_two_per_process(self):
        self.assertEqual(Process.objects.count(), 5)
        self.assertEqual(
            list(Perspective.objects.values_list("number", flat=True)), list(range(1, 11))
        )
        for process in Process.objects.all():
            self.assertEqual(process.perspectives.count(), 2, process.code)
        self.assertEqual(
            list(Process.objects.values_list("code", flat=True)),
            ["waarderen", "experimenteren", "kansen-grijpen", "risicos-verzachten",
             "samen-werken-en-leren"],
        )

    def test_report_titles_are_used(self):
        self.assertEqual(Perspective.objects.get(number=4).title_nl,
                         "Regel de ethiek van het living lab")
        self.assertEqual(Perspective.objects.get(number=6).title_nl,
                         "Innoveer vanuit maatschappelijk transitieperspectief")

    def test_each_perspective_has_three_active_questions_and_one_advice_per_band(self):
        for perspective in Perspective.objects.all():
            active = perspective.questions.filter(is_active=True)
            self.assertGreaterEqual(active.count(), 3, perspective.number)
            self.assertGreaterEqual(active.filter(applies_when="").count(), 2)
            self.assertEqual(
                sorted(perspective.advice.values_list("band", flat=True)), sorted(Band.values)
            )
        self.assertGreaterEqual(Question.objects.filter(is_active=True).count(), 30)

    def test_living_lab_questions_apply_only_to_public_space_projects(self):
        self.assertTrue(
            Question.objects.filter(perspective__number=4, applies_when="public_space").exists()
        )

    def test_public_values_of_the_report(self):
        self.assertEqual(
            set(PublicValue.objects.values_list("name_nl", flat=True)),
            {"Privacy", "Veiligheid", "Autonomie", "Controle over technologie",
             "Menselijke waardigheid", "Rechtvaardigheid", "Machtsverhoudingen"},
        )

    def test_no_empty_texts_in_any_language(self):
        checks = [
            (Process, ["title", "summary", "explanation"]),
            (Perspective, ["title", "summary", "explanation"]),
            (Question, ["text", "help_text", "scale_0", "scale_1", "scale_2", "scale_3",
                        "scale_4"]),
            (Advice, ["text"]),
            (PublicValue, ["name", "description"]),
        ]
        for model, fields in checks:
            for obj in model.objects.all():
                for field in fields:
                    for language in LANGUAGES:
                        value = getattr(obj, f"{field}_{language}")
                        self.assertTrue(value and value.strip(),
                                        f"{model.__name__} {obj.pk} {field}_{language} is empty")

    def test_languages_differ(self):
        perspective = Perspective.objects.get(number=1)
        self.assertNotEqual(perspective.title_nl, perspective.title_en)

    def test_loading_again_creates_nothing_and_keeps_editor_changes(self):
        perspective = Perspective.objects.get(number=3)
        perspective.title_nl = "Aangepast door de VNG"
        perspective.save()
        counts = [m.objects.count() for m in (Process, Perspective, Question, Advice, PublicValue)]
        result = content_load()
        self.assertEqual(result.created, 0)
        self.assertEqual(
            counts,
            [m.objects.count() for m in (Process, Perspective, Question, Advice, PublicValue)],
        )
        perspective.refresh_from_db()
        self.assertEqual(perspective.title_nl, "Aangepast door de VNG")

    def test_snapshot_holds_both_languages_and_a_stable_revision(self):
        snapshot = content_snapshot()
        first = snapshot["processes"][0]["perspectives"][0]
        self.assertEqual(set(first["title"]), set(LANGUAGES))
        self.assertEqual(len(first["questions"][0]["scale"]), 5)
        self.assertEqual(snapshot["revision"], content_snapshot()["revision"])
        question = Question.objects.first()
        question.text_nl = "Een nieuwe formulering"
        question.save()
        self.assertNotEqual(snapshot["revision"], content_snapshot()["revision"])

    def test_deactivated_questions_leave_the_snapshot(self):
        question = Question.objects.get(code="1.1")
        question.is_active = False
        question.save()
        codes = [q["code"] for p in content_snapshot()["processes"]
                 for pp in p["perspectives"] for q in pp["questions"]]
        self.assertNotIn("1.1", codes)


class ContentSnapshotCacheTests(TestCase):
    def test_snapshot_is_reused_until_content_changes(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        first = content_snapshot()
        with CaptureQueriesContext(connection) as queries:
            again = content_snapshot()
        self.assertIs(first, again)
        self.assertEqual(len(queries), 0)
        advice = Advice.objects.get(perspective__number=2, band="op_orde")
        advice.text_en = "Edited advice"
        advice.save()
        changed = content_snapshot()
        texts = [p["advice"]["op_orde"]["en"] for proc in changed["processes"]
                 for p in proc["perspectives"] if p["number"] == 2]
        self.assertEqual(texts, ["Edited advice"])
        self.assertNotEqual(first["revision"], changed["revision"])
