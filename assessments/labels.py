"""Words for stored codes, in the active language: bands, phases, why a question does not apply,
and a text from a content snapshot in the assessment's language."""

from django.utils.translation import gettext as _

from perspectives.models import CHARACTERISTIC_REASONS, Band, Phase, characteristic_label

from . import scoring


def translated(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    return texts.get(language) or texts.get("nl") or ""


def band_label(band: str | None) -> str:
    return str(Band(band).label) if band else _("Niet beoordeeld")


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
