from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse

from perspectives.models import Perspective, Process

from .base import BaseTestCase


class PublicPerspectivesPageTests(TestCase):
    def test_dutch_by_default_with_all_processes_and_perspectives(self):
        response = self.client.get(reverse("perspectives:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="nl"')
        for perspective in Perspective.objects.all():
            self.assertContains(response, perspective.title_nl)
        self.assertContains(response, "Experimenteren")
        self.assertContains(response, "Rathenau Instituut")
        self.assertContains(response, 'class="utrecht-skip-link" href="#main"')

    def test_english_after_switching_language(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertEqual(response.status_code, 302)
        response = self.client.get(reverse("perspectives:index"))
        self.assertContains(response, '<html lang="en"')
        for perspective in Perspective.objects.all():
            self.assertContains(response, perspective.title_en)
        self.assertContains(response, "Experimenting")

    def test_editor_markup_is_sanitized_on_the_page(self):
        perspective = Perspective.objects.get(number=1)
        perspective.explanation_nl = "Tekst <script>alert(1)</script> [x](javascript:alert(2))"
        perspective.save()
        response = self.client.get(reverse("perspectives:index"))
        self.assertNotContains(response, "<script>alert")
        self.assertNotContains(response, "javascript:")

    def test_no_third_party_resources(self):
        html = self.client.get(reverse("perspectives:index")).content.decode()
        self.assertNotIn("http://", html.replace("http://www.w3.org", ""))
        self.assertNotIn("//cdn", html)

    def test_browser_language_does_not_override_dutch_default(self):
        response = self.client.get(reverse("perspectives:index"), HTTP_ACCEPT_LANGUAGE="en-US,en")
        self.assertContains(response, '<html lang="nl"')
        self.assertEqual(response["Content-Language"], "nl")


class Outline(HTMLParser):
    """The page's headings (level, text) in order."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self._level = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self._level, self._heading = int(tag[1]), []

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._level}":
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


class HomePageTests(BaseTestCase):
    def test_says_what_waardevol_is_and_for_whom(self):
        response = self.client.get(reverse("perspectives:index"))
        self.assertContains(
            response, "<title>Digitale projecten toetsen aan publieke waarden – Waardevol</title>")
        self.assertContains(response, "Toets uw digitale project aan publieke waarden")
        for audience in ["Medewerkers van gemeenten", "Wethouders en leidinggevenden",
                         "Redacteuren van de VNG"]:
            self.assertContains(response, audience)

    def test_visitors_get_the_login_link_and_how_to_get_an_account(self):
        response = self.client.get(reverse("perspectives:index"))
        self.assertContains(
            response,
            f'utrecht-button-link--primary-action wv-access__login" href="{reverse("login")}">Inloggen</a>')
        self.assertContains(response, "uitnodiging per e-mail van de beheerder van Waardevol in uw gemeente")
        self.assertContains(response, "Zelf een account aanmaken kan niet")
        self.assertContains(response, f'href="{reverse("password_reset")}"')

    def test_members_are_sent_to_their_projects_and_vng_editors_to_the_admin(self):
        self.client.force_login(self.bob)
        response = self.client.get(reverse("perspectives:index"))
        self.assertContains(
            response, f'href="{reverse("assessments:overview")}">Naar de projecten van uw gemeente</a>')
        self.assertNotContains(response, "wv-access__login")
        self.client.force_login(self.vng)
        response = self.client.get(reverse("perspectives:index"))
        self.assertContains(response, f'href="{reverse("admin:index")}">Naar het beheer</a>')

    def test_ten_perspectives_under_their_five_processes(self):
        outline = Outline(self.client.get(reverse("perspectives:index")).content.decode()).headings
        self.assertEqual([level for level, _text in outline].count(1), 1)
        processes = [text for level, text in outline if level == 3 and text.startswith("Proces ")]
        self.assertEqual(processes, [f"Proces {n}: {process.title_nl}"
                                     for n, process in enumerate(Process.objects.all(), start=1)])
        perspectives = [text for level, text in outline if level == 4]
        self.assertEqual(perspectives, [f"{p.number}. {p.title_nl}"
                                        for p in Perspective.objects.order_by("process__order", "number")])
        self.assertEqual(len(perspectives), 10)
        for previous, current in zip(outline, outline[1:], strict=False):
            self.assertLessEqual(current[0], previous[0] + 1, f"heading level skips at {current}")

    def test_details_are_folded_away(self):
        html = self.client.get(reverse("perspectives:index")).content.decode()
        self.assertEqual(html.count('<details class="wv-more">'), 10 + 5 + 1)
        self.assertNotIn("<details open", html)
        perspective = Perspective.objects.get(number=1)
        self.assertIn(perspective.summary_nl, html)


class LanguageButtons(HTMLParser):
    """Per language button: its lang, its visible text and its accessible name (the text of
    all its content, hidden visually or not, unless an aria-label replaces it)."""

    def __init__(self, html: str):
        super().__init__()
        self.buttons: list[dict] = []
        self._button: dict | None = None
        self._hidden_depth = 0
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and attrs.get("name") == "language":
            self._button = {"lang": attrs.get("lang"), "aria_label": attrs.get("aria-label"),
                            "visible": "", "all": ""}
            self.buttons.append(self._button)
            return
        if self._button is not None:
            self._depth += 1
            if self._hidden_depth or "wv-visually-hidden" in (attrs.get("class") or "").split():
                self._hidden_depth += 1

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        elif self._button is not None:
            self._depth -= 1
            self._hidden_depth = max(0, self._hidden_depth - 1)

    def handle_data(self, data):
        if self._button is not None:
            self._button["all"] += data
            if not self._hidden_depth:
                self._button["visible"] += data

    @staticmethod
    def name(button: dict) -> str:
        return " ".join((button["aria_label"] or button["all"]).split())


class LanguageSwitchTests(TestCase):
    def buttons(self, language="nl"):
        self.client.cookies["django_language"] = language
        return LanguageButtons(self.client.get(reverse("perspectives:index")).content.decode()).buttons

    def test_accessible_name_starts_with_the_visible_text(self):
        for language in ["nl", "en"]:
            buttons = self.buttons(language)
            self.assertEqual([b["visible"].strip() for b in buttons], ["NL", "EN"])
            for button in buttons:
                with self.subTest(language=language, button=button["visible"]):
                    self.assertIsNone(button["aria_label"])
                    self.assertTrue(LanguageButtons.name(button).startswith(button["visible"].strip()))

    def test_each_button_names_its_language_in_that_language(self):
        buttons = self.buttons("en")
        self.assertEqual([(b["lang"], LanguageButtons.name(b)) for b in buttons],
                         [("nl", "NL Nederlands"), ("en", "EN English")])
