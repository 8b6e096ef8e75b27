"""Presenters for the content pages: the public perspectives page, and the editors' preview of the
draft, both built from a content snapshot (published for users, draft for the preview)."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .models import Band


def translated(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    return texts.get(language) or texts.get("nl") or ""


@dataclass
class QuestionItem:
    code: str
    text: str
    help_text: str
    scale: list[str]
    is_minimum: bool


@dataclass
class AdviceItem:
    band_label: str
    text: str


@dataclass
class PerspectiveItem:
    number: int
    title: str
    summary: str
    explanation: str
    public_values: list[str]
    questions: list[QuestionItem] = field(default_factory=list)
    advice: list[AdviceItem] = field(default_factory=list)


@dataclass
class ProcessItem:
    code: str
    title: str
    explanation: str
    perspectives: list[PerspectiveItem]
    summary: str = ""


@dataclass
class PublicValueItem:
    name: str
    description: str


class PerspectiveIndexPresenter:
    """The ten perspectives by process, and the public values, in one language."""

    def __init__(self, snapshot: dict[str, Any], language: str):
        self.snapshot = snapshot
        self.language = language
        self.processes = [self._process(process) for process in snapshot["processes"]]
        self.public_values = [
            PublicValueItem(translated(value["name"], language),
                            translated(value.get("description"), language))
            for value in snapshot.get("public_values") or []
        ]

    @property
    def perspectives(self) -> list[PerspectiveItem]:
        return [p for process in self.processes for p in process.perspectives]

    def perspective(self, number: int) -> PerspectiveItem | None:
        return next((p for p in self.perspectives if p.number == number), None)

    def _process(self, data: dict[str, Any]) -> ProcessItem:
        language = self.language
        return ProcessItem(
            code=data["code"], title=translated(data["title"], language),
            explanation=translated(data.get("explanation"), language),
            perspectives=[self._perspective(p) for p in data["perspectives"]],
            summary=translated(data.get("summary"), language),
        )

    def _perspective(self, data: dict[str, Any]) -> PerspectiveItem:
        language = self.language
        advice = data.get("advice") or {}
        return PerspectiveItem(
            number=data["number"], title=translated(data["title"], language),
            summary=translated(data["summary"], language),
            explanation=translated(data["explanation"], language),
            public_values=[translated(v, language) for v in data["public_values"]],
            questions=[
                QuestionItem(q["code"], translated(q["text"], language),
                             translated(q["help_text"], language),
                             [translated(label, language) for label in q["scale"]],
                             bool(q.get("minimum")))
                for q in data["questions"]
            ],
            advice=[AdviceItem(str(label), translated(advice.get(band), language))
                    for band, label in Band.choices if band in advice],
        )


def publication_of(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """{"number": …, "published_at": ISO 8601} of a published snapshot; None for a draft or a
    snapshot frozen before content was published."""
    return snapshot.get("publication")


def draft_changes(draft: dict[str, Any], published: dict[str, Any]) -> list[str]:
    """What publishing the draft would change, one line per process, perspective, question,
    advice, instrument or public value (in the editor's language)."""
    changes: list[str] = []

    def compare(label: str, new: Any, old: Any) -> None:
        if old is None:
            changes.append(_("%(item)s: nieuw") % {"item": label})
        elif new is None:
            changes.append(_("%(item)s: niet meer getoond") % {"item": label})
        elif new != old:
            changes.append(_("%(item)s: gewijzigd") % {"item": label})

    def without(data: dict[str, Any] | None, *keys: str) -> dict[str, Any] | None:
        return None if data is None else {k: v for k, v in data.items() if k not in keys}

    def perspectives(snapshot):
        return {p["number"]: p for process in snapshot["processes"] for p in process["perspectives"]}

    old_processes = {p["code"]: p for p in published["processes"]}
    for process in draft["processes"]:
        compare(_("Proces %(title)s") % {"title": translated(process["title"], "nl")},
                without(process, "perspectives"),
                without(old_processes.get(process["code"]), "perspectives"))
    old_perspectives, new_perspectives = perspectives(published), perspectives(draft)
    for number, perspective in new_perspectives.items():
        old = old_perspectives.get(number)
        compare(_("Perspectief %(number)s") % {"number": number},
                without(perspective, "questions", "advice"), without(old, "questions", "advice"))
        old_advice = (old or {}).get("advice") or {}
        for band, label in Band.choices:
            if band in perspective["advice"] or band in old_advice:
                compare(_("Advies bij perspectief %(number)s, %(band)s") % {
                    "number": number, "band": str(label).lower()},
                    perspective["advice"].get(band), old_advice.get(band))
    old_questions = {q["code"]: q for p in old_perspectives.values() for q in p["questions"]}
    new_questions = {q["code"]: q for p in new_perspectives.values() for q in p["questions"]}
    for code in sorted(new_questions.keys() | old_questions.keys(),
                       key=lambda c: [int(part) if part.isdigit() else 0 for part in c.split(".")]):
        compare(_("Vraag %(code)s") % {"code": code}, new_questions.get(code),
                old_questions.get(code))
    for kind, key, label in (("instruments", "code", _("Vervolginstrument %(name)s")),
                             ("public_values", "code", _("Publieke waarde %(name)s"))):
        old_items = {item[key]: item for item in published.get(kind) or []}
        new_items = {item[key]: item for item in draft.get(kind) or []}
        for code in sorted(new_items.keys() | old_items.keys()):
            item = new_items.get(code) or old_items[code]
            compare(label % {"name": translated(item["name"], "nl")}, new_items.get(code),
                    old_items.get(code))
    return changes
