"""Writes to the content: loading the editorial content from fixtures/content/."""

import json
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.db import transaction

from .models import Advice, Perspective, Process, PublicValue, Question

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _fields(data: dict, *names: str) -> dict:
    """Flatten {"title": {"nl": .., "en": ..}} into {"title_nl": .., "title_en": ..}."""
    flat = {}
    for name in names:
        for language, text in data[name].items():
            flat[f"{name}_{language}"] = text
    return flat


def _upsert(model, lookup: dict, values: dict, update: bool, result: LoadResult):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created += 1
    elif update:
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


def content_load(*, directory: Path = CONTENT_DIR, update: bool = False) -> LoadResult:
    """Create the content from the JSON files; existing objects are left alone unless `update`.

    Leaving existing objects alone matters: `make run` calls this every time, and it must never
    undo what a VNG editor changed in the admin.
    """
    result = LoadResult()
    base = json.loads((directory / "base.json").read_text(encoding="utf-8"))
    perspective_files = sorted(directory.glob("perspective-*.json"))
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment("Loaded from fixtures/content")
        values_by_code = {}
        for order, data in enumerate(base["public_values"], start=1):
            values_by_code[data["code"]] = _upsert(
                PublicValue, {"code": data["code"]},
                {"order": order, **_fields(data, "name", "description")}, update, result,
            )
        processes = {}
        for data in base["processes"]:
            processes[data["code"]] = _upsert(
                Process, {"code": data["code"]},
                {"order": data["order"], **_fields(data, "title", "summary", "explanation")},
                update, result,
            )
        for path in perspective_files:
            data = json.loads(path.read_text(encoding="utf-8"))
            perspective = _upsert(
                Perspective, {"number": data["number"]},
                {"process": processes[data["process"]],
                 **_fields(data, "title", "summary", "explanation")},
                update, result,
            )
            if update or not perspective.public_values.exists():
                perspective.public_values.set(values_by_code[c] for c in data["public_values"])
            for order, qdata in enumerate(data["questions"], start=1):
                scale = {
                    f"scale_{level}_{language}": text
                    for level, labels in enumerate(qdata["scale"])
                    for language, text in labels.items()
                }
                question = _upsert(
                    Question, {"code": qdata["code"]},
                    {"perspective": perspective, "order": order, "weight": qdata.get("weight", 1),
                     "applies_when": qdata.get("applies_when", ""),
                     **_fields(qdata, "text", "help_text"), **scale},
                    update, result,
                )
                if update or not question.public_values.exists():
                    question.public_values.set(
                        values_by_code[c] for c in qdata.get("public_values", [])
                    )
            for band, texts in data["advice"].items():
                _upsert(Advice, {"perspective": perspective, "band": band},
                        {f"text_{language}": text for language, text in texts.items()},
                        update, result)
    return result


VNG_EDITOR_GROUP = "VNG-beheerder"
CONTENT_MODELS = [Process, Perspective, Question, Advice, PublicValue]


def vng_editor_group_ensure():
    """The VNG-beheerder group with exactly the content permissions.

    Migration 0002 creates it; this restores it where a database was flushed (browser tests).
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    group, _created = Group.objects.get_or_create(name=VNG_EDITOR_GROUP)
    content_types = ContentType.objects.get_for_models(*CONTENT_MODELS).values()
    group.permissions.set(Permission.objects.filter(content_type__in=content_types))
    return group
