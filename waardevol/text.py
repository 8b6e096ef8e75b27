"""Clean free text: one rule for every text field a person types into.

Control characters and bidirectional overrides are removed (U+202E and friends reverse what
follows, in HTML and in the PDF); a text of only invisible characters counts as empty, so a
required field refuses it. Line breaks and tabs stay in multi-line texts.
"""

import unicodedata

from django import forms
from django.db import models

# Bidirectional embeddings, overrides and isolates, and the directional marks.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(value: str, *, multiline: bool) -> str:
    kept = []
    for char in value.replace("\r\n", "\n").replace("\r", "\n"):
        if char in BIDI_CONTROLS:
            continue
        if unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t"):
            continue
        kept.append(char)
    return "".join(kept).strip()


def has_hidden_characters(value: str) -> bool:
    """Whether a one-line value (an e-mail address) holds what clean_text would remove: an address
    with a bidirectional override shows as another address, so it is refused, not changed."""
    return clean_text(value, multiline=False) != value.strip()


# Letters and symbols that print as nothing (Hangul fillers, the blank Braille pattern, Khmer
# inherent vowels, the Mongolian vowel separator): Unicode classes them as visible.
BLANK_CHARACTERS = set("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")
# Control and format characters, separators, and marks that only modify a character before them.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}


def is_visible(value: str) -> bool:
    """Whether the text shows anything: not only spaces, fillers and invisible characters."""
    return any(not char.isspace() and char not in BLANK_CHARACTERS
               and unicodedata.category(char) not in INVISIBLE_CATEGORIES for char in value)


class CleanCharField(forms.CharField):
    """A CharField that cleans its text (see clean_text) and treats invisible text as empty."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        multiline = isinstance(getattr(self.widget, "widget", self.widget), forms.Textarea)
        value = clean_text(value, multiline=multiline)
        return value if is_visible(value) else self.empty_value

    def has_changed(self, initial, data):
        # Compare cleaned with cleaned: a text stored before cleaning (with \r\n or a trailing
        # newline) is not changed by a form that only cleans it, so no history records it.
        if isinstance(initial, str) and not self.disabled:
            initial = self.to_python(initial)
        return super().has_changed(initial, data)


def is_free_text(db_field: models.Field) -> bool:
    """A text a person types, not a code, address, e-mail or choice."""
    return (isinstance(db_field, models.CharField | models.TextField)
            and not isinstance(db_field, models.SlugField | models.URLField | models.EmailField)
            and not db_field.choices)


def clean_text_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """For a ModelForm's `formfield_callback`: free-text fields clean their text."""
    if is_free_text(db_field):
        kwargs.setdefault("form_class", CleanCharField)
    return db_field.formfield(**kwargs)


class CleanTextAdminMixin:
    """For a ModelAdmin or inline: its free-text fields are cleaned like everyone's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_free_text(db_field):
            kwargs.setdefault("form_class", CleanCharField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
