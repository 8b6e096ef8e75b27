"""Reads of the content, including the snapshot a completed assessment keeps."""

import hashlib
import json
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from .models import ContentRelease, ContentRevision, Instrument, Perspective, Process, Question

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


VERSION_KEY = "perspectives:content-version"
_memo: dict[str, Any] = {"version": None, "snapshot": None}
_memo_lock = threading.Lock()


def _bump_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def content_changed(**_signal_kwargs) -> None:
    """Called when content is saved or deleted: every process rebuilds its snapshot.

    Bumped now (so this transaction sees its own change) and again after the commit (so a
    process that rebuilt in between, from the data before the commit, rebuilds once more).
    Changes made with QuerySet.update() send no signal: call content_changed() after them.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def content_snapshot_forget() -> None:
    with _memo_lock:
        _memo.update(version=None, snapshot=None)


def content_snapshot() -> dict[str, Any]:
    """All content an assessment is scored against, in every language, as plain JSON data.

    A completed assessment stores this, so later edits by editors never change what it said.
    `revision` is a short hash of the content, printed on reports to say what was used.
    Every page of a concept assessment needs it, so each process keeps the last one it built
    until the shared content version (bumped on every content change) moves on. Treat the
    returned data as read-only.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    with _memo_lock:
        if _memo["version"] == version and _memo["snapshot"] is not None:
            return _memo["snapshot"]
    snapshot = _build_snapshot()
    with _memo_lock:
        _memo.update(version=version, snapshot=snapshot)
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


def _build_snapshot() -> dict[str, Any]:
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
    release = ContentRelease.objects.values_list("code", flat=True).first() or ""
    snapshot: dict[str, Any] = {"release": release, "processes": processes,
                                "instruments": instruments}
    encoded = json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
    snapshot["revision"] = hashlib.sha256(encoded).hexdigest()[:12]
    return snapshot


def content_revision_current() -> ContentRevision:
    """The stored revision of the content as it is now (created on first use)."""
    snapshot = content_snapshot()
    revision, _created = ContentRevision.objects.get_or_create(
        revision=snapshot["revision"], defaults={"snapshot": snapshot}
    )
    return revision
