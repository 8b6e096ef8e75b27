import re
from pathlib import Path

from django.test import SimpleTestCase
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


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

    def test_the_jinja2_templates_texts_are_in_the_catalogue(self):
        # `make messages` reads templates/jinja2/ as Django templates: `{{ _("...") }}` is found
        # there as in a Django template. A text it would miss has no English translation.
        catalogue = PO.read_text(encoding="utf-8")
        msgids = {"".join(re.findall(r'"(.*)"', entry)) for entry in
                  re.findall(r'^msgid ((?:".*"\n)+)', catalogue, re.M)}
        texts = [text for template in (ROOT / "templates" / "jinja2").rglob("*.html")
                 for text in re.findall(r'_\("([^"]+)"\)', template.read_text(encoding="utf-8"))]
        self.assertGreater(len(texts), 5)
        self.assertEqual([text for text in texts if text not in msgids], [])

    def test_translations_are_compiled_and_used(self):
        with translation.override("en"):
            self.assertEqual(translation.gettext("Volgende"), "Next")
            self.assertEqual(translation.pgettext("project phase", "Beheer"), "Operation")
            self.assertEqual(translation.gettext("Beheer"), "Admin")
