"""Recording the audit trail: one insert per change, with the acting user passed explicitly.

The writes in `assessments.services` and `waardevol.concurrency` call these inside their own
transaction, so a change and its record are stored together or not at all.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from assessments.labels import person_label
from assessments.models import Action, Assessment, Municipality, Project

from .models import AuditEvent, AuditKind

# Free text is cut to this length in the trail: it says what changed, the object keeps the text.
TEXT_MAX = 200

# Changing any of these changes which questions apply: a kind of its own.
CHARACTERISTIC_FIELDS = frozenset(Project.CHARACTERISTIC_FIELDS.values()) | {"phase"}

# What a new project and a new action are recorded with.
PROJECT_CREATED_FIELDS = ["name", "description", "phase", *Project.CHARACTERISTIC_FIELDS.values()]
ACTION_CREATED_FIELDS = ["perspective", "description", "owner", "due_date", "status"]


def plain(value: Any) -> Any:
    """A value as the trail stores it: JSON, short, readable without the object it came from."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= TEXT_MAX else text[:TEXT_MAX - 1] + "…"


def _insert(*, user: AbstractBaseUser | None, kind: str, municipality_id: int,
            project: Project | None, assessment: Assessment | None, changes: dict) -> AuditEvent:
    actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor, actor_name=person_label(actor) if actor else "",
        municipality_id=municipality_id, project=project, assessment=assessment,
        kind=kind, changes=changes,
    )


def audit_record(*, user: AbstractBaseUser | None, kind: str, project: Project,
                 assessment: Assessment | None = None, changes: dict | None = None) -> AuditEvent:
    return _insert(user=user, kind=kind, municipality_id=project.municipality_id, project=project,
                   assessment=assessment, changes=changes or {})


def audit_municipality(*, user: AbstractBaseUser | None, kind: str, municipality: Municipality,
                       **changes: Any) -> AuditEvent:
    """An event of the whole municipality (no project): its own history."""
    return _insert(user=user, kind=kind, municipality_id=municipality.pk, project=None,
                   assessment=None, changes=changes)


def export_filters(cleaned_data: dict[str, Any], *, ignore: tuple[str, ...] = ("sort",)) -> list:
    """The filters an export was made with, as [name, value] pairs of the filter form's fields
    (the history puts them in words): which part of the municipality's data left the tool."""
    return [[name, plain(value)] for name, value in cleaned_data.items()
            if name not in ignore and value not in (None, "", False)]


def audit_assessment(*, user: AbstractBaseUser | None, kind: str, assessment: Assessment,
                     **changes: Any) -> AuditEvent:
    """An event of one assessment (its project is cached by the access helpers)."""
    return audit_record(user=user, kind=kind, project=assessment.project, assessment=assessment,
                        changes=changes)


def audit_project_created(*, user: AbstractBaseUser, project: Project) -> AuditEvent:
    fields = [[name, None, plain(getattr(project, name))] for name in PROJECT_CREATED_FIELDS
              if getattr(project, name) not in (None, "", False)]
    return audit_record(user=user, kind=AuditKind.PROJECT_CREATED, project=project,
                        changes={"fields": fields})


def audit_action_added(*, user: AbstractBaseUser, action: Action) -> AuditEvent:
    fields = [[name, None, plain(getattr(action, name))] for name in ACTION_CREATED_FIELDS
              if getattr(action, name) not in (None, "")]
    return audit_assessment(user=user, kind=AuditKind.ACTION_ADDED, assessment=action.assessment,
                            action=action.pk, fields=fields)


def audit_answer_saved(*, user: AbstractBaseUser, assessment: Assessment, code: str,
                       old: Any, new: Any,
                       kind: str = AuditKind.ANSWER_CHANGED) -> AuditEvent | None:
    """`old` and `new` are the AnswerValues before (None: no answer yet) and after the save; a
    save that stored what was there already is no change."""
    if old == new:
        return None
    fields = [[code, answer_token(old), answer_token(new)]]
    for part in ("na_reason", "note"):
        before, after = getattr(old, part, ""), getattr(new, part, "")
        if before != after:
            fields.append([f"{code}:{part}", plain(before), plain(after)])
    return audit_assessment(user=user, kind=kind, assessment=assessment, fields=fields)


def answer_token(values: Any) -> str | None:
    """An answer in one word: its score ("0"–"4"), "unknown" or "na"; None for no answer."""
    if values is None:
        return None
    return str(values.score) if values.kind == "score" else str(values.kind)


def audit_object_changed(*, user: AbstractBaseUser | None, instance: Model,
                         changes: dict[str, tuple[Any, Any]]) -> AuditEvent | None:
    """A shared object saved through a form (concurrency.object_changes_save). `instance` is the
    one the view fetched through its access helper, so its project is at hand without a query.
    Objects outside a project's trail (memberships) are not recorded here."""
    fields = [[name, plain(old), plain(new)] for name, (old, new) in changes.items()]
    if isinstance(instance, Project):
        kind = (AuditKind.CHARACTERISTICS_CHANGED if CHARACTERISTIC_FIELDS & changes.keys()
                else AuditKind.PROJECT_CHANGED)
        return audit_record(user=user, kind=kind, project=instance, changes={"fields": fields})
    if isinstance(instance, Action):
        description = changes.get("description", (None, instance.description))[1]
        return audit_assessment(user=user, kind=AuditKind.ACTION_CHANGED,
                                assessment=instance.assessment, action=instance.pk,
                                description=plain(description), fields=fields)
    return None
