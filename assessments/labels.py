"""Words for stored codes, in the active language: bands, phases, dates, people, why a question
does not apply, and a text from a content snapshot in the assessment's language."""

from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perspectives.models import CHARACTERISTIC_REASONS, Band, Phase, characteristic_label
from perspectives.selectors import content_snapshot

from . import scoring


def translated(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    return texts.get(language) or texts.get("nl") or ""


def band_label(band: str | None) -> str:
    return str(Band(band).label) if band else _("Niet beoordeeld")


def score_label(score: int | None, bands: dict | None = None) -> str:
    """A score with its band ("72 – op orde"), as every page writes one; `bands` are band labels
    translated already (a list translates them once, not once a row)."""
    if score is None:
        return "–"
    band = scoring.score_band(score)
    return f"{score} – {(bands[band] if bands else band_label(band)).lower()}"


def shared_dates(moments) -> set[str]:
    """The date labels that more than one of `moments` falls on (None ignored)."""
    labels = [date_label(moment) for moment in moments if moment]
    return {label for label in labels if labels.count(label) > 1}


def moment_label(moment: datetime, same_day: set[str]) -> str:
    """The date, with the time when another moment in view falls on that day (`same_day`, from
    shared_dates): two assessments of one day otherwise read alike."""
    text = date_label(moment)
    if text in same_day:
        text += " " + time_format(timezone.localtime(moment), "H:i")
    return text


def date_label(moment: date | datetime | None) -> str:
    """A date the way people write it: "1 maart 2027" (Dutch), "1 March 2027" (English)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    # Django's date_format("j F Y") looks up the format and the month's name on every call; a
    # list of 50 projects has 100 dates.
    month = _month_names(get_language() or settings.LANGUAGE_CODE)[moment.month]
    return f"{moment.day} {month} {moment.year}"


@lru_cache(maxsize=8)
def _month_names(language: str) -> tuple[str, ...]:
    with translation.override(language):
        return ("", *(date_format(date(2000, month, 1), "F") for month in range(1, 13)))


def person_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def phase_label(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else phase


def not_applicable_reason(reason: tuple[str, str] | None) -> str:
    """Why a question does not apply, in words: "geldt alleen voor …" or "past niet bij …"."""
    if not reason:
        return ""
    kind, value = reason
    if kind == scoring.REASON_PHASE:
        return _("past niet bij de fase %(phase)s") % {"phase": phase_label(value).lower()}
    text = CHARACTERISTIC_REASONS.get(value)
    if text is not None:
        return str(text)
    return _("alleen voor projecten waarvoor geldt: %(characteristic)s") % {
        "characteristic": characteristic_label(value).lower()}


def perspective_titles(language: str | None = None) -> dict[int, str]:
    """The ten perspectives' titles as users read them now (the published content), by number."""
    language = language or get_language() or "nl"
    return {data["number"]: translated(data["title"], language)
            for process in content_snapshot()["processes"] for data in process["perspectives"]}
