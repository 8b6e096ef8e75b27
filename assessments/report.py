"""The PDF advice report: a presenter that prepares everything, one function that renders it.

The template (templates/assessments/report/report.html) holds no logic: every text, label and
number comes from `ReportPresenter`, which builds on the results page's presenter so that page and
PDF word every fact the same way. The PDF engine is `pdf.py`.
"""

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waardevol import ratelimit
from waardevol.benchmark.selectors import takes_part

from . import pdf
from .labels import date_label
from .models import Action, ActionStatus, Assessment
from .progress import ComparisonPresenter
from .results import ResultsPresenter, files_digest
from .selectors import actions_completed_between, assessment_previous_completed

TEMPLATE = "assessments/report/report.html"
NAME_PREFIX_HYPHEN = re.compile(r"(?<!\w)([’']s)-(?=\w)")
# The summary is one page: one next step per perspective that needs attention.
SUMMARY_STEPS_PER_PERSPECTIVE = 1


def svg_data_url(svg: str) -> str:
    """An SVG as an image source: WeasyPrint tags an <img> as a /Figure with its alt text."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bar_image_url(width: int) -> str:
    return svg_data_url(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="12" viewBox="0 0 100 6" '
        'preserveAspectRatio="none"><rect width="100" height="6" fill="#e6e9ee"/>'
        f'<rect width="{max(0, min(width, 100))}" height="6" fill="#154273"/></svg>')


@dataclass
class ScoreRow:
    label: str
    score_text: str
    is_process: bool
    bar_url: str = ""
    bar_alt: str = ""


class ReportPresenter(ResultsPresenter):
    """The PDF report: every fact worded by the results presenter, in the assessment's own
    language, plus what only paper needs (a title, the cover, images, a one-page summary)."""


    @classmethod
    def for_assessment(cls, assessment: Assessment) -> "ReportPresenter":
        return super().for_assessment(assessment, language=assessment.language)

    @property
    def title(self) -> str:
        return _("Adviesrapport %(project)s") % {"project": self.project.name}

    @property
    def cover_title(self) -> str:
        """The project's name for the cover, where a line never breaks after the hyphen of
        ’s-Hertogenbosch or ’s-Gravenhage (a non-breaking hyphen takes its place)."""
        return NAME_PREFIX_HYPHEN.sub("\\1\u2011", self.project.name)

    @property
    def status_text(self) -> str:
        return _("Afgerond") if self.is_completed else _("Concept – nog niet afgerond")

    @property
    def radar_data_url(self) -> str:
        return svg_data_url(self.radar_svg)

    @property
    def score_rows(self) -> list[ScoreRow]:
        """The radar's legend and the process bars as one table beside the radar: each process
        with its bar, then its two perspectives (the summary is one page)."""
        rows = []
        for section, bar in zip(self.process_sections, self.process_bars, strict=True):
            alt = (_("%(score)s van 100") % {"score": bar.score} if bar.score is not None
                   else bar.score_text)
            rows.append(ScoreRow(section.title, section.score_text, True,
                                 bar_image_url(bar.width), alt))
            rows += [ScoreRow(f"{card.number}. {card.title}", card.score_text, False)
                     for card in section.perspectives]
        return rows

    @property
    def summary_attention(self) -> list:
        """The attention list of the summary page: each perspective with its first next step
        and, when its only steps are those of unmet minimum requirements (named just above, so
        not repeated), a pointer to them instead of a line that looks cut off."""
        named = {minimum.code for minimum in self.unmet_minimums}
        rows = []
        for item in self.attention:
            steps = [step for step in item.next_steps
                     if step.code not in named][:SUMMARY_STEPS_PER_PERSPECTIVE]
            codes = sorted({step.code for step in item.next_steps if step.code in named})
            pointer = "" if steps or not codes else ngettext(
                "eerst de minimumeis hierboven (%(codes)s).",
                "eerst de minimumeisen hierboven (%(codes)s).", len(codes)) % {
                "codes": ", ".join(codes)}
            rows.append((item, steps, pointer))
        return rows

    @property
    def open_actions_sentence(self) -> str:
        """The action plan in one sentence: the summary is one page, the plan has the rows."""
        open_actions = [a for a in self.result.actions if a.status != ActionStatus.DONE]
        if not open_actions:
            return _("Er zijn geen openstaande verbeteracties.")
        text = ngettext("Er staat %(n)s verbeteractie open.", "Er staan %(n)s verbeteracties open.",
                        len(open_actions)) % {"n": len(open_actions)}
        due = sorted(a.due_date for a in open_actions if a.due_date)
        if due:
            text += " " + _("De eerstvolgende uiterste datum is %(date)s.") % {
                "date": date_label(due[0])}
        return text + " " + _("Het actieplan achterin noemt ze allemaal.")

    @cached_property
    def progress(self) -> ComparisonPresenter | None:
        """A re-assessment's development since the latest earlier completed assessment of the
        project (a section of its own after the perspectives); None for a first assessment."""
        previous = assessment_previous_completed(assessment=self.assessment)
        if previous is None:
            return None
        return ComparisonPresenter.for_assessments(previous, self.assessment,
                                                   language=self.language)

    @property
    def appendix_processes(self):
        """The five processes and ten perspectives with their summaries, for the appendix."""
        return self.result.processes

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


def report_html(presenter: ReportPresenter, *, for_pdf: bool = True, csp_nonce: str = "",
                compact_summary: bool = False) -> str:
    """The report as HTML. A browser shows it only under our CSP, so the staff preview passes the
    request's nonce for the inline @page rule (its page footer text is translated).
    `compact_summary`: the summary names the unmet minimums without what to do, and a section
    after it has that (see `report_pdf`)."""
    with translation.override(presenter.language):
        return render_to_string(TEMPLATE, {"report": presenter, "for_pdf": for_pdf,
                                           "csp_nonce": csp_nonce,
                                           "compact_summary": compact_summary})


def render_report_pdf(assessment: Assessment) -> bytes:
    """Render an assessment's advice report as a tagged PDF/UA-1 document."""
    return report_pdf(ReportPresenter.for_assessment(assessment))


# The summary's first and last element (ids in the template).
SUMMARY_START, SUMMARY_END = "samenvatting", "samenvatting-einde"


def report_pdf(presenter: ReportPresenter, html: str = "") -> bytes:
    """The report of `presenter` (whose HTML is `html`, if the caller has it already) as a PDF.

    The summary is one page. Six unmet minimums, each with its basis and what to do, made it
    two, the second with a few lines on it; when the layout shows that, what to do per minimum
    moves to a section of its own after the summary and the report is laid out once more (only
    then: a second layout costs as much as the first)."""
    def summary_on_one_page(document) -> str:
        if not presenter.unmet_minimums or \
                pdf.anchor_page(document, SUMMARY_START) == pdf.anchor_page(document, SUMMARY_END):
            return ""
        return report_html(presenter, compact_summary=True)

    return pdf.html_to_pdf(html or report_html(presenter), relayout=summary_on_one_page)


REPORT_FILES = ("templates/assessments/report/report.html",
                "templates/assessments/includes/radar.svg", "static/css/print.css",
                "locale/en/LC_MESSAGES/django.po", "assessments/report.py", "assessments/pdf.py",
                "assessments/readmodel.py", "assessments/labels.py", "assessments/radar.py",
                "assessments/results.py", "assessments/progress.py",
                "waardevol/benchmark/presenters.py", "perspectives/models.py")


def _template_digest() -> str:
    """Changes to what shapes the report's text and look (templates, stylesheet, translations and
    the code that words it) make new cache keys, so a deployment never serves stale PDFs."""
    return files_digest(REPORT_FILES)


def completed_report_digest(assessment: Assessment) -> str:
    """A digest of everything a completed assessment's report shows that can still change.

    The result and content are frozen at completion; around them the project's and the
    municipality's names, the action plan, the names of the people on the cover and the code,
    templates and translations that word it can still change. Nothing else: the project's
    characteristics and phase are frozen too, so editing them for a new concept keeps the
    stored report. The national figures are not in it: they are context dated in the report
    ("Stand van ..."), and a download of a completed report must never render because other
    municipalities completed assessments meanwhile. Whether the own municipality takes part is
    in it (one EXISTS query): it decides whether the section shows figures or how to join, so
    opting in or out makes the next download render once.
    """
    actions = Action.objects.filter(assessment=assessment).aggregate(
        n=Count("pk"), changed=Max("updated_at"))
    project = assessment.project
    parts = [
        assessment.pk, assessment.completed_at.isoformat() if assessment.completed_at else "",
        assessment.content_revision, assessment.language, project.name,
        project.municipality.name, actions["n"], actions["changed"], _template_digest(),
        *(user.get_full_name() or user.username
          for user in (assessment.started_by, assessment.completed_by) if user),
        *_progress_parts(assessment),
        "benchmark" if takes_part(municipality_id=project.municipality_id) else "no-benchmark",
    ]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _progress_parts(assessment: Assessment) -> list:
    """A re-assessment's report shows its development since the previous one: which that is, and
    the actions done in between (which can still change)."""
    previous = assessment_previous_completed(assessment=assessment)
    if previous is None:
        return []
    return [previous.pk, *(f"{a.pk}@{a.updated_at.isoformat()}" for a in actions_completed_between(
        project=assessment.project, start=previous.completed_at, end=assessment.completed_at))]


class RenderLimitReached(Exception):
    """This user had REPORT_RENDERS_PER_USER new PDFs rendered in the current window."""


def render_allowed(user) -> bool:
    """Counts one render against the user's REPORT_RENDERS_PER_USER (advice and portfolio
    reports alike); False when the window is full."""
    return user is None or ratelimit.allow(
        f"report-render:{user.pk}", limit=settings.REPORT_RENDERS_PER_USER,
        window=settings.REPORT_RENDER_WINDOW_SECONDS)


def concept_report_pdf(assessment: Assessment, *, user=None) -> tuple[bytes, str]:
    """A concept's PDF and its file name, cached on a digest of its report HTML, so that an
    unchanged concept is not rendered twice. Each render counts against the user's limit."""
    presenter = ReportPresenter.for_assessment(assessment)
    html = report_html(presenter)
    digest = hashlib.sha256((html + _template_digest()).encode()).hexdigest()[:32]
    key = f"report-pdf:concept:{assessment.pk}:{digest}"
    document = cache.get(key)
    if document is None:
        if not render_allowed(user):
            raise RenderLimitReached
        document = report_pdf(presenter, html)
        cache.set(key, document, timeout=60 * 60 * 24)
    return document, report_file_name(assessment)


# Stored reports of completed assessments: rendered once (by a task right after completion, or
# by the first download that finds none) into Django's default storage, under a name that holds
# the digest of what can still change, so a stale file is never served. They are private: the
# storage is never served directly, only through the download view's access check.
STORED_REPORTS_DIR = "reports"
# How long a render may hold the lock, and how long a second download waits for the first.
RENDER_LOCK_SECONDS = 120
RENDER_WAIT_SECONDS = 20


def stored_report_name(assessment: Assessment) -> str:
    return f"{STORED_REPORTS_DIR}/{assessment.pk}/{completed_report_digest(assessment)}.pdf"


def _render_lock_key(name: str) -> str:
    return f"report-render-lock:{name}"


def _stored(name: str) -> bool:
    """The file is there and complete: nobody holds the lock to write it."""
    return cache.get(_render_lock_key(name)) is None and default_storage.exists(name)


def _store(assessment: Assessment, name: str) -> None:
    """Render and store under `name`, then remove the files it replaces (they show what the
    report said before an action or a name changed)."""
    saved = default_storage.save(name, ContentFile(render_report_pdf(assessment)))
    if saved != name:  # stored by someone else meanwhile (a lock that expired): keep theirs
        default_storage.delete(saved)
    folder = f"{STORED_REPORTS_DIR}/{assessment.pk}"
    try:
        _folders, files = default_storage.listdir(folder)
    except (NotImplementedError, FileNotFoundError):
        return
    for file in files:
        if f"{folder}/{file}" != name:
            default_storage.delete(f"{folder}/{file}")


def stored_report_save(assessment: Assessment) -> str | None:
    """Render a completed assessment's report into storage unless it is there already or
    being rendered elsewhere; its storage name, or None for an assessment that is not completed."""
    if not assessment.is_completed:
        return None
    name = stored_report_name(assessment)
    lock = _render_lock_key(name)
    if default_storage.exists(name) or not cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
        return name
    try:
        if not default_storage.exists(name):
            _store(assessment, name)
    finally:
        cache.delete(lock)
    return name


def stored_report_open(assessment: Assessment, *, user=None) -> File:
    """A completed assessment's report, opened from storage.

    Not stored yet (the worker has not got to it, or an action or a name changed since): it is
    rendered here, once, and stored. A second download meanwhile waits for that render instead of
    rendering too; the lock lives in the cache, so with a shared cache (Redis) that holds across
    app servers. The render counts against the user's limit; a stored report is free.
    """
    name = stored_report_name(assessment)
    lock = _render_lock_key(name)
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while not _stored(name):
        if cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
            try:
                _render_missing(assessment, name, user)
            finally:
                cache.delete(lock)
            break
        if time.monotonic() > deadline:  # the other render is stuck: do not keep anyone waiting
            _render_missing(assessment, name, user)
            break
        time.sleep(0.1)
    try:
        return default_storage.open(name)
    except FileNotFoundError:  # replaced a moment ago by a newer one: this one is still correct
        return ContentFile(render_report_pdf(assessment), name=name)


def _render_missing(assessment: Assessment, name: str, user) -> None:
    if default_storage.exists(name):
        return
    if not render_allowed(user):
        raise RenderLimitReached
    _store(assessment, name)
