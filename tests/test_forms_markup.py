"""Our crispy template pack emits NL Design System markup with the ARIA wiring."""

import re

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils.html import format_html

from waardevol.accounts.forms import InviteForm


def render(form):
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


class TemplatePackTests(SimpleTestCase):
    def test_radio_group_is_a_fieldset_with_legend_and_described_options(self):
        html = render(InviteForm())
        self.assertIn('<fieldset class="utrecht-form-fieldset__fieldset', html)
        self.assertRegex(html, r"<legend[^>]*>Rol")
        self.assertEqual(len(re.findall(r'class="utrecht-radio-button', html)), 2)
        self.assertIn("utrecht-form-field", html)

    def test_errors_are_tied_to_the_input(self):
        form = InviteForm({"email": "geen-adres", "role": ""})
        self.assertFalse(form.is_valid())
        html = render(form)
        self.assertRegex(html, r'<input[^>]*aria-describedby="id_email-error"[^>]*aria-invalid="true"'
                               r'|<input[^>]*aria-invalid="true"[^>]*aria-describedby="id_email-error"')
        self.assertIn('id="id_email-error"', html)
        self.assertIn("utrecht-textbox--invalid", html)
        self.assertRegex(html, r'<fieldset[^>]*aria-describedby="id_role-error"')
        self.assertIn("utrecht-form-field--invalid", html)

    def test_help_text_is_tied_to_the_input(self):
        form = InviteForm()
        form.fields["email"].help_text = "Het werkadres"
        html = render(form)
        self.assertRegex(html, r'<input[^>]*aria-describedby="id_email-description"')
        self.assertIn('id="id_email-description"', html)


class WidgetRendererTests(SimpleTestCase):
    """Widgets are drawn with Django's Jinja2 widget templates (waardevol/renderers.py): the same
    HTML as Django's own engine draws, and the admin's Django-only widgets still work."""

    def test_our_forms_draw_the_same_html_with_either_engine(self):
        from django.forms.renderers import DjangoTemplates, get_default_renderer
        from django.http import QueryDict

        from assessments.forms import OverviewFilterForm
        from waardevol.renderers import WidgetRenderer

        self.assertIsInstance(get_default_renderer(), WidgetRenderer)
        forms = [OverviewFilterForm(QueryDict("fase=idee&q=lantaarn&sort=-score")),
                 OverviewFilterForm(QueryDict("fase=onbekend")),
                 InviteForm({"email": "geen-adres", "role": ""})]
        for form in forms:
            form.is_valid()
            fast = render(form)
            form.renderer = DjangoTemplates()
            self.assertEqual(render(form), fast)
            self.assertIn("<select" if "fase" in form.fields else "<input", fast)
        self.assertIn('<option value="idee" selected>', render(forms[0]))

    def test_an_admin_widget_jinja2_lacks_is_drawn_by_django_templates(self):
        from waardevol.renderers import WidgetRenderer

        renderer = WidgetRenderer()
        template = renderer.get_template("admin/widgets/related_widget_wrapper.html")
        self.assertNotIn("jinja2", type(template).__module__)
        self.assertIn("jinja2", type(renderer.get_template("django/forms/widgets/select.html"))
                      .__module__)

    def test_labels_and_errors_are_escaped_and_safe_help_text_is_kept(self):
        form = InviteForm({"email": "<b>geen-adres</b>", "role": ""})
        form.fields["email"].label = "<script>alert(1)</script>"
        form.fields["email"].help_text = format_html("<strong>{}</strong>", "<i>")
        self.assertFalse(form.is_valid())
        html = render(form)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)
        self.assertIn("<strong>&lt;i&gt;</strong>", html)
