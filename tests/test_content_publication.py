"""Editors change a draft; users see it only once it is published."""

from django.core.cache import cache
from django.urls import reverse

from assessments import readmodel, services
from assessments.models import Assessment
from perspectives import selectors
from perspectives.models import PUBLICATION_NOTE_MAX, ContentRevision, Perspective, Question
from perspectives.services import DraftChanged, NothingToPublish, content_publish

from .base import BaseTestCase, completed_assessment


def question_codes(snapshot) -> set[str]:
    return {q["code"] for process in snapshot["processes"] for p in process["perspectives"]
            for q in p["questions"]}


class PublicationTests(BaseTestCase):
    def edit_title(self, text="Verhelder nut – concepttitel"):
        perspective = Perspective.objects.get(number=1)
        perspective.title_nl = text
        perspective.save()
        return text

    def test_a_draft_change_is_invisible_until_published(self):
        title = self.edit_title()
        self.assertNotContains(self.client.get(reverse("perspectives:index")), title)
        project = self.make_project(self.utrecht, self.alice)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        self.assertNotEqual(readmodel.assessment_result(assessment).perspectives[0].title, title)

        publication = content_publish(user=self.vng, note="Titel 1 herzien")
        self.assertContains(self.client.get(reverse("perspectives:index")), title)
        self.assertEqual(readmodel.assessment_result(assessment).perspectives[0].title, title)
        self.assertEqual((publication.published_by, publication.note),
                         (self.vng, "Titel 1 herzien"))

    def test_a_question_added_in_the_draft_is_not_asked_before_publishing(self):
        question = Question.objects.get(code="1.1")
        question.pk = None
        question.code = "1.9"
        question.save()
        project = self.make_project(self.utrecht, self.alice)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        self.client.force_login(self.alice)
        step = self.client.get(reverse("assessments:step", args=[assessment.pk, 1]))
        self.assertNotContains(step, f"q{question.pk}-answer")
        autosave = self.client.post(
            reverse("assessments:answer_autosave", args=[assessment.pk, question.pk]),
            {f"q{question.pk}-answer": "2", f"q{question.pk}-version": "0"})
        self.assertEqual(autosave.status_code, 404)
        content_publish(user=self.vng, note="Vraag 1.9 toegevoegd")
        step = self.client.get(reverse("assessments:step", args=[assessment.pk, 1]))
        self.assertContains(step, f"q{question.pk}-answer")

    def test_a_completed_assessment_keeps_its_publication(self):
        completed = completed_assessment(self.utrecht, self.alice)
        first = completed.content
        self.assertEqual(first.number, selectors.content_revision_current().number)
        title = self.edit_title()
        content_publish(user=self.vng, note="Nieuwe titel")
        completed = Assessment.objects.get(pk=completed.pk)
        self.assertEqual(completed.content, first)
        result = readmodel.assessment_result(completed)
        self.assertNotEqual(result.perspectives[0].title, title)
        self.assertEqual(result.publication.number, first.number)

    def test_reopening_copies_answers_to_published_questions_only(self):
        completed = completed_assessment(self.utrecht, self.alice)
        Question.objects.filter(code="1.1").update(is_active=False)
        selectors.content_changed()
        copy = services.assessment_reopen(assessment=completed, user=self.alice)
        self.assertTrue(copy.answers.filter(question__code="1.1").exists())

    def test_the_publication_number_and_date_are_in_the_snapshot(self):
        before = selectors.content_snapshot()["publication"]["number"]
        self.edit_title()
        publication = content_publish(user=self.vng, note="x")
        snapshot = selectors.content_snapshot()
        self.assertEqual(snapshot["publication"]["number"], before + 1)
        self.assertEqual(publication.number, before + 1)
        project = self.make_project(self.utrecht, self.alice)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        view = readmodel.assessment_result(assessment).publication
        self.assertEqual((view.number, view.published_at), (publication.number,
                                                            publication.published_at))

    def test_publishing_an_unchanged_draft_is_refused(self):
        with self.assertRaises(NothingToPublish):
            content_publish(user=self.vng, note="Niets")

    def test_every_process_moves_to_a_new_publication(self):
        """App servers share the cache; each keeps its own copy only while it is the latest."""
        old = selectors.content_snapshot()
        title = self.edit_title()
        # Another server publishes: only the shared cache and the database change here.
        saved_memo = dict(selectors._published)
        content_publish(user=self.vng, note="Elders gepubliceerd")
        selectors._published.update(saved_memo)
        new = selectors.content_snapshot()
        self.assertNotEqual(old["publication"]["number"], new["publication"]["number"])
        self.assertEqual(new["processes"][0]["perspectives"][0]["title"]["nl"], title)
        # With the cache emptied (a restarted Redis), the database still says which is latest.
        cache.clear()
        selectors.content_snapshot_forget()
        self.assertEqual(selectors.content_snapshot()["publication"], new["publication"])

    def test_a_database_without_publications_publishes_its_content_on_first_use(self):
        ContentRevision.objects.all().delete()  # none were published before this existed
        cache.clear()
        selectors.content_snapshot_forget()
        snapshot = selectors.content_snapshot()
        self.assertEqual(snapshot["publication"]["number"], 1)


class PublishPageTests(BaseTestCase):
    url = reverse("admin:perspectives_publication_publish")

    def setUp(self):
        self.client.force_login(self.vng)

    def test_editor_publishes_with_a_note_and_sees_the_list(self):
        perspective = Perspective.objects.get(number=2)
        perspective.summary_nl = "Nieuwe samenvatting."
        perspective.save()
        page = self.client.get(self.url)
        self.assertContains(page, "Perspectief 2: gewijzigd")
        draft = page.context["form"]["draft"].value()
        response = self.client.post(self.url, {"note": "  Samenvatting 2\u202e herzien ",
                                               "draft": draft})
        self.assertRedirects(response, reverse("admin:perspectives_publication_changelist"))
        latest = selectors.content_publications().first()
        self.assertEqual(latest.note, "Samenvatting 2 herzien")
        listing = self.client.get(reverse("admin:perspectives_publication_changelist"))
        self.assertContains(listing, "Samenvatting 2 herzien")
        self.assertContains(self.client.get("/"), "Nieuwe samenvatting.")

    def test_a_note_is_required_and_limited(self):
        perspective = Perspective.objects.get(number=2)
        perspective.summary_nl = "Nieuwe samenvatting."
        perspective.save()
        draft = self.client.get(self.url).context["form"]["draft"].value()
        count = ContentRevision.objects.count()
        for note in ("", " \u200b ", "x" * (PUBLICATION_NOTE_MAX + 1)):
            with self.subTest(note=note[:5]):
                response = self.client.post(self.url, {"note": note, "draft": draft})
                self.assertEqual(response.status_code, 400)
        self.assertEqual(ContentRevision.objects.count(), count)

    def test_a_draft_changed_while_reviewing_is_shown_again_not_published(self):
        draft = self.client.get(self.url).context["form"]["draft"].value()
        perspective = Perspective.objects.get(number=3)
        perspective.title_nl = "Door een collega gewijzigd"
        perspective.save()
        count = ContentRevision.objects.count()
        response = self.client.post(self.url, {"note": "Mijn wijziging", "draft": draft})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Perspectief 3: gewijzigd", status_code=409)
        self.assertEqual(ContentRevision.objects.count(), count)

    def test_the_reviewed_draft_is_compared_under_the_content_lock(self):
        """The page compared the reviewed draft before publishing: a colleague's save landing
        in between was published unreviewed. The publication compares it itself, locked."""
        draft = selectors.content_draft_snapshot()["revision"]
        perspective = Perspective.objects.get(number=3)
        perspective.title_nl = "Door een collega gewijzigd"
        perspective.save()
        count = ContentRevision.objects.count()
        with self.assertRaises(DraftChanged):
            content_publish(user=self.vng, note="Nagekeken", reviewed=draft)
        self.assertEqual(ContentRevision.objects.count(), count)
        fresh = selectors.content_draft_snapshot()["revision"]
        publication = content_publish(user=self.vng, note="Nagekeken", reviewed=fresh)
        self.assertTrue(publication.revision.startswith(fresh))

    def test_only_editors_with_the_permission_may_publish(self):
        from django.contrib.auth.models import User

        staff = User.objects.create_user("staff", password="x" * 12, is_staff=True)
        self.client.force_login(staff)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 302)  # to the admin login


class PreviewTests(BaseTestCase):
    def test_preview_shows_the_draft_to_staff_only_and_is_not_cached(self):
        perspective = Perspective.objects.get(number=5)
        perspective.title_nl = "Conceptitel vijf"
        perspective.save()
        question = Question.objects.get(code="5.1")
        question.text_nl = "Een conceptvraag?"
        question.save()
        index = reverse("admin:perspectives_publication_preview")
        step = reverse("admin:perspectives_publication_preview_perspective", args=[5])
        for user in (None, self.alice):
            if user:
                self.client.force_login(user)
            for url in (index, step):
                with self.subTest(user=user, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertNotContains(response, "Conceptitel vijf", status_code=302)
        self.client.force_login(self.vng)
        response = self.client.get(index)
        self.assertContains(response, "Conceptitel vijf")
        self.assertIn("no-store", response["Cache-Control"])
        response = self.client.get(step)
        self.assertContains(response, "Een conceptvraag?")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(self.client.get(reverse(
            "admin:perspectives_publication_preview_perspective", args=[99])).status_code, 404)
        self.assertNotContains(self.client.get("/"), "Conceptitel vijf")
