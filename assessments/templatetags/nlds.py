"""Widget rendering for our crispy-forms template pack (templates/nlds/): NL Design System
classes plus the ARIA wiring that ties help text and errors to the control."""

from django import forms, template

register = template.Library()

CONTROL_CLASSES = [
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input", "utrecht-checkbox--invalid"),
    (forms.Select, "utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea",
     "utrecht-textarea--invalid"),
    (forms.Widget, "utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid"),
]


def described_by(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-description")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def nlds_control(field: forms.BoundField):
    widget = field.field.widget
    css, invalid_css = next((c, i) for cls, c, i in CONTROL_CLASSES if isinstance(widget, cls))
    attrs = {"class": f"{css} {invalid_css}" if field.errors else css}
    if described := described_by(field):
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def nlds_described_by(field: forms.BoundField) -> str:
    return described_by(field)
