"""The Jinja2 environment for the few templates a page renders dozens of times.

A form field (templates/jinja2/nlds/field.html) is drawn for every field of every form, and a
questionnaire step draws per question a radio group of seven options, a reason and a note. As
Django templates these were about 60% of a step's time; Jinja2 compiles a template to Python and
draws the same HTML in a fraction of it. Everything else stays a Django template: pages include a
Jinja2 template with `{% jinja_include %}` (waardevol/nlds/templatetags/nlds.py), crispy forms
finds the field template through Django's loader, which asks the Jinja2 engine when the Django
one has no such template.

What Django templates do implicitly is explicit here: texts are translated with `_("...")` (the
same message ids as `{% translate %}`, found by `make messages` as Django finds them), dates go
through `|date(...)` in the current time zone, and output is escaped (autoescape is on).
"""

import jinja2
from crispy_forms.templatetags.crispy_forms_field import (
    is_checkbox,
    is_checkboxselectmultiple,
    is_radioselect,
)
from django.template.backends.jinja2 import Jinja2, Template
from django.template.defaultfilters import date as django_date
from django.utils import translation
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from markupsafe import Markup

from waardevol.nlds.templatetags.nlds import described_by, nlds_control


def spaceless(value: str) -> Markup:
    """Django's {% spaceless %}: no whitespace between tags (the HTML crispy forms expects)."""
    return Markup(strip_spaces_between_tags(str(value).strip()))


def date(value, format_string: str) -> str:
    """Django's |date, in the current time zone as a Django template shows a datetime."""
    return django_date(template_localtime(value), format_string)


def environment(**options) -> jinja2.Environment:
    # A missing value draws as nothing, as in a Django template, also with DEBUG on (Django's
    # backend would draw it as "{{ name }}" then).
    options["undefined"] = jinja2.Undefined
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.filters.update({
        "date": date,
        "spaceless": spaceless,
        "nlds_control": nlds_control,
        "nlds_described_by": described_by,
        "is_checkbox": is_checkbox,
        "is_checkboxselectmultiple": is_checkboxselectmultiple,
        "is_radioselect": is_radioselect,
    })
    return env


class SafeTemplate(Template):
    def render(self, context=None, request=None) -> SafeString:
        # Escaped by Jinja2's autoescape already. Marked safe as a Django template's output is,
        # so a Django page that shows it (crispy forms' |as_crispy_field, {% jinja_include %})
        # does not escape the HTML a second time.
        return mark_safe(super().render(context, request))


class SafeJinja2(Jinja2):
    """Django's Jinja2 backend, with the output of a template marked safe (see SafeTemplate)."""

    def get_template(self, template_name):
        template = super().get_template(template_name)
        return SafeTemplate(template.template, template.backend)
