"""Writes to the content: loading the editorial content from fixtures/content/, publishing."""

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waardevol.text import clean_text

from .models import (
    PUBLICATION_NOTE_MAX,
    Advice,
    ContentRelease,
    ContentRevision,
    Instrument,
    Perspective,
    Process,
    PublicValue,
    Question,
)

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


# Any fixed number: it names the lock below among the database's advisory locks.
CONTENT_LOCK_KEY = 0x57564C4B


@contextmanager
def content_locked():
    """A transaction in which this process alone writes the content.

    Writers of the content touch many rows in orders of their own: an admin save writes its
    object and then the inline rows, a revert or a history preview writes a whole revision's
    versions (django-reversion's preview really reverts, then rolls back), a load writes
    every file. Side by side on PostgreSQL they locked rows in opposite orders and one ended in
    "deadlock detected", a 500 and a lost edit (found by the 500 hunt). So they take turns:
    one transaction-scoped advisory lock for all content. Editors are few and each write takes
    well under a second. SQLite needs nothing: its transactions are IMMEDIATE (settings), so
    one writer at a time already.
    """
    using = router.db_for_write(Perspective)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONTENT_LOCK_KEY])
        yield


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0  # questions of a previous release, deactivated
    published: ContentRevision | None = None  # the publication the load made, if any


def _fields(data: dict, *names: str) -> dict:
    """Flatten {"title": {"nl": .., "en": ..}} into {"title_nl": .., "title_en": ..}."""
    flat = {}
    for name in names:
        for language, text in (data.get(name) or {}).items():
            flat[f"{name}_{language}"] = text
    return flat


def _upsert(model, lookup: dict, values: dict, update: bool, result: LoadResult):
    """The object, and whether its links may be set too (it is new, or being updated)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created += 1
        return obj, True
    if update:
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
        result.updated += 1
        return obj, True
    result.unchanged += 1
    return obj, False


def _retire_questions(release_codes: set[str], previous: str) -> int:
    """Deactivate the questions a new release replaces and free their codes.

    They are kept (their answers and the frozen results that name them stay as they are); only
    their code gets the previous release as prefix, so the new release's "1.1" is a new question
    with new answers rather than an old answer under a new meaning.
    """
    retired = 0
    limit = Question._meta.get_field("code").max_length
    for question in Question.objects.filter(Q(is_active=True) | Q(code__in=release_codes)):
        code = f"{previous}-{question.code}"
        # Unique even when a long release name would not fit: the question's own key.
        question.code = code if len(code) <= limit else f"x{question.pk}-{question.code}"[:limit]
        question.is_active = False
        question.save(update_fields=["code", "is_active"])
        retired += 1
    return retired


def content_load(*, directory: Path = CONTENT_DIR, update: bool = False) -> LoadResult:
    """Create the content from the JSON files; existing objects are left alone unless `update`.

    Leaving existing objects alone matters: `make run` calls this every time, and it must never
    undo what a VNG editor changed in the admin. The exception is a new release of the
    questionnaire (`release` in base.json): loading it retires the previous release's questions,
    creates the new ones and replaces the other texts (the admin's history keeps the old ones).
    """
    result = LoadResult()
    base = json.loads((directory / "base.json").read_text(encoding="utf-8"))
    perspective_files = sorted(directory.glob("perspective-*.json"))
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in perspective_files]
    release = base.get("release", "")
    with content_locked(), reversion.create_revision():
        # Stored text, read by editors later: in the site's language whatever language is active.
        with translation.override(settings.LANGUAGE_CODE):
            comment = _("Geladen uit de inhoudsbestanden") + (f" ({release})" if release else "")
        reversion.set_comment(comment)
        new_release = bool(release) and not ContentRelease.objects.filter(code=release).exists()
        if new_release and Question.objects.exists():
            previous = ContentRelease.objects.values_list("code", flat=True).first() or "v1"
            result.retired = _retire_questions(
                {q["code"] for data in documents for q in data["questions"]}, previous)
            update = True
        if new_release:
            ContentRelease.objects.create(code=release)
        values_by_code = {}
        for order, data in enumerate(base["public_values"], start=1):
            values_by_code[data["code"]] = _upsert(
                PublicValue, {"code": data["code"]},
                {"order": order, **_fields(data, "name", "description")}, update, result,
            )[0]
        instruments = {}
        for order, data in enumerate(base.get("instruments", []), start=1):
            instruments[data["code"]] = _upsert(
                Instrument, {"code": data["code"]},
                {"order": order, "url": data.get("url", ""),
                 "applies_when": _as_list(data.get("applies_when")),
                 **_fields(data, "name", "purpose", "applies", "legal_basis")},
                update, result,
            )[0]
        processes = {}
        for data in base["processes"]:
            processes[data["code"]] = _upsert(
                Process, {"code": data["code"]},
                {"order": data["order"], **_fields(data, "title", "summary", "explanation")},
                update, result,
            )[0]
        for data in documents:
            # Links are set for new objects and on an update only: an editor who removed one
            # keeps it removed.
            perspective, fresh = _upsert(
                Perspective, {"number": data["number"]},
                {"process": processes[data["process"]],
                 **_fields(data, "title", "summary", "explanation")},
                update, result,
            )
            if fresh:
                perspective.public_values.set(values_by_code[c] for c in data["public_values"])
            for order, qdata in enumerate(data["questions"], start=1):
                question, fresh = _upsert(Question, {"code": qdata["code"]},
                                          _question_fields(qdata, perspective, order), update,
                                          result)
                if fresh:
                    question.public_values.set(
                        values_by_code[c] for c in qdata.get("public_values", [])
                    )
                    question.instruments.set(instruments[c] for c in qdata.get("instruments", []))
            for band, texts in data["advice"].items():
                _upsert(Advice, {"perspective": perspective, "band": band},
                        {f"text_{language}": text for language, text in texts.items()},
                        update, result)
        # What was loaded is published at once (a fresh database, a new release, --update):
        # loading is a deliberate act of whoever deploys. A load that changed nothing leaves the
        # editors' unpublished draft a draft.
        nothing_published = not ContentRevision.objects.filter(number__isnull=False).exists()
        if nothing_published or result.created or result.updated or result.retired:
            with translation.override(settings.LANGUAGE_CODE):
                note = comment
            result.published = content_publish(user=None, note=note, allow_unchanged=True)
    return result


def _as_list(value) -> list[str]:
    """A list of codes; the first questionnaire's files held one code as a string."""
    if isinstance(value, str):
        return [value] if value else []
    return list(value or [])


def _question_fields(qdata: dict, perspective: Perspective, order: int) -> dict:
    scale = {
        f"scale_{level}_{language}": text
        for level, labels in enumerate(qdata["scale"])
        for language, text in labels.items()
    }
    minimum = qdata.get("minimum") or {}
    fields = {
        "perspective": perspective, "order": order, "weight": qdata.get("weight", 1),
        "applies_when": _as_list(qdata.get("applies_when")),
        "phases": list(qdata.get("phases") or []),
        "minimum_level": minimum.get("level"),
        "basis_kind": minimum.get("basis_kind", ""),
        **_fields(qdata, "text", "help_text"), **scale,
    }
    for language in LANGUAGES:
        fields[f"short_name_{language}"] = (qdata.get("short_name") or {}).get(language, "")
        fields[f"report_basis_{language}"] = (qdata.get("report_basis") or {}).get(language, "")
        fields[f"legal_basis_{language}"] = (minimum.get("basis") or {}).get(language, "")
        fields[f"minimum_action_{language}"] = (minimum.get("action") or {}).get(language, "")
    for level in (0, 1):
        step = (qdata.get("next_steps") or {}).get(str(level)) or {}
        fields[f"next_step_{level}_role"] = step.get("role", "")
        for language in LANGUAGES:
            fields[f"next_step_{level}_{language}"] = (step.get("text") or {}).get(language, "")
    return fields


VNG_EDITOR_GROUP = "VNG-beheerder"
CONTENT_MODELS = [Process, Perspective, Question, Advice, PublicValue, Instrument]


# Beyond the content: the published examples, which editors see and may withdraw (in the admin).
VNG_EDITOR_EXAMPLE_PERMISSIONS = ["view_publishedexample", "withdraw_publishedexample"]


def vng_editor_group_ensure():
    """The VNG-beheerder group with exactly the content permissions: add, change and view the
    content (never delete: answers and published snapshots refer to it), see the publications
    and publish; and see and withdraw published examples.

    Migrations 0002 and 0006 (and examples 0002) create it; this restores it where a database
    was flushed (browser tests).
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import Publication

    group, _created = Group.objects.get_or_create(name=VNG_EDITOR_GROUP)
    content_types = ContentType.objects.get_for_models(*CONTENT_MODELS).values()
    publication = ContentType.objects.get_for_model(Publication, for_concrete_model=False)
    group.permissions.set(
        Permission.objects.filter(content_type__in=content_types)
        .exclude(codename__startswith="delete_")
        | Permission.objects.filter(content_type=publication,
                                    codename__in=["view_publication", "publish_content"])
        | Permission.objects.filter(content_type__app_label="examples",
                                    codename__in=VNG_EDITOR_EXAMPLE_PERMISSIONS)
    )
    return group


class NothingToPublish(Exception):
    """The draft is the same as the latest publication."""


class DraftChanged(Exception):
    """The draft is not the one the editor reviewed: someone saved a text meanwhile."""


def content_publish(*, user: AbstractBaseUser | None, note: str,
                    allow_unchanged: bool = False,
                    reviewed: str | None = None) -> ContentRevision:
    """Freeze the draft (the content models as they are now) into the next numbered publication.

    From then on every user reads it (perspectives.selectors.content_snapshot); completed
    assessments keep the revision they were scored on. `reviewed` is the draft's revision as
    the editor saw it: another one (a colleague saved meanwhile) raises DraftChanged, checked
    under the content lock, so no save can slip in between the check and the publication.
    """
    from .selectors import content_build_snapshot, content_published_changed

    note = clean_text(note or "", multiline=False)[:PUBLICATION_NOTE_MAX]
    for _attempt in range(3):
        try:
            # Locked, so the snapshot holds no half of an editor's save.
            with content_locked():
                snapshot = content_build_snapshot()
                if reviewed is not None and snapshot["revision"] != reviewed:
                    raise DraftChanged
                latest = (ContentRevision.objects.filter(number__isnull=False)
                          .order_by("-number").first())
                if (latest is not None and not allow_unchanged
                        and latest.snapshot.get("revision") == snapshot["revision"]):
                    raise NothingToPublish
                number = (ContentRevision.objects.aggregate(n=Max("number"))["n"] or 0) + 1
                now = timezone.now()
                snapshot["publication"] = {"number": number, "published_at": now.isoformat()}
                revision = ContentRevision.objects.create(
                    revision=f"{snapshot['revision']}-{number}", snapshot=snapshot, number=number,
                    published_at=now, published_by=user, note=note,
                )
                content_published_changed(revision.pk)
                return revision
        except IntegrityError:
            continue  # a colleague published the same moment: take the next number
    raise RuntimeError("could not publish after three attempts")
