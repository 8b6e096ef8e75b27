"""The accessibility statement has the parts of the government's model, honestly filled in."""

from django.test import TestCase, override_settings
from django.urls import reverse

from waardevol.views import ACCESSIBILITY_STATEMENT_DATE


class AccessibilityStatementTests(TestCase):
    def get(self, language="nl"):
        self.client.cookies["django_language"] = language
        response = self.client.get(reverse("accessibility"))
        self.assertEqual(response.status_code, 200)
        return response

    def test_status_is_partial_and_never_claims_full_compliance(self):
        response = self.get()
        self.assertContains(response, "Status: voldoet gedeeltelijk")
        self.assertContains(response, "WCAG-EM")
        self.assertContains(response, "Daarom zeggen we niet dat Waardevol volledig voldoet.")
        self.assertNotContains(response, "voldoet volledig aan")

    def test_date_of_the_statement(self):
        response = self.get()
        self.assertContains(
            response,
            f'<time datetime="{ACCESSIBILITY_STATEMENT_DATE:%Y-%m-%d}">'
            f'{ACCESSIBILITY_STATEMENT_DATE.day} november {ACCESSIBILITY_STATEMENT_DATE.year}</time>')

    def test_what_was_tested_and_how_and_what_is_known_not_to_be(self):
        response = self.get()
        self.assertContains(response, "Wat we hebben getest en hoe")
        self.assertContains(response, "axe-core")
        self.assertContains(response, "Nu Html Checker")
        self.assertContains(response, "Bekende beperkingen")
        self.assertContains(response, "WCAG 2.1 niveau A en AA (EN 301 549)")
        self.assertContains(response, "Besluit digitale toegankelijkheid overheid")

    @override_settings(ACCESSIBILITY_CONTACT_EMAIL="toegankelijkheid@gemeente.example")
    def test_contact_address_comes_from_the_settings(self):
        response = self.get()
        self.assertContains(response, 'href="mailto:toegankelijkheid@gemeente.example"', count=2)

    def test_complaint_route_to_the_ombudsman(self):
        response = self.get()
        self.assertContains(response, "Klachtenprocedure")
        self.assertContains(response, 'href="https://www.nationaleombudsman.nl/">Nationale ombudsman</a>')
        # The Nationale ombudsman only where the municipality has no ombudsman of its own
        # (chapter 9 Awb): not a choice between the two.
        self.assertContains(response, "van die gemeente als zij die heeft, en anders de")

    def test_english_page_is_english_and_linked_from_every_page(self):
        response = self.get("en")
        self.assertContains(response, '<html lang="en"')
        home = self.client.get(reverse("perspectives:index"))
        self.assertContains(home, f'href="{reverse("accessibility")}"')
