"""Form rendering for our crispy-forms template pack (templates/nlds/): NL Design System classes,
the ARIA wiring that ties help text and errors to the control, and the error summary's items."""

from django import forms, template
from django.template import engines

register = template.Library()

CONTROL_CLASSES = [
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input", "utrecht-checkbox--invalid"),
    (forms.Select, "utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea",
     "utrecht-textarea--invalid"),
    (forms.Widget, "utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid"),
]


def described_by(field: forms.BoundField) -> str:
    """The ids of a field's description and error, for its aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-description")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


def nlds_control(field: forms.BoundField):
    """A field's control with our classes and ARIA wiring (a filter of the Jinja2 field template,
    templates/jinja2/nlds/field.html)."""
    widget = field.field.widget
    css, invalid_css = next((c, i) for cls, c, i in CONTROL_CLASSES if isinstance(widget, cls))
    attrs = {"class": f"{css} {invalid_css}" if field.errors else css}
    if described := described_by(field):
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def error_summary_items(form: forms.BaseForm) -> list[dict]:
    """Each error with the id of the control it belongs to, for the error summary's links."""
    items = []
    for error in form.non_field_errors():
        items.append({"target": "", "label": "", "message": error})
    for bound in (form[name] for name in form.fields if form[name].errors):
        target = bound.auto_id
        if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            target = f"{bound.auto_id}_0"
        # A form may name what an error is about better than a field label can (a question).
        label = getattr(form, "error_label", lambda name: "")(bound.name) or bound.label
        # "Wie scoren er mee?: Kies …" reads badly; the summary adds its own colon.
        label = str(label or "").rstrip(" ?:")
        for error in bound.errors:
            items.append({"target": target, "label": label, "message": error})
    return items


@register.filter
def field_of(form: forms.BaseForm, name: str):
    return form[name] if name in form.fields else None


@register.filter
def qfield(form: forms.BaseForm, spec: str):
    """`form|qfield:"12:note"` is the bound field q12-note, or None when the form lacks it."""
    question_id, part = spec.split(":")
    name = f"q{question_id}-{part}"
    return form[name] if name in form.fields else None


@register.simple_tag(takes_context=True)
def jinja_include(context, template_name: str):
    """A Jinja2 template (templates/jinja2/) drawn with the including page's context; Django's
    {% include %} only finds Django templates. Its output is escaped by Jinja2's autoescape
    and marked safe by our backend (waardevol/templating.py)."""
    return engines["jinja2"].get_template(template_name).render(context.flatten())
