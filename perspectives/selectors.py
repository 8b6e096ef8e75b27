"""Reads of the content, including the snapshot a completed assessment keeps."""

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from .models import (
    ContentRelease,
    ContentRevision,
    Instrument,
    Perspective,
    Process,
    PublicValue,
    Question,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def processes_with_perspectives() -> QuerySet[Process]:
    """Processes with their perspectives, public values and active questions, in a few queries."""
    return Process.objects.prefetch_related(
        Prefetch(
            "perspectives",
            queryset=Perspective.objects.prefetch_related(
                "public_values",
                Prefetch("questions", queryset=Question.objects.filter(is_active=True)
                         .prefetch_related(Prefetch("instruments",
                                                    queryset=Instrument.objects.filter(is_active=True)))),
                "advice",
            ),
        )
    )


def _translations(obj: Any, field: str) -> dict[str, str]:
    return {code: getattr(obj, f"{field}_{code}") or "" for code in LANGUAGE_CODES}


# The draft: the content models as editors left them. Its snapshot is rebuilt whenever the
# shared version (bumped on every content change) moves on.
VERSION_KEY = "perspectives:content-version"
_memo: dict[str, Any] = {"version": None, "snapshot": None}
_memo_lock = threading.Lock()

# The published content: the primary key of the latest published ContentRevision, shared by all
# app servers through the cache. A published snapshot never changes, so each process may keep the
# one it loaded for as long as that key still names it. The key expires now and then so that a
# publication whose cache write was lost still reaches every process.
PUBLISHED_KEY = "perspectives:published-revision"
PUBLISHED_KEY_TIMEOUT = 300
_published: dict[str, Any] = {"pk": None, "snapshot": None}


def _bump_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def content_changed(**_signal_kwargs) -> None:
    """Called when content is saved or deleted: every process rebuilds its draft snapshot.

    Bumped now (so this transaction sees its own change) and again after the commit (so a
    process that rebuilt in between, from the data before the commit, rebuilds once more).
    Changes made with QuerySet.update() send no signal: call content_changed() after them.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def content_published_changed(revision_pk: int) -> None:
    """Called by publishing: every process moves to the new published snapshot.

    Set now (so this transaction reads its own publication) and again after the commit; a
    process that reads the key before the commit finds no such row yet and reads the previous
    publication from the database.
    """
    cache.set(PUBLISHED_KEY, revision_pk, PUBLISHED_KEY_TIMEOUT)
    transaction.on_commit(lambda: cache.set(PUBLISHED_KEY, revision_pk, PUBLISHED_KEY_TIMEOUT))


# Revisions a completed assessment was scored on, parsed: a snapshot is about 400 kB of JSON, and
# decoding it cost a completed assessment's results page a third of its time. A revision never
# changes once made; the key holds its content hash too, so a reused primary key (a test
# database rolled back) never returns another revision's content.
REVISIONS_KEPT = 8
_revisions: "OrderedDict[tuple[int, str], dict[str, Any]]" = OrderedDict()


def revision_snapshot(revision: ContentRevision) -> dict[str, Any]:
    """The snapshot of `revision`, parsed once per process; `revision` may have been read with
    its snapshot deferred (`defer("content__snapshot")`), which saves reading it at all.
    Treat the returned data as read-only."""
    key = (revision.pk, revision.revision)
    with _memo_lock:
        if key in _revisions:
            _revisions.move_to_end(key)
            return _revisions[key]
    if "snapshot" in revision.get_deferred_fields():
        snapshot = ContentRevision.objects.filter(pk=revision.pk).values_list(
            "snapshot", flat=True).get()
    else:
        snapshot = revision.snapshot
    with _memo_lock:
        _revisions[key] = snapshot
        while len(_revisions) > REVISIONS_KEPT:
            _revisions.popitem(last=False)
    return snapshot


def content_snapshot_forget() -> None:
    with _memo_lock:
        _memo.update(version=None, snapshot=None)
        _published.update(pk=None, snapshot=None)
        _revisions.clear()


def content_draft_snapshot() -> dict[str, Any]:
    """The editors' draft: all content as it is in the content models now, as plain JSON data.

    Only editors see it (the preview, the publish page); users read content_snapshot().
    Treat the returned data as read-only.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    with _memo_lock:
        if _memo["version"] == version and _memo["snapshot"] is not None:
            return _memo["snapshot"]
    snapshot = content_build_snapshot()
    with _memo_lock:
        _memo.update(version=version, snapshot=snapshot)
    return snapshot


def _latest_published_pk() -> int | None:
    return (ContentRevision.objects.filter(number__isnull=False).order_by("-number")
            .values_list("pk", flat=True).first())


def content_published_revision_pk() -> int:
    """The primary key of the latest publication; the first one is made if there is none yet
    (a database from before publishing existed: its content was live, so it is published)."""
    pk = cache.get(PUBLISHED_KEY)
    if pk is not None:
        return pk
    pk = _latest_published_pk()
    if pk is None:
        from django.utils.translation import gettext

        from .services import content_publish

        pk = content_publish(user=None, note=gettext("Eerste publicatie")).pk
    cache.add(PUBLISHED_KEY, pk, PUBLISHED_KEY_TIMEOUT)
    return pk


def content_snapshot() -> dict[str, Any]:
    """The published content, in every language, as plain JSON data: what every user reads.

    New and concept assessments, the wizard, their results and the public pages read this; a
    completed assessment reads the revision it stored. `revision` is a short hash of the content,
    `publication` its number and date ({"number": 3, "published_at": ISO 8601}). Every page of a
    concept needs it, so each process keeps the one it loaded until another is published.
    Treat the returned data as read-only.
    """
    pk = content_published_revision_pk()
    with _memo_lock:
        if _published["pk"] == pk and _published["snapshot"] is not None:
            return _published["snapshot"]
    snapshot = ContentRevision.objects.filter(pk=pk).values_list("snapshot", flat=True).first()
    if snapshot is None:
        # Named by a publication not yet committed (or rolled back): the latest that is.
        pk = _latest_published_pk()
        return ContentRevision.objects.get(pk=pk).snapshot
    with _memo_lock:
        _published.update(pk=pk, snapshot=snapshot)
    return snapshot


def _question_data(question: Question) -> dict[str, Any]:
    minimum = None
    if question.minimum_level is not None:
        minimum = {
            "level": question.minimum_level,
            "basis": _translations(question, "legal_basis"),
            "basis_kind": question.basis_kind,
            "action": _translations(question, "minimum_action"),
        }
    return {
        "id": question.pk,
        "code": question.code,
        "text": _translations(question, "text"),
        "short_name": _translations(question, "short_name"),
        "help_text": _translations(question, "help_text"),
        "scale": [_translations(question, f"scale_{level}") for level in range(5)],
        "weight": question.weight,
        "applies_when": list(question.applies_when or []),
        "phases": list(question.phases or []),
        "minimum": minimum,
        "next_steps": {
            str(level): {"text": _translations(question, f"next_step_{level}"),
                         "role": getattr(question, f"next_step_{level}_role")}
            for level in (0, 1) if getattr(question, f"next_step_{level}_nl")
        },
        "report_basis": _translations(question, "report_basis"),
        "instruments": [instrument.code for instrument in question.instruments.all()],
    }


def content_build_snapshot() -> dict[str, Any]:
    """The draft content as it is in the database now (not cached)."""
    processes = []
    for process in processes_with_perspectives():
        perspectives = []
        for perspective in process.perspectives.all():
            perspectives.append(
                {
                    "number": perspective.number,
                    "title": _translations(perspective, "title"),
                    "summary": _translations(perspective, "summary"),
                    "explanation": _translations(perspective, "explanation"),
                    "public_values": [
                        _translations(value, "name") for value in perspective.public_values.all()
                    ],
                    "questions": [_question_data(q) for q in perspective.questions.all()],
                    "advice": {
                        advice.band: _translations(advice, "text")
                        for advice in perspective.advice.all()
                    },
                }
            )
        processes.append(
            {
                "code": process.code,
                "title": _translations(process, "title"),
                "summary": _translations(process, "summary"),
                "explanation": _translations(process, "explanation"),
                "perspectives": perspectives,
            }
        )
    instruments = [
        {
            "code": instrument.code,
            "name": _translations(instrument, "name"),
            "purpose": _translations(instrument, "purpose"),
            "applies": _translations(instrument, "applies"),
            "legal_basis": _translations(instrument, "legal_basis"),
            "url": instrument.url,
            "applies_when": list(instrument.applies_when or []),
        }
        for instrument in Instrument.objects.filter(is_active=True)
    ]
    public_values = [
        {"code": value.code, "name": _translations(value, "name"),
         "description": _translations(value, "description")}
        for value in PublicValue.objects.all()
    ]
    release = ContentRelease.objects.values_list("code", flat=True).first() or ""
    snapshot: dict[str, Any] = {"release": release, "processes": processes,
                                "instruments": instruments, "public_values": public_values}
    encoded = json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
    snapshot["revision"] = hashlib.sha256(encoded).hexdigest()[:12]
    return snapshot


def content_revision_current() -> ContentRevision:
    """The latest published revision: what an assessment completed now is scored on."""
    return ContentRevision.objects.get(pk=content_published_revision_pk())


def content_publications() -> QuerySet[ContentRevision]:
    return (ContentRevision.objects.filter(number__isnull=False).select_related("published_by")
            .order_by("-number"))
