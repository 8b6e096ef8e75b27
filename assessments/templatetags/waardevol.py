from django import forms, template

from assessments.scoring import score_band
from assessments.selectors import band_label

register = template.Library()


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
        for error in bound.errors:
            items.append({"target": target, "label": bound.label, "message": error})
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


@register.filter
def score_band_label(score: int | None) -> str:
    return band_label(score_band(score))
