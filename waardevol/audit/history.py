"""The presenter of the "Geschiedenis" page and of its CSV export: each event in words."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.labels import date_label, perspective_titles
from assessments.models import Action, AnswerKind, Assessment, Membership, Project

from .models import AuditEvent, AuditKind

PAGE_SIZE = 50

ANSWER_KINDS = {AuditKind.ANSWER_CHANGED, AuditKind.ANSWER_CHOSEN, AuditKind.RATING_SUBMITTED}
ACTION_KINDS = {AuditKind.ACTION_ADDED, AuditKind.ACTION_CHANGED}
EXPORT_KINDS = {AuditKind.PROJECTS_EXPORTED, AuditKind.ACTIONS_EXPORTED}
MEMBER_KINDS = {AuditKind.MEMBER_INVITED, AuditKind.INVITATION_WITHDRAWN, AuditKind.MEMBER_JOINED,
                AuditKind.MEMBER_CHANGED, AuditKind.MEMBER_REMOVED, AuditKind.MEMBER_DEACTIVATED,
                AuditKind.MEMBER_REACTIVATED}
NO_VALUE = "–"


@dataclass
class HistoryRow:
    moment: str  # ISO 8601, for <time datetime>
    moment_label: str  # "23 november 2026 08:32"
    moment_csv: str  # "2026-11-23 08:32:05", Dutch time: a spreadsheet reads it as a date
    # "UTC+01:00": the hour the clocks go back comes twice, and the audit trail must tell the two
    # apart. Not "+01:00", which a spreadsheet would take for a formula.
    utc_offset: str
    actor: str
    action: str
    assessment_label: str  # which assessment, on a project's history; "" on an assessment's
    assessment_url: str
    changes: list[str]  # "Fase: Idee → Pilot / experiment"


class HistoryPresenter:
    """Rows for a page (or all rows, for the CSV) of a project's, an assessment's or the
    municipality's history.

    On a project's history each row names its assessment (`names_assessments`), read for the
    whole page in one query.
    """

    def __init__(self, events: Iterable[AuditEvent], *, names_assessments: bool):
        self.events = list(events)
        self.names_assessments = names_assessments
        self.assessments = {} if not names_assessments else {
            a.pk: a for a in Assessment.objects.filter(
                pk__in={e.assessment_id for e in self.events if e.assessment_id})
        }
        self.words = EventWords()

    @property
    def rows(self) -> list[HistoryRow]:
        return [self.row(event) for event in self.events]

    def row(self, event: AuditEvent) -> HistoryRow:
        moment = timezone.localtime(event.created_at)
        label, url = self.assessment_of(event)
        iso = moment.isoformat(timespec="seconds")
        return HistoryRow(
            moment=iso,
            moment_label=date_format(moment, "j F Y H:i"),
            moment_csv=f"{moment:%Y-%m-%d %H:%M:%S}",
            utc_offset=f"UTC{iso[-6:]}",
            actor=event.actor_name or _("onbekend"),
            action=event.get_kind_display(),
            assessment_label=label, assessment_url=url,
            changes=changes_in_words(event, self.words),
        )

    def assessment_of(self, event: AuditEvent) -> tuple[str, str]:
        if not self.names_assessments or event.assessment_id is None:
            return "", ""
        assessment = self.assessments.get(event.assessment_id)
        if assessment is None:
            return _("verwijderd concept"), ""
        return (_("gestart op %(date)s") % {"date": date_label(assessment.started_at)},
                reverse("assessments:results", args=[assessment.pk]))


class EventWords:
    """What events store as the words of their moment, in the reader's language, looked up once
    per page: an export's filters (the labels and choices of the form it was made with; their
    choices are read when a form is made) and an action's perspective."""

    def __init__(self):
        self._forms: dict[str, object] = {}
        self._perspective_titles: dict[int, str] | None = None

    def perspective(self, stored: str) -> str:
        """An action's perspective is stored as "7. <title>" in the language of whoever saved
        it; the reader gets the number with the title as published now in their own language."""
        number, dot, _title = stored.partition(". ")
        if not dot or not (number.isascii() and number.isdigit()):  # "²" is a digit to isdigit
            return stored
        if self._perspective_titles is None:
            self._perspective_titles = perspective_titles()
        title = self._perspective_titles.get(int(number))
        return f"{number}. {title}" if title else stored

    def form(self, kind: str):
        if kind not in self._forms:
            from assessments.forms import ActionFilterForm, OverviewFilterForm

            self._forms[kind] = (OverviewFilterForm if kind == AuditKind.PROJECTS_EXPORTED
                                 else ActionFilterForm)()
        return self._forms[kind]

    def lines(self, kind: str, filters: list) -> list[str]:
        fields = self.form(kind).fields
        lines = []
        for name, value in filters:
            field = fields.get(name)
            if field is None:  # a filter the form no longer has
                lines.append(f"{name}: {value}")
                continue
            if isinstance(value, bool):  # a checkbox: "Alleen verlopen acties"
                lines.append(str(field.label))
                continue
            choices = {str(key): label for key, label in getattr(field, "choices", ())}
            lines.append(f"{field.label}: {choices.get(str(value), value)}")
        return lines


def changes_in_words(event: AuditEvent, words: EventWords | None = None) -> list[str]:
    words = words or EventWords()
    changes = event.changes or {}
    lines = []
    if event.kind in EXPORT_KINDS:
        if changes.get("rows") is not None:
            lines.append(ngettext("%(count)s rij", "%(count)s rijen", changes["rows"])
                         % {"count": changes["rows"]})
        if changes.get("filters"):
            lines += words.lines(event.kind, changes["filters"])
        elif changes.get("rows") is not None:
            lines.append(_("Zonder filter"))
    if event.kind == AuditKind.ACTION_CHANGED and changes.get("description"):
        lines.append(_("Verbeteractie ‘%(description)s’") % {"description": changes["description"]})
    if event.kind == AuditKind.ASSESSMENT_COMPLETED and changes.get("score") is not None:
        lines.append(_("Totaalscore: %(score)s") % {"score": changes["score"]})
    if event.kind == AuditKind.ASSESSMENT_REOPENED:
        lines.append(_("Een nieuwe conceptversie op basis van de afgeronde beoordeling"))
    if event.kind == AuditKind.RATING_ROUND_STARTED and changes.get("raters"):
        lines.append(_("Beoordelaars: %(names)s") % {"names": ", ".join(changes["raters"])})
    if event.kind == AuditKind.RATING_SUBMITTED and not changes.get("fields"):
        lines.append(_("Geen vragen gescoord"))
    lines += _example_lines(event.kind, changes)
    if event.kind in MEMBER_KINDS:
        lines += _member_lines(changes)
    for name, old, new in changes.get("fields", []):
        if event.kind in ANSWER_KINDS:
            label, new = _answer_label(name), _answer_value(name, new)
            # A rater's submitted scores are their own, new: no "before" to show.
            old = None if event.kind == AuditKind.RATING_SUBMITTED else _answer_value(name, old)
        else:
            model = (Action if event.kind in ACTION_KINDS
                     else Membership if event.kind in MEMBER_KINDS else Project)
            label, old, new = _field_label(model, name), _value(model, name, old), _value(
                model, name, new)
            if model is Action and name == "perspective":
                old, new = (None if value is None else words.perspective(value)
                            for value in (old, new))
            if new is None:  # a value cleared, a membership ended: a dash after the arrow
                new = NO_VALUE
        lines.append(f"{label}: {new}" if old is None else f"{label}: {old} → {new}")
    return lines


def _example_lines(kind: str, changes: dict) -> list[str]:
    """Publishing, withdrawing and starting from a published example, and confirming its answers."""
    lines = []
    if kind in (AuditKind.EXAMPLE_PUBLISHED, AuditKind.EXAMPLE_WITHDRAWN,
                AuditKind.EXAMPLE_ADOPTED) and changes.get("title"):
        lines.append(_("Voorbeeld ‘%(title)s’") % {"title": changes["title"]})
    if kind == AuditKind.EXAMPLE_PUBLISHED:
        lines.append(_("Met toelichtingen") if changes.get("include_notes")
                     else _("Zonder toelichtingen"))
    if kind == AuditKind.EXAMPLE_ADOPTED:
        if changes.get("municipality"):
            lines.append(_("Gepubliceerd door %(name)s") % {"name": changes["municipality"]})
        lines.append(_("Antwoorden overgenomen: %(n)s") % {"n": changes.get("copied", 0)})
        if changes.get("skipped"):
            lines.append(_("Niet overgenomen (vraag bestaat niet meer of past niet): "
                           "%(codes)s") % {"codes": ", ".join(changes["skipped"])})
    if kind == AuditKind.ADOPTED_ANSWERS_CONFIRMED:
        lines.append(_("Vraag %(codes)s") % {"codes": ", ".join(changes.get("codes", []))})
    return lines


def _member_lines(changes: dict) -> list[str]:
    """Whom a membership event is about, and how it came about if not on the members page."""
    lines = []
    if changes.get("member"):
        lines.append(_("Lid: %(name)s") % {"name": changes["member"]})
    if changes.get("email"):
        lines.append(_("E-mailadres: %(email)s") % {"email": changes["email"]})
    via = {"invitation": _("Via een uitnodiging"),
           "identity_provider": _("Volgens de identiteitsprovider van de gemeente"),
           "admin": _("Via de beheeromgeving van Waardevol")}.get(changes.get("via"))
    if via:
        lines.append(via)
    return lines


def _field_label(model: type[Model], name: str) -> str:
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def _value(model: type[Model], name: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "DateField":
        try:
            return date_label(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value) if value != "" else NO_VALUE


def _answer_label(name: str) -> str:
    code, _sep, part = name.partition(":")
    if part == "note":
        return _("Vraag %(code)s, toelichting") % {"code": code}
    if part == "na_reason":
        return _("Vraag %(code)s, reden niet van toepassing") % {"code": code}
    return _("Vraag %(code)s") % {"code": code}


def _answer_value(name: str, value) -> str | None:
    if ":" in name:  # a note or reason: free text; its absence reads as a dash, not as "none"
        return value or NO_VALUE
    if value is None:
        return _("geen antwoord")
    if value in AnswerKind.values and value != AnswerKind.SCORE:
        return str(AnswerKind(value).label)
    return str(value)
