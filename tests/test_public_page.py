from django.test import TestCase
from django.urls import reverse

from perspectives.models import Perspective


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
