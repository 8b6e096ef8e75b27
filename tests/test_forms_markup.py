"""Our crispy template pack emits NL Design System markup with the ARIA wiring."""

import re

from django.template import Context, Template
from django.test import SimpleTestCase

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
