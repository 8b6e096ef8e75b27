"""Data migrations of questionnaire release 2026-11, run for real on a database of the first one.

These tests migrate the schema back and forth, so they run after the other database tests (see
conftest.py): afterwards the database is flushed and the next tests load the content again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [("assessments", "0003_freeze_content_by_revision"),
          ("perspectives", "0003_content_revision")]
AFTER = [("assessments", "0005_labels_and_frozen_result"),
         ("perspectives", "0004_release_2026_11")]

OLD_SNAPSHOT = {
    "revision": "oldrevision1",
    "processes": [{
        "code": "waarderen", "title": {"nl": "Waarderen", "en": "Valuing"}, "summary": {},
        "perspectives": [
            {"number": 1, "title": {"nl": "P1", "en": "P1"}, "summary": {}, "explanation": {},
             "public_values": [], "advice": {},
             "questions": [
                 {"id": 1001, "code": "1.1", "weight": 2, "applies_when": "", "text": {},
                  "help_text": {}, "scale": [{}] * 5},
                 {"id": 1002, "code": "1.2", "weight": 1, "applies_when": "algorithms",
                  "text": {}, "help_text": {}, "scale": [{}] * 5},
                 {"id": 1003, "code": "1.3", "weight": 1, "applies_when": "personal_data",
                  "text": {}, "help_text": {}, "scale": [{}] * 5},
             ]},
            {"number": 2, "title": {"nl": "P2", "en": "P2"}, "summary": {}, "explanation": {},
             "public_values": [], "advice": {},
             "questions": [
                 {"id": 1004, "code": "2.1", "weight": 1, "applies_when": "", "text": {},
                  "help_text": {}, "scale": [{}] * 5},
             ]},
        ],
    }],
}


@pytest.mark.flushes_db
class ReleaseMigrationTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    @staticmethod
    def a_perspective(apps):
        """A perspective to hang questions on (the tests before this one may have emptied the
        database)."""
        Process = apps.get_model("perspectives", "Process")
        Perspective = apps.get_model("perspectives", "Perspective")
        process, _created = Process.objects.get_or_create(
            code="waarderen", defaults={"title": "Waarderen", "summary": "-", "explanation": "-"})
        perspective, _created = Perspective.objects.get_or_create(
            number=1, defaults={"process": process, "title": "P1", "summary": "-",
                                "explanation": "-"})
        return perspective

    def test_old_projects_and_completed_assessments_are_migrated(self):
        apps = self.migrate(BEFORE)
        User = apps.get_model("auth", "User")
        Municipality = apps.get_model("assessments", "Municipality")
        Project = apps.get_model("assessments", "Project")
        Assessment = apps.get_model("assessments", "Assessment")
        Answer = apps.get_model("assessments", "Answer")
        Question = apps.get_model("perspectives", "Question")
        ContentRevision = apps.get_model("perspectives", "ContentRevision")

        user = User.objects.create(username="oud")
        town = Municipality.objects.create(name="Oudstad", cbs_code="GM0999")
        chatbot = Project.objects.create(municipality=town, owner=user, name="Chatbot",
                                         phase="beheer", uses_algorithms=True,
                                         involves_citizens=True)
        pilot = Project.objects.create(municipality=town, owner=user, name="Sensoren",
                                       phase="experiment")
        Project.objects.create(municipality=town, owner=user, name="Living lab",
                               phase="beheer", in_public_space=True)
        perspective = self.a_perspective(apps)
        for pk, code in [(1001, "x1.1"), (1002, "x1.2"), (1003, "x1.3"), (1004, "x2.1")]:
            Question.objects.create(pk=pk, perspective=perspective, code=code, text="?",
                                    help_text="?", scale_0="0", scale_1="1", scale_2="2",
                                    scale_3="3", scale_4="4",
                                    applies_when="algorithms" if pk == 1002 else "")
        revision = ContentRevision.objects.create(revision="oldrevision1", snapshot=OLD_SNAPSHOT)
        completed = Assessment.objects.create(
            project=chatbot, status="afgerond", started_by=user, completed_by=user,
            content=revision, characteristics=["algorithms", "citizens"], overall_score=56)
        for question_id, kind, score in [(1001, "score", 3), (1002, "unknown", None),
                                         (1003, "score", 4), (1004, "na", None)]:
            Answer.objects.create(assessment=completed, question_id=question_id, kind=kind,
                                  score=score, na_reason="Geen" if kind == "na" else "")
        concept = Assessment.objects.create(project=pilot, started_by=user)

        apps = self.migrate(AFTER)
        Project = apps.get_model("assessments", "Project")
        Assessment = apps.get_model("assessments", "Assessment")
        Question = apps.get_model("perspectives", "Question")

        chatbot = Project.objects.get(name="Chatbot")
        self.assertTrue(chatbot.uses_impactful_algorithm and chatbot.uses_ai)
        self.assertTrue(chatbot.citizens_participate and chatbot.citizens_affected)
        self.assertFalse(chatbot.is_experiment)
        pilot = Project.objects.get(name="Sensoren")
        self.assertTrue(pilot.is_experiment)
        self.assertFalse(pilot.in_public_space or pilot.uses_ai or pilot.citizens_affected
                         or pilot.has_public_channel)
        # "publieke ruimte / living lab" meant both: a living lab in any phase stays one.
        living_lab = Project.objects.get(name="Living lab")
        self.assertTrue(living_lab.in_public_space and living_lab.is_experiment)

        self.assertEqual(Question.objects.get(pk=1002).applies_when, ["impactful_algorithm"])
        self.assertEqual(Question.objects.get(pk=1001).applies_when, [])

        result = Assessment.objects.get(pk=completed.pk).result
        # As the first release scored it: (2*3 + 0) / (3*4) = 50 for perspective 1 ("weet ik niet"
        # is 0; 1.3 needs personal data, which this project had not); perspective 2 n.v.t.
        self.assertEqual(result["perspectives"]["1"]["score"], 50)
        self.assertEqual(result["perspectives"]["1"]["unknown"], 1)
        self.assertIsNone(result["perspectives"]["2"]["score"])
        self.assertEqual(result["questions"]["1.3"]["reason"], ["characteristic", "personal_data"])
        self.assertEqual(result["questions"]["1.2"]["answer"]["kind"], "unknown")
        self.assertEqual(result["overall"]["score"], 50)
        self.assertEqual(Assessment.objects.get(pk=completed.pk).overall_score, 50)
        self.assertEqual(result["phase"], "beheer")
        self.assertEqual((result["unmet"], result["next_steps"], result["instruments"]),
                         ([], [], []))
        self.assertIsNone(Assessment.objects.get(pk=concept.pk).result)

    def test_extra_concepts_of_a_project_are_resolved_without_losing_answers(self):
        apps = self.migrate([("assessments", "0005_labels_and_frozen_result"),
                             ("perspectives", "0004_release_2026_11")])
        User = apps.get_model("auth", "User")
        Municipality = apps.get_model("assessments", "Municipality")
        Project = apps.get_model("assessments", "Project")
        Assessment = apps.get_model("assessments", "Assessment")
        Answer = apps.get_model("assessments", "Answer")
        Question = apps.get_model("perspectives", "Question")
        user = User.objects.create(username="dubbel")
        town = Municipality.objects.create(name="Dubbelstad", cbs_code="GM0997")
        project = Project.objects.create(municipality=town, owner=user, name="Twee concepten")
        older = Assessment.objects.create(project=project, started_by=user)
        newer = Assessment.objects.create(project=project, started_by=user)
        empty = Assessment.objects.create(project=project, started_by=user)
        question = Question.objects.create(
            perspective=self.a_perspective(apps), code="x9.9", text="?", help_text="?",
            scale_0="0", scale_1="1", scale_2="2", scale_3="3", scale_4="4")
        for concept in (older, newer):
            Answer.objects.create(assessment=concept, question=question, kind="score", score=2)
        alone = Project.objects.create(municipality=town, owner=user, name="Eén concept")
        single = Assessment.objects.create(project=alone, started_by=user)

        apps = self.migrate([("assessments", "0007_one_concept_constraint"),
                             ("perspectives", "0004_release_2026_11")])
        Assessment = apps.get_model("assessments", "Assessment")
        self.assertFalse(Assessment.objects.filter(pk=empty.pk).exists())
        self.assertEqual(Assessment.objects.get(pk=newer.pk).status, "concept")
        self.assertEqual(Assessment.objects.get(pk=older.pk).status, "vervangen")
        self.assertEqual(Assessment.objects.get(pk=older.pk).answers.count(), 1)
        self.assertEqual(Assessment.objects.get(pk=single.pk).status, "concept")

    def test_example_permissions_are_renamed_on_an_existing_installation(self):
        """Django names permissions once, when it creates them: the migration renames them."""
        apps = self.migrate([("examples", "0002_withdraw_permission")])
        Permission = apps.get_model("auth", "Permission")
        examples = Permission.objects.filter(content_type__app_label="examples")
        examples.filter(codename="view_publishedexample").update(
            name="Can view gepubliceerd voorbeeld")
        examples.filter(codename="withdraw_publishedexample").update(
            name="Mag gepubliceerde voorbeelden intrekken")
        self.migrate([("examples", "0003_example_verbose_name")])
        self.assertEqual(
            dict(examples.filter(codename__in=["view_publishedexample",
                                               "withdraw_publishedexample"])
                 .values_list("codename", "name")),
            {"view_publishedexample": "Can view voorbeeld",
             "withdraw_publishedexample": "Mag voorbeelden intrekken"})
        self.migrate([("examples", "0002_withdraw_permission")])
        self.assertEqual(examples.get(codename="view_publishedexample").name,
                         "Can view gepubliceerd voorbeeld")
