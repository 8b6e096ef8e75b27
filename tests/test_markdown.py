from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from perspectives.markdown import render_markdown, validate_markdown_cost


class MarkdownSanitizingTests(SimpleTestCase):
    def test_formatting_is_kept(self):
        html = render_markdown("Eerste *alinea*.\n\n- een\n- twee\n\n[VNG](https://vng.nl)")
        self.assertIn("<em>alinea</em>", html)
        self.assertIn("<li>een</li>", html)
        self.assertIn('href="https://vng.nl"', html)
        self.assertIn('rel="noopener noreferrer nofollow"', html)

    def test_script_is_removed_with_its_content(self):
        html = render_markdown("Hallo <script>alert('x')</script> wereld")
        self.assertNotIn("<script", html)
        self.assertNotIn("alert", html)
        self.assertIn("Hallo", html)

    def test_images_are_removed(self):
        for source in ['<img src="file:///etc/passwd">', "![plaatje](http://127.0.0.1:9/x.png)"]:
            html = render_markdown(source)
            self.assertNotIn("<img", html)
            self.assertNotIn("127.0.0.1", html)

    def test_javascript_links_are_removed(self):
        html = render_markdown("[klik](javascript:alert(1)) en <a href=\"javascript:alert(2)\">x</a>")
        self.assertNotIn("javascript:", html)

    def test_event_handlers_and_styles_are_removed(self):
        html = render_markdown('<p onclick="evil()" style="color:red">tekst</p><style>p{}</style>')
        self.assertNotIn("onclick", html)
        self.assertNotIn("style", html)
        self.assertIn("tekst", html)


class NestingTests(SimpleTestCase):
    """"+ " 500 times nested lists past Python's recursion limit: the admin accepted it and
    every page showing the published text was a 500 (found by the 500 hunt)."""

    DEEP = ("+ " * 500, "1. " * 495)

    def test_the_editor_is_told(self):
        for text in self.DEEP:
            with self.subTest(text=text[:6]), self.assertRaises(ValidationError) as caught:
                validate_markdown_cost(text)
            self.assertEqual(caught.exception.code, "markdown_depth")
        validate_markdown_cost("- een\n    - twee\n        - drie")

    def test_a_stored_text_shows_as_plain_text(self):
        for text in self.DEEP:
            with self.subTest(text=text[:6]):
                self.assertIn(text.strip()[:20], str(render_markdown(text)))
