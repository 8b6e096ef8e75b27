"""The PDF advice report: a presenter that prepares everything, one function that renders it.

The template (templates/assessments/report/report.html) holds no logic: every text, label and
number comes from `ReportPresenter`. The PDF engine is `pdf.py`.
"""

import base64
import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from waardevol import ratelimit

from . import pdf
from .models import Action, Assessment
from .radar import RadarChart, radar_chart
from .readmodel import AssessmentResult, assessment_result

TEMPLATE = "assessments/report/report.html"
RADAR_TEMPLATE = "assessments/includes/radar.svg"


@dataclass
class ProcessBar:
    title: str
    score_text: str
    band_label: str
    width: int

    @property
    def alt_text(self) -> str:
        return _("Balk: %(score)s van 100") % {"score": self.score_text}

    @property
    def image_url(self) -> str:
        """The bar as a small SVG image (PDF/UA wants a text alternative even so)."""
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="12" '
               'viewBox="0 0 100 6" preserveAspectRatio="none">'
               '<rect width="100" height="6" fill="#e6e9ee"/>'
               f'<rect width="{self.width}" height="6" fill="#154273"/></svg>')
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass
class WeakPoint:
    number: int
    title: str
    score_text: str
    band_label: str


class ReportPresenter:
    """Everything the report template shows, in the assessment's own language."""

    def __init__(self, assessment: Assessment, result: AssessmentResult):
        self.assessment = assessment
        self.result = result
        self.project = assessment.project
        self.language = result.language

    @classmethod
    def for_assessment(cls, assessment: Assessment) -> "ReportPresenter":
        with translation.override(assessment.language):
            return cls(assessment, assessment_result(assessment, language=assessment.language))

    @property
    def is_concept(self) -> bool:
        return not self.assessment.is_completed

    @property
    def title(self) -> str:
        return _("Adviesrapport %(project)s") % {"project": self.project.name}

    @property
    def status_text(self) -> str:
        if self.is_concept:
            return _("Concept – nog niet afgerond")
        return _("Afgerond")

    @property
    def date_text(self) -> str:
        moment = self.assessment.completed_at or timezone.now()
        return _date(moment)

    @property
    def completed_by(self) -> str:
        user = self.assessment.completed_by
        return (user.get_full_name() or user.username) if user else "–"

    @property
    def started_by(self) -> str:
        user = self.assessment.started_by
        return user.get_full_name() or user.username

    @property
    def revision(self) -> str:
        return self.result.revision or "–"

    @property
    def overall_score(self) -> int | None:
        return self.result.scores.overall.score

    @property
    def overall_sentence(self) -> str:
        overall = self.result.scores.overall
        if overall.score is None:
            return _("Er is nog niets beantwoord, dus er is nog geen totaalscore.")
        return _("Het project scoort %(score)s van de 100 punten: %(band)s.") % {
            "score": overall.score, "band": self.result.overall_band_label.lower()}

    @property
    def overall_band_label(self) -> str:
        return self.result.overall_band_label

    @cached_property
    def radar(self) -> RadarChart:
        return radar_chart(self.result)

    @property
    def radar_alt(self) -> str:
        parts = [
            f"{axis.number}. {axis.title}: "
            + (str(axis.score) if axis.score is not None else _("niet beoordeeld"))
            for axis in self.radar.axes
        ]
        return _("Radardiagram van de score per perspectief (0–100). ") + "; ".join(parts) + "."

    @property
    def radar_data_url(self) -> str:
        svg = render_to_string(RADAR_TEMPLATE, {"radar": self.radar, "alt": self.radar_alt})
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

    @property
    def process_bars(self) -> list[ProcessBar]:
        return [
            ProcessBar(
                p.title,
                str(p.score.score) if p.score.score is not None else "–",
                p.band_label,
                p.score.score or 0,
            )
            for p in self.result.processes
        ]

    @property
    def weakest(self) -> list[WeakPoint]:
        return [
            WeakPoint(p.number, p.title, str(p.score.score), p.band_label)
            for p in self.result.weakest
        ]

    @property
    def open_actions(self) -> list[Action]:
        return self.result.open_actions

    @property
    def actions(self) -> list[Action]:
        return self.result.actions

    @property
    def processes(self):
        return self.result.processes

    @property
    def characteristics(self) -> list[str]:
        return self.result.characteristic_labels

    @property
    def phase_label(self) -> str:
        return self.result.phase_label

    @property
    def unmet_minimums(self):
        return self.result.unmet_minimums

    @property
    def top_next_steps(self):
        """The summary is one page: each unmet minimum listed above it takes a step's room."""
        room = max(2, len(self.result.top_next_steps) - len(self.unmet_minimums))
        return self.result.top_next_steps[:room]

    @property
    def instruments(self):
        return self.result.instruments

    @property
    def citation(self) -> str:
        return ("Est, R. van, E. de Bakker, J. van den Broek, J. Deuten, P. Diederen, "
                "I. van Keulen, I. Korthagen & H. Voncken (2018). Waardevol digitaliseren – Hoe "
                "lokale bestuurders vanuit publiek perspectief mee kunnen doen aan het "
                "‘technologiespel’. Den Haag: Rathenau Instituut.")

    @property
    def file_name(self) -> str:
        return report_file_name(self.assessment)


def report_file_name(assessment: Assessment) -> str:
    moment = assessment.completed_at or timezone.now()
    slug = slugify(assessment.project.name)[:60] or "project"
    return f"waardevol-{slug}-{timezone.localtime(moment):%Y-%m-%d}.pdf"


def _date(moment) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "j F Y")


def report_html(presenter: ReportPresenter, *, for_pdf: bool = True, csp_nonce: str = "") -> str:
    """The report as HTML. A browser shows it only under our CSP, so the staff preview passes the
    request's nonce for the inline @page rule (its page footer text is translated)."""
    with translation.override(presenter.language):
        return render_to_string(TEMPLATE, {"report": presenter, "for_pdf": for_pdf,
                                           "csp_nonce": csp_nonce})


def render_report_pdf(assessment: Assessment) -> bytes:
    """Render an assessment's advice report as a tagged PDF/UA-1 document."""
    return pdf.html_to_pdf(report_html(ReportPresenter.for_assessment(assessment)))


@lru_cache(maxsize=1)
def _template_digest() -> str:
    """Changes to what shapes the report's text and look (templates, stylesheet, translations and
    the code that words it) make new cache keys, so a deployment never serves stale PDFs."""
    digest = hashlib.sha256()
    for name in ("templates/assessments/report/report.html",
                 "templates/assessments/includes/radar.svg", "static/css/print.css",
                 "locale/en/LC_MESSAGES/django.po", "assessments/report.py", "assessments/pdf.py",
                 "assessments/readmodel.py", "assessments/labels.py", "assessments/radar.py",
                 "perspectives/models.py"):
        digest.update((Path(settings.BASE_DIR) / name).read_bytes())
    return digest.hexdigest()[:12]


def report_cache_key(assessment: Assessment) -> str:
    actions = Action.objects.filter(assessment=assessment).aggregate(
        n=Count("pk"), changed=Max("updated_at"))
    project = assessment.project
    parts = [
        assessment.pk, assessment.completed_at.isoformat() if assessment.completed_at else "",
        assessment.content_revision, assessment.language, project.name, project.updated_at,
        project.municipality.name, actions["n"], actions["changed"], _template_digest(),
        *(user.get_full_name() or user.username
          for user in (assessment.started_by, assessment.completed_by) if user),
    ]
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return f"report-pdf:{assessment.pk}:{digest[:32]}"


class RenderLimitReached(Exception):
    """This user had REPORT_RENDERS_PER_USER new PDFs rendered in the current window."""


def report_pdf(assessment: Assessment, *, user=None) -> tuple[bytes, str]:
    """The PDF and its file name, rendered only when nothing cached shows the same.

    A completed assessment's PDF is keyed on what can still change around it (names, actions,
    the code that words it); a concept's on a digest of its report HTML, so an unchanged concept
    is not rendered twice. Each render counts against the user's limit; cached copies are free.
    """
    file_name = report_file_name(assessment)
    html = None
    if assessment.is_completed:
        key = report_cache_key(assessment)
    else:
        html = report_html(ReportPresenter.for_assessment(assessment))
        digest = hashlib.sha256((html + _template_digest()).encode()).hexdigest()[:32]
        key = f"report-pdf:concept:{assessment.pk}:{digest}"
    document = cache.get(key)
    if document is None:
        if user is not None and not ratelimit.allow(
            f"report-render:{user.pk}", limit=settings.REPORT_RENDERS_PER_USER,
            window=settings.REPORT_RENDER_WINDOW_SECONDS,
        ):
            raise RenderLimitReached
        document = pdf.html_to_pdf(html) if html is not None else render_report_pdf(assessment)
        cache.set(key, document, timeout=60 * 60 * 24 * (30 if assessment.is_completed else 1))
    return document, file_name
