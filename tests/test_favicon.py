"""The favicon: our own SVG, served, linked from every kind of page, and /favicon.ico not a 404."""

from django.urls import reverse

from perspectives.models import Perspective

from .base import BaseTestCase

ICON_LINK = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


class FaviconTests(BaseTestCase):
    def test_the_svg_is_served_as_an_image(self):
        response = self.client.get("/static/favicon.svg")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        self.assertTrue(body.startswith(b"<svg"))

    def test_favicon_ico_leads_to_the_svg(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/static/favicon.svg")

    def test_public_pages_link_it(self):
        for url in [reverse("perspectives:index"), reverse("accessibility"), reverse("login")]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), ICON_LINK, count=1)

    def test_pages_for_members_link_it(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("assessments:overview")), ICON_LINK, count=1)

    def test_admin_pages_link_it(self):
        self.assertContains(self.client.get("/beheer/login/"), ICON_LINK, count=1)
        self.client.force_login(self.vng)
        perspective = Perspective.objects.get(number=1)
        for url in ["/beheer/", "/beheer/perspectives/perspective/",
                    f"/beheer/perspectives/perspective/{perspective.pk}/change/"]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), ICON_LINK, count=1)
