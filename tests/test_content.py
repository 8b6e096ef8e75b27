import re

from django.conf import settings
from django.test import TestCase

from perspectives.models import Advice, Band, Perspective, Process, PublicValue, Question
from perspectives.selectors import content_draft_snapshot, content_snapshot
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
            active = [q for q in perspective.questions.all() if q.is_active]
            self.assertGreaterEqual(len(active), 3, perspective.number)
            self.assertGreaterEqual(
                sum(1 for q in active if not q.applies_when and not q.phases), 3)
            self.assertEqual(
                sorted(perspective.advice.values_list("band", flat=True)), sorted(Band.values)
            )
        self.assertGreaterEqual(Question.objects.filter(is_active=True).count(), 40)

    def test_public_space_questions_apply_only_to_public_space_projects(self):
        living_lab = Question.objects.get(code="4.5")
        self.assertEqual(sorted(living_lab.applies_when), ["personal_data", "public_space"])

    def test_public_values_of_the_report(self):
        self.assertEqual(
            set(PublicValue.objects.values_list("name_nl", flat=True)),
            {"Privacy", "Veiligheid", "Autonomie", "Controle over technologie",
             "Menselijke waardigheid", "Rechtvaardigheid", "Machtsverhoudingen", "Efficiëntie"},
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

    def test_every_text_fits_what_the_admin_accepts(self):
        """load_content writes the fixtures without the admin's validation: a text longer than
        its field's limit was loaded, and then no editor could save that question at all."""
        from perspectives.models import Instrument

        for model in (Process, Perspective, Question, Advice, PublicValue, Instrument):
            for obj in model.objects.all():
                with self.subTest(model=model.__name__, obj=str(obj)[:40]):
                    obj.full_clean(validate_unique=False, validate_constraints=False)
                    # A TextField's max_length binds only its form field (the admin's), not
                    # full_clean: checked here for every field and language.
                    too_long = {field.attname: len(getattr(obj, field.attname))
                                for field in model._meta.fields
                                if field.max_length and isinstance(getattr(obj, field.attname),
                                                                   str)
                                and len(getattr(obj, field.attname)) > field.max_length}
                    self.assertEqual(too_long, {})

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

    def test_loading_again_keeps_links_an_editor_removed(self):
        question = Question.objects.get(code="7.5")
        self.assertTrue(question.instruments.exists())
        question.instruments.clear()
        question.public_values.clear()
        content_load()
        self.assertFalse(question.instruments.exists())
        self.assertFalse(question.public_values.exists())

    def test_snapshot_holds_both_languages_and_a_stable_revision(self):
        snapshot = content_draft_snapshot()
        first = snapshot["processes"][0]["perspectives"][0]
        self.assertEqual(set(first["title"]), set(LANGUAGES))
        self.assertEqual(len(first["questions"][0]["scale"]), 5)
        self.assertEqual(snapshot["revision"], content_draft_snapshot()["revision"])
        self.assertEqual(snapshot["revision"], content_snapshot()["revision"])  # all published
        question = Question.objects.first()
        question.text_nl = "Een nieuwe formulering"
        question.save()
        self.assertNotEqual(snapshot["revision"], content_draft_snapshot()["revision"])

    def test_deactivated_questions_leave_the_snapshot(self):
        question = Question.objects.get(code="1.1")
        question.is_active = False
        question.save()
        codes = [q["code"] for p in content_draft_snapshot()["processes"]
                 for pp in p["perspectives"] for q in pp["questions"]]
        self.assertNotIn("1.1", codes)


class ContentSnapshotCacheTests(TestCase):
    def test_snapshot_is_reused_until_content_changes(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        first = content_draft_snapshot()
        published = content_snapshot()
        with CaptureQueriesContext(connection) as queries:
            again = content_draft_snapshot()
            self.assertIs(published, content_snapshot())
        self.assertIs(first, again)
        self.assertEqual(len(queries), 0)
        advice = Advice.objects.get(perspective__number=2, band="op_orde")
        advice.text_en = "Edited advice"
        advice.save()
        changed = content_draft_snapshot()
        texts = [p["advice"]["op_orde"]["en"] for proc in changed["processes"]
                 for p in proc["perspectives"] if p["number"] == 2]
        self.assertEqual(texts, ["Edited advice"])
        self.assertNotEqual(first["revision"], changed["revision"])


class ContentReleaseTests(TestCase):
    """A new release of the questionnaire replaces the questions without moving any answer."""

    def next_release(self, directory):
        import json
        import shutil
        from pathlib import Path

        from perspectives.services import CONTENT_DIR

        target = Path(directory)
        for path in CONTENT_DIR.glob("*.json"):
            shutil.copy(path, target / path.name)
        base = json.loads((target / "base.json").read_text(encoding="utf-8"))
        base["release"] = "2027-05"
        (target / "base.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
        first = json.loads((target / "perspective-01.json").read_text(encoding="utf-8"))
        first["questions"][0]["text"]["nl"] = "Welk publiek doel dient dit project (2027)?"
        first["advice"]["aandacht"]["nl"] = "Nieuw advies voor 2027."
        (target / "perspective-01.json").write_text(json.dumps(first, ensure_ascii=False),
                                                    encoding="utf-8")
        return target

    def test_a_new_release_retires_the_old_questions_and_keeps_their_answers(self):
        import tempfile

        from django.contrib.auth.models import User

        from assessments.models import Answer, AnswerKind, Assessment, Municipality, Project
        from perspectives.models import ContentRelease

        user = User.objects.create_user("x")
        project = Project.objects.create(
            municipality=Municipality.objects.create(name="X", cbs_code="GM0001"),
            owner=user, name="P")
        assessment = Assessment.objects.create(project=project, started_by=user)
        old = Question.objects.get(code="1.1")
        Answer.objects.create(assessment=assessment, question=old, kind=AnswerKind.SCORE, score=2)
        with tempfile.TemporaryDirectory() as directory:
            result = content_load(directory=self.next_release(directory))
            self.assertEqual(result.retired, Question.objects.filter(is_active=False).count())
            old.refresh_from_db()
            self.assertEqual((old.code, old.is_active), ("2026-11-1.1", False))
            self.assertEqual(Answer.objects.get(assessment=assessment).question, old)
            new = Question.objects.get(code="1.1")
            self.assertNotEqual(new.pk, old.pk)
            self.assertEqual(new.text_nl, "Welk publiek doel dient dit project (2027)?")
            self.assertTrue(new.is_active)
            self.assertEqual(Advice.objects.get(perspective__number=1, band="aandacht").text_nl,
                             "Nieuw advies voor 2027.")
            self.assertEqual(ContentRelease.objects.first().code, "2027-05")
            self.assertEqual(content_snapshot()["release"], "2027-05")
            again = content_load(directory=self.next_release(directory))
            self.assertEqual((again.created, again.retired), (0, 0))
        from assessments.readmodel import assessment_result

        # The concept's old answer is kept and said to be, not silently dropped.
        self.assertEqual(assessment_result(Assessment.objects.get(pk=assessment.pk))
                         .retired_answers, 1)

    def test_a_long_release_name_still_gives_every_retired_question_its_own_code(self):
        from perspectives.models import ContentRelease
        from perspectives.services import _retire_questions

        ContentRelease.objects.update(code="2027-05-correctie")
        count = Question.objects.filter(is_active=True).count()
        self.assertEqual(_retire_questions(set(), "2027-05-correctie"), count)
        codes = list(Question.objects.values_list("code", flat=True))
        self.assertEqual(len(codes), len(set(codes)))
        self.assertTrue(all(len(code) <= 20 for code in codes))


class LegalStatementTests(TestCase):
    """What a legal review of the content (2026-11-24) corrected stays corrected: these are
    statements an alderman or a municipal lawyer acts on."""

    @staticmethod
    def texts() -> list[str]:
        """Every Dutch and English text of the active questions' help, minimums and next steps,
        of the advice and of the instruments."""
        snapshot = content_snapshot()
        texts = []
        for process in snapshot["processes"]:
            for perspective in process["perspectives"]:
                texts += [text for advice in perspective["advice"].values()
                          for text in advice.values()]
                for question in perspective["questions"]:
                    texts += question["help_text"].values()
                    minimum = question.get("minimum") or {}
                    for part in ("basis", "action"):
                        texts += (minimum.get(part) or {}).values()
                    for step in (question.get("next_steps") or {}).values():
                        texts += step["text"].values()
        for instrument in snapshot["instruments"]:
            texts += [*instrument["applies"].values(), *instrument["legal_basis"].values()]
        return texts

    def test_no_unsupported_or_misplaced_legal_claims(self):
        texts = self.texts()
        self.assertGreater(len(texts), 300)
        for text in texts:
            # No statutory duty to register in the Algoritmeregister is known to be underway.
            self.assertNotRegex(text, r"(?i)wordt voorbereid|in voorbereiding|being prepared")
            # Processing in breach of the GDPR is not the civil-service sponsor's call to go on.
            if "stil" in text or "stopt" in text or "halt" in text:
                self.assertNotIn("laat de opdrachtgever", text)
                self.assertNotRegex(text, r"have the (civil-service |project )?sponsor")
        joined = "\n".join(texts)
        # Art. 169 Gemeentewet: the council's own information right (lid 2) has no public-interest
        # exception; questions of members (lid 3) do.
        self.assertIn("(art. 169 lid 2)", joined)
        self.assertIn("openbaar belang (lid 3)", joined)
        # Camera surveillance in public space is the mayor's power, not the college's.
        self.assertIn("bij cameratoezicht in de openbare ruimte de burgemeester", joined)
        # Art. 150 Gemeentewet obliges the council to adopt a participation bylaw; what a
        # project must do is in that bylaw, not in the article.
        self.assertIn("Art. 150 Gemeentewet verplicht de raad tot deze verordening", joined)


class WordingTests(TestCase):
    def test_the_content_says_perspectief_as_the_interface_does(self):
        """The report's word is "zichtlijn"; users read "perspectief" everywhere else, so a text
        that sent them to "zichtlijn 7" named something no page is called. Only the quotes from
        the report (report_basis) keep its word."""
        found = []

        def walk(value, path):
            if isinstance(value, dict):
                for key, item in value.items():
                    if key != "report_basis":
                        walk(item, f"{path}.{key}")
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, f"{path}[{index}]")
            elif isinstance(value, str) and "zichtlijn" in value.lower():
                found.append(path)

        walk(content_snapshot(), "content")
        self.assertEqual(found, [])

    def test_band_advice_names_a_characteristic_duty_only_with_its_condition(self):
        """Band advice goes to every project in that band: a rules engine without personal data
        or partners was told to keep its DPIA and AI Act classification up to date and to lay
        down an exit strategy. Each such duty now comes with the project it is for."""
        conditions = {"AI-verordening": r"(?i)AI gebruikt|gebruikt het project AI",
                      "DPIA": r"persoonsgegevens|DPIA vereist",
                      "exitstrategie": r"leverancier of partner"}
        for advice in Advice.objects.all():
            for sentence in re.split(r"(?<=[.;:])\s", advice.text_nl):
                for subject, condition in conditions.items():
                    if subject in sentence and "perspectief 7" not in sentence:
                        with self.subTest(advice=str(advice), subject=subject):
                            self.assertRegex(sentence, condition)

    def test_steps_before_a_choice_say_what_to_do_once_the_solution_is_in_use(self):
        """A chatbot in operation was told to hold an exploration session or a market
        consultation, as if nothing had been chosen yet. A step of a question that also
        applies in operation says when to do it there (the next review, renewal or tender)."""
        before_a_choice = re.compile(r"(?i)verkenningssessie|verkenningsnotitie|uitvraag|"
                                     r"marktconsultatie")
        checked = 0
        for question in Question.objects.filter(is_active=True):
            if question.phases and "beheer" not in question.phases:
                continue
            for step in (question.next_step_0_nl, question.next_step_1_nl):
                if before_a_choice.search(step):
                    checked += 1
                    with self.subTest(code=question.code):
                        self.assertRegex(step, r"al in gebruik|al gegund|volgende versie|verlenging")
        self.assertGreaterEqual(checked, 4)

    def test_the_civil_service_sponsor_has_one_english_name(self):
        """The role list calls the ambtelijk opdrachtgever "Civil-service sponsor" (beside the
        political sponsor, the alderman); the texts had four other names for her."""
        pairs = []

        def walk(value):
            if isinstance(value, dict):
                if isinstance(value.get("nl"), str) and isinstance(value.get("en"), str):
                    pairs.append((value["nl"], value["en"]))
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(content_snapshot())
        named = [(nl, en) for nl, en in pairs if "ambtelijk opdrachtgever" in nl.lower()]
        self.assertGreater(len(named), 20)
        for nl, en in named:
            self.assertIn("civil-service sponsor", en.lower(), nl)
        for _nl, en in pairs:
            self.assertNotRegex(en, r"(?i)commissioning the project|commissioned the project|"
                                    r"official sponsoring|project sponsor")
        # Each mention says which one: "de opdrachtgever" alone left an alderman to wonder whether
        # he was to accept the residual security risk (7.3) or the error rate (7.x).
        for nl, en in pairs:
            self.assertNotRegex(nl, r"(?i)(?<!ambtelijk )(?<!bestuurlijk )\bopdrachtgever\b", nl)
            self.assertNotRegex(en, r"(?i)(?<!civil-service )(?<!political )\bsponsor\b", en)
