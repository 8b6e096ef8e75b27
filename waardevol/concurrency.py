"""Stale saves: a form loaded a while ago must never undo what a colleague saved since.

A form that edits a shared object carries a fingerprint of every value as its page showed it (its
*base*). On saving, each field is judged on its own:

- the user did not change it (submitted equals base): it is not written, whatever it holds now;
- the user changed it and nobody else did (stored equals base): it is written;
- both changed it, to different values: a conflict. Nothing is written; the page comes back with
  both values, its base moved to what is stored now, and asks "mine" or "theirs" for the
  conflicting fields. The next save writes the user's choices (and asks again if yet another
  colleague changed the same field in between).

Answers to questions have their own versions (services.answer_save); this covers every other form.
`merge` is a pure function on plain values; `object_changes_save` applies it to a row, locked.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from waardevol.audit.services import audit_object_changed

MINE = "mine"
THEIRS = "theirs"


def value_key(value: Any) -> str:
    """A value as a comparable string: an object by its primary key, a date by its ISO date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps(sorted(value_key(item) for item in value))
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def fingerprint(value: Any) -> str:
    return hashlib.sha256(value_key(value).encode()).hexdigest()[:16]


@dataclass
class Merge:
    changes: dict[str, Any] = field(default_factory=dict)  # fields to write, with their value
    conflicts: list[str] = field(default_factory=list)  # fields both people changed


def merge(*, base: Mapping[str, str], submitted: Mapping[str, Any], stored: Mapping[str, Any],
          resolutions: Mapping[str, str]) -> Merge:
    """What to write of `submitted`, given what the page showed (`base`, fingerprints) and what
    is stored now. A field missing from `base` (a page from before this check) counts as changed
    by the user."""
    result = Merge()
    for name, value in submitted.items():
        mine, theirs, shown = fingerprint(value), fingerprint(stored[name]), base.get(name)
        if mine == shown or mine == theirs:
            continue  # untouched by the user, or already what is stored
        if theirs != shown:
            # Changed by someone else since the page (or the last conflict page) was loaded: ask,
            # unless the user already chose to keep what is stored.
            if resolutions.get(name) != THEIRS:
                result.conflicts.append(name)
            continue
        if resolutions.get(name) != THEIRS:
            result.changes[name] = value
    return result


@dataclass(frozen=True)
class ChangesResult:
    status: str  # "saved", "unchanged", "conflict" or "invalid"
    instance: Model  # as stored now
    conflicts: list[str]  # fields a colleague changed too, to something else
    errors: dict[str, list[str]] | None = None  # "invalid": this user's and a colleague's
    # changes are each valid but not together (e.g. a lezer who is beheerder)


def object_changes_save(*, instance: Model, base: dict[str, str], submitted: dict,
                        resolutions: dict[str, str], user=None) -> ChangesResult:
    """Save what a user changed on a form for a shared object, and nothing else.

    The object is locked while its stored values are compared with what the user's page showed
    (`base`), so two saves cannot interleave; see merge above for the rule. What was written is
    recorded in the audit trail as done by `user`.
    """
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=instance.pk)
        stored = {name: getattr(current, name) for name in submitted}
        result = merge(base=base, submitted=submitted, stored=stored,
                                   resolutions=resolutions)
        if result.conflicts:
            return ChangesResult("conflict", current, result.conflicts)
        if not result.changes:
            return ChangesResult("unchanged", current, [])
        for name, value in result.changes.items():
            setattr(current, name, value)
        try:
            current.full_clean()
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            fields = list(result.changes)
            if hasattr(current, "updated_at"):
                fields.append("updated_at")
            current.save(update_fields=fields)
            audit_object_changed(user=user, instance=instance, changes={
                name: (stored[name], value) for name, value in result.changes.items()})
            return ChangesResult("saved", current, [])
    return ChangesResult("invalid", model.objects.get(pk=instance.pk), [], errors)
