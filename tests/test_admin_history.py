"""The admin's history records what an editor changed, and nothing else.

Browsers submit the line breaks of every textarea as \\r\\n; texts are stored with \\n. Saving one
field must not record the other texts (in both languages) as changed.
"""

import json

from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from perspectives.models import Advice, Perspective, Question

from .base import BaseTestCase
from .htmlforms import form_data


def as_browser_sends(data: dict) -> dict:
    """Every text with \\r\\n line breaks, as a browser submits a textarea."""
    def crlf(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")

    return {key: crlf(value) if isinstance(value, str) else value for key, value in data.items()}


class ChangeHistoryTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.vng)

    def _save_one_field(self, obj, field: str, value: str, form_id: str):
        url = reverse(f"admin:perspectives_{obj._meta.model_name}_change", args=[obj.pk])
        data = as_browser_sends(form_data(self.client.get(url).content.decode(), form_id=form_id))
        data[field] = value
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        return LogEntry.objects.filter(object_id=str(obj.pk)).latest("pk")

    def _changed(self, entry: LogEntry) -> list:
        return json.loads(entry.change_message)

    def test_one_changed_field_is_the_only_change_recorded(self):
        perspective = Perspective.objects.get(number=1)
        self.assertIn("\n", perspective.explanation_nl)
        self.assertIn("\n", perspective.explanation_en)
        entry = self._save_one_field(perspective, "summary_nl", "Een nieuwe samenvatting.",
                                     "perspective_form")
        self.assertEqual(self._changed(entry), [{"changed": {"fields": ["Korte samenvatting [nl]"]}}])
        # The history page says the same.
        history = self.client.get(
            reverse("admin:perspectives_perspective_history", args=[perspective.pk]))
        self.assertContains(history, "Korte samenvatting [nl]")
        self.assertNotContains(history, "Toelichting [en]")

    def test_texts_keep_their_line_breaks_as_newlines(self):
        perspective = Perspective.objects.get(number=1)
        before = {f: getattr(perspective, f) for f in ("explanation_nl", "explanation_en")}
        self._save_one_field(perspective, "title_en", "A new title", "perspective_form")
        perspective.refresh_from_db()
        for field, text in before.items():
            with self.subTest(field=field):
                self.assertEqual(getattr(perspective, field), text)
                self.assertNotIn("\r", getattr(perspective, field))
        advice = Advice.objects.filter(perspective=perspective)
        self.assertFalse(any("\r" in a.text_nl + a.text_en for a in advice))
        version = Version.objects.get_for_object(perspective).first()
        self.assertNotIn("\\r", version.serialized_data)

    def test_a_question_with_multiline_texts_records_only_the_edited_field(self):
        question = Question.objects.get(code="7.5")
        question.help_text_en = "First line.\nSecond line."
        question.save()
        entry = self._save_one_field(question, "weight", str(question.weight + 1),
                                     "question_form")
        self.assertEqual(self._changed(entry), [{"changed": {"fields": ["Gewicht"]}}])
        question.refresh_from_db()
        self.assertEqual(question.help_text_en, "First line.\nSecond line.")

    def test_nothing_changed_records_no_field(self):
        perspective = Perspective.objects.get(number=3)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        data = as_browser_sends(form_data(self.client.get(url).content.decode(),
                                          form_id="perspective_form"))
        self.assertEqual(self.client.post(url, data).status_code, 302)
        entry = LogEntry.objects.filter(object_id=str(perspective.pk)).latest("pk")
        self.assertEqual(self._changed(entry), [])

    def test_an_edited_advice_in_the_perspective_page_is_the_only_change(self):
        perspective = Perspective.objects.get(number=2)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        data = as_browser_sends(form_data(self.client.get(url).content.decode(),
                                          form_id="perspective_form"))
        data["advice-0-text_en"] = "Edited advice\r\n\r\n- one\r\n- two"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        entry = LogEntry.objects.filter(object_id=str(perspective.pk)).latest("pk")
        changes = self._changed(entry)
        self.assertEqual(len(changes), 1, changes)
        self.assertEqual(changes[0]["changed"]["fields"], ["Advies [en]"])
        self.assertEqual(perspective.advice.order_by("band").first().text_en,
                         "Edited advice\n\n- one\n- two")

    def test_texts_stored_before_cleaning_are_not_recorded_as_changed(self):
        # Saved before texts were cleaned (or by a script): \r\n and a trailing newline.
        Perspective.objects.filter(number=4).update(
            explanation_en="First paragraph.\r\n\r\nSecond paragraph.\n",
            summary_en="A summary ")
        perspective = Perspective.objects.get(number=4)
        entry = self._save_one_field(perspective, "title_nl", "Nieuwe titel", "perspective_form")
        self.assertEqual(self._changed(entry), [{"changed": {"fields": ["Titel [nl]"]}}])
        perspective.refresh_from_db()
        self.assertEqual(perspective.explanation_en, "First paragraph.\n\nSecond paragraph.")
