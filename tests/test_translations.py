import re
from pathlib import Path

from django.test import SimpleTestCase
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


class EnglishCatalogueTests(SimpleTestCase):
    def test_every_ui_string_has_an_english_translation(self):
        entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]
        untranslated = []
        for entry in entries:
            if entry.startswith("#~") or "msgid" not in entry:
                continue
            if "#, fuzzy" in entry:
                untranslated.append(entry)
            if re.search(r'^msgstr(?:\[\d\])? ""$(?!\n")', entry, re.M):
                untranslated.append(entry)
        self.assertEqual(untranslated, [], "run `make messages` and translate these")

    def test_translations_are_compiled_and_used(self):
        with translation.override("en"):
            self.assertEqual(translation.gettext("Volgende"), "Next")
            self.assertEqual(translation.pgettext("project phase", "Beheer"), "Operation")
            self.assertEqual(translation.gettext("Beheer"), "Admin")
