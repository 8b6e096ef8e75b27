"""The form for an object colleagues edit too (a project, an action, a membership): it writes
only what this user changed and asks about what a colleague changed meanwhile."""

import json
from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import concurrency
from .text import clean_text_formfield


class DistinctMultipleChoiceField(forms.MultipleChoiceField):
    """A multiple choice whose value holds each choice once, however often the query string or
    the POST repeats it: `?kenmerk=ai` a thousand times became a thousand conditions in one query,
    which SQLite refuses (a 500), and as many copies in every link the page made."""

    def to_python(self, value):
        return list(dict.fromkeys(super().to_python(value)))


# A row id as the database stores it (a 64-bit integer has at most 19 digits; 18 always fits).
ID_DIGITS_MAX = 18


def is_database_id(value) -> bool:
    """Whether `value` can be a row's id: ASCII digits, few enough for a 64-bit integer. Django
    passes ids from forms to `pk__in` unchecked, and a longer number made SQLite raise
    OverflowError (a 500)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS_MAX


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of rows (raters, an admin's links to other content): an id that cannot be one
    is an invalid choice, not a database error."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            for pk in value:
                if not is_database_id(pk):
                    raise forms.ValidationError(self.error_messages["invalid_pk_value"],
                                                code="invalid_pk_value", params={"pk": pk})
        return super().clean(value)


class QueryFilterForm(forms.Form):
    """Filters read from the query string: a value no form or link of ours sends is named on
    the page and left out, the other filters still apply. Django's own "Selecteer een geldige
    keuze. <the value> is geen beschikbare keuze." repeated whatever was in the address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _("Kies een waarde uit de lijst.")


def submitted_data(request):
    """The POST data, or None on GET: `request.POST or None` would treat a POST that carries no
    fields as a GET and show an empty form where the user expects an error."""
    return request.POST if request.method == "POST" else None


class SharedObjectForm(forms.ModelForm):
    """A form for an object colleagues edit too: it remembers what its page showed (`base`) so
    that saving writes only what this user changed and asks about what a colleague changed too
    (see concurrency.py and services.object_changes_save).

    `conflicts` maps field names to the value a colleague stored: each gets a required choice
    between "mine" and "theirs".
    """

    base = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)

    class Meta:
        # Django reads formfield_callback from a form's own Meta only: subclasses write
        # `class Meta(SharedObjectForm.Meta)` so their free-text fields are cleaned too.
        formfield_callback = clean_text_formfield

    def __init__(self, *args, conflicts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_fields = [name for name in self._meta.fields if name in self.fields]
        if not self.is_bound and self.instance.pk is not None:
            self.fields["base"].initial = self.base_of(self.instance)
        self.conflicts = conflicts or {}
        # A conflict page marks its conflicting fields, so the next submit must answer them.
        pending = list(self.conflicts) or [
            name for name in self.shared_fields if self.is_bound and self.data.get(f"conflict-{name}")
        ]
        extra = {}
        for name in pending:
            extra[f"conflict-{name}"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                        initial="1")
            # The page was based on what is stored now, so the instance holds the colleague's value.
            theirs = self.conflicts.get(name, getattr(self.instance, name, None))
            extra[f"resolve-{name}"] = forms.ChoiceField(
                label=_("Welke waarde van ‘%(field)s’ wilt u bewaren?") % {
                    "field": self.fields[name].label},
                choices=[
                    (concurrency.MINE, _("Mijn waarde: %(value)s") % {
                        "value": self._display(name, self._submitted_value(name))}),
                    (concurrency.THEIRS, _("De waarde van mijn collega: %(value)s") % {
                        "value": self._display(name, theirs)}),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Kies welke waarde u wilt bewaren.")},
            )
        # The choices come first: they are what the page asks now.
        self.fields = {**extra, **self.fields}

    def base_of(self, instance) -> str:
        return json.dumps({name: concurrency.fingerprint(getattr(instance, name))
                           for name in self.shared_fields})

    def base_values(self) -> dict[str, str]:
        """What the page showed: a flat object of fingerprints. Anything else (a crafted or
        damaged value) counts as a page that showed nothing, so a save can only ask, not undo."""
        try:
            base = json.loads(self.cleaned_data.get("base") or "{}")
        except (ValueError, RecursionError):  # deep nesting exhausts the JSON parser's stack
            return {}
        return {k: v for k, v in base.items() if isinstance(v, str)} if isinstance(base, dict) else {}

    def submitted(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.shared_fields}

    def resolutions(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"resolve-{name}"] for name in self.shared_fields
                if self.cleaned_data.get(f"resolve-{name}")}

    def with_conflicts(self, stored, conflicts: list[str]) -> "SharedObjectForm":
        """The page again, based on what is stored now: fields the user did not change show the
        stored value, the user's own changes stay, and the conflicting fields ask for a choice."""
        data = self.data.copy()
        shown = self.base_values()
        submitted = self.submitted()
        for name in self.shared_fields:
            value = getattr(stored, name)
            if concurrency.fingerprint(submitted[name]) == shown.get(name):
                self._put(data, name, value)
        for name in conflicts:
            data.pop(f"resolve-{name}", None)
            data[f"conflict-{name}"] = "1"
        data["base"] = self.base_of(stored)
        form = type(self)(data, instance=stored,
                          conflicts={name: getattr(stored, name) for name in conflicts})
        # The user has done nothing wrong yet: the choice is a question, not an error, until
        # the page is sent again without it.
        for name in conflicts:
            form.errors.pop(f"resolve-{name}", None)
        return form

    def _put(self, data, name: str, value) -> None:
        if isinstance(self.fields[name].widget, forms.CheckboxInput):
            data.pop(name, None)
            if value:
                data[name] = "on"
        else:
            data[name] = concurrency.value_key(value)

    def resolve_fields(self) -> list[str]:
        return [name for name in self.fields if name.startswith("resolve-")]

    def conflict_items(self) -> list[dict]:
        """Each conflict as the page shows it: the field and the colleague's value."""
        return [{"label": self.fields[name].label, "theirs": self._display(name, value),
                 "target": f"id_resolve-{name}_0"} for name, value in self.conflicts.items()]

    def _submitted_value(self, name: str):
        """What this user sent for a field, for the choice's label (None if it does not convert)."""
        try:
            return self.fields[name].clean(self[name].data)
        except forms.ValidationError:
            return None

    def _display(self, name: str, value) -> str:
        """A value as a person reads it: the label of a choice, a date in words, a long text
        shortened (the field itself shows it whole)."""
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return str(_("ja") if value else _("nee"))
        if value in (None, ""):
            return "–"
        if isinstance(value, date):
            return date_format(value, "j F Y")
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            return str(dict(field.choices).get(value, value))
        return f"‘{Truncator(str(value)).chars(80)}’"
