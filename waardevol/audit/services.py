"""Recording the audit trail: one insert per change, with the acting user passed explicitly.

The writes in `assessments.services` and `waardevol.concurrency` call these inside their own
transaction, so a change and its record are stored together or not at all.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from assessments.labels import person_label
from assessments.models import Action, Assessment, Invitation, Membership, Municipality, Project

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
    one the view fetched through its access helper, so its project (or a membership's user) is
    at hand without a query."""
    fields = [[name, plain(old), plain(new)] for name, (old, new) in changes.items()]
    if isinstance(instance, Membership):
        return audit_member(user=user, kind=AuditKind.MEMBER_CHANGED, membership=instance,
                            fields=fields)
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


# How someone became a member, or who changed their membership, besides a beheerder in the app.
VIA_INVITATION = "invitation"
VIA_IDENTITY_PROVIDER = "identity_provider"
VIA_ADMIN = "admin"

MEMBER_FIELDS = ("role", "is_manager")


def audit_member(*, user: AbstractBaseUser | None, kind: str, membership: Membership,
                 fields: list | None = None, via: str = "") -> AuditEvent:
    """An event of one member of the municipality, in the municipality's history: who it is about
    by name (stored, as the actor's is), and their role before → after."""
    changes: dict[str, Any] = {"member": person_label(membership.user)}
    if via:
        changes["via"] = via
    if fields:
        changes["fields"] = fields
    return _insert(user=user, kind=kind, municipality_id=membership.municipality_id,
                   project=None, assessment=None, changes=changes)


def audit_member_joined(*, user: AbstractBaseUser | None, membership: Membership,
                        via: str) -> AuditEvent:
    return audit_member(user=user, kind=AuditKind.MEMBER_JOINED, membership=membership, via=via,
                        fields=[[name, None, plain(getattr(membership, name))]
                                for name in MEMBER_FIELDS])


def masked_email(email: str) -> str:
    """An address as the trail keeps it: its first letter and its domain ("e…@utrecht.nl").
    The trail is never erased, and an invitee may never join (or be an outsider whose address
    was mistyped); the domain still shows whether access went outside the organisation."""
    local, _at, domain = email.rpartition("@")
    return plain(f"{local[:1]}…@{domain}" if local else "…")


def audit_invitation(*, user: AbstractBaseUser | None, invitation: Invitation,
                     kind: str = AuditKind.MEMBER_INVITED) -> AuditEvent:
    """An invitation sent, or withdrawn before it was accepted (`kind`)."""
    return _insert(user=user, kind=kind, municipality_id=invitation.municipality_id,
                   project=None, assessment=None,
                   changes={"email": masked_email(invitation.email),
                            "fields": [["role", None, invitation.role]]})


def audit_membership_saved(*, user: AbstractBaseUser | None, before: Membership | None,
                           after: Membership | None, via: str) -> list[AuditEvent]:
    """A membership written outside the members page (the admin, an identity provider's role
    claim): `before` as stored, `after` as saved (None: created, deleted). A membership moved to
    another person or municipality ends there and begins anew, so each municipality's history
    tells its own part."""
    events = []
    if before is not None and (after is None or (before.user_id, before.municipality_id)
                               != (after.user_id, after.municipality_id)):
        events.append(audit_member(
            user=user, kind=AuditKind.MEMBER_REMOVED, membership=before, via=via,
            fields=[[name, plain(getattr(before, name)), None] for name in MEMBER_FIELDS]))
        before = None
    if after is None:
        return events
    if before is None:
        events.append(audit_member_joined(user=user, membership=after, via=via))
        return events
    fields = [[name, plain(getattr(before, name)), plain(getattr(after, name))]
              for name in MEMBER_FIELDS if getattr(before, name) != getattr(after, name)]
    if fields:
        events.append(audit_member(user=user, kind=AuditKind.MEMBER_CHANGED, membership=after,
                                   fields=fields, via=via))
    return events
