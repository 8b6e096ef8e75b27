"""The PDF engine: WeasyPrint, imported lazily, with a URL fetcher that serves nothing but our own
static files from disk (as Open Formulieren's `openforms.utils.pdf` does)."""

import gc
import mimetypes
import posixpath
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# Relative URLs in a document resolve against this origin; only its /static/ path is served.
REPORT_BASE_URL = "https://waardevol.invalid/"
STATIC_PREFIX = REPORT_BASE_URL.rstrip("/") + settings.STATIC_URL


PRINT_STYLESHEET = "css/print.css"
_engine = threading.local()


def _engine_state():
    """The font configuration and the parsed print stylesheet, made once per thread and reused
    by every render (parsing and compiling the stylesheet's selectors is a fixed cost per render
    otherwise). Per thread: a WeasyPrint font configuration wraps a Pango font map, which must not
    be used by two threads at once. A changed print.css is read again after a restart."""
    if getattr(_engine, "stylesheets", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        url = STATIC_PREFIX + PRINT_STYLESHEET
        _engine.font_config = FontConfiguration()
        _engine.stylesheets = [CSS(filename=str(static_file_for_url(url)), base_url=url,
                                   url_fetcher=static_files_fetcher(),
                                   font_config=_engine.font_config)]
    return _engine.font_config, _engine.stylesheets


class _CollectorPause:
    """Python's cyclic garbage collector paused while any thread renders.

    A render allocates a few hundred thousand short-lived objects around a box tree that lives
    until the end, so the collector runs over a hundred times a render and scans the same
    living tree each time (10-13% of a render's time). Reference counting frees most of the
    garbage anyway; the cycles a render leaves are collected once, by the first collection after
    the last render in the process ends, which costs about half of what the collector did
    during the render. Memory between renders stays what it was. The collector is a process-wide
    switch: the last render to end switches it back on, and only if it was on before the first
    began.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._renders = 0
        self._resume = False

    def __enter__(self):
        with self._lock:
            if self._renders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._renders += 1

    def __exit__(self, *exc_info):
        with self._lock:
            self._renders -= 1
            if self._renders == 0 and self._resume:
                gc.enable()


collector_paused = _CollectorPause()


# What makes the document a tagged PDF/UA-1 with nothing embedded; it also shapes the layout.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "attachments": []}


def laid_out(html: str):
    """`html` laid out in pages as its PDF prints it (a WeasyPrint `Document`): in the print
    stylesheet, its relative URLs served by `static_files_fetcher`. The HTML itself does not
    link the stylesheet (a browser preview does): it is parsed once and reused."""
    from weasyprint import HTML

    font_config, stylesheets = _engine_state()
    return HTML(string=html, base_url=REPORT_BASE_URL,
                url_fetcher=static_files_fetcher()).render(
        font_config, stylesheets=stylesheets, **PDF_OPTIONS)


def html_to_pdf(html: str, *, relayout=None) -> bytes:
    """A tagged PDF/UA-1 document of `html` (see `laid_out`).

    `relayout(document)`, if given, sees the first layout and may return another HTML to lay
    out instead, once (an empty string keeps the first)."""
    with collector_paused:
        document = laid_out(html)
        again = relayout(document) if relayout is not None else ""
        if again:
            document = laid_out(again)
        return document.write_pdf(finisher=add_table_header_scopes, **PDF_OPTIONS)


def anchor_page(document, anchor: str) -> int | None:
    """The number (from 0) of the page of `document` that holds the element with id `anchor`."""
    for number, page in enumerate(document.pages):
        if anchor in page.anchors:
            return number
    return None


def add_table_header_scopes(document, pdf) -> None:
    """Give every table header cell a /Scope (Column in a table head, Row in a body).

    WeasyPrint 70 links data cells to their headers through /Headers and /IDs, which PDF/UA-1
    allows, but it writes no /Scope on header cells, and checkers (the `pdfua` package, screen
    readers that read only /Scope) then cannot tell what a header cell heads. The HTML says it
    with `scope`; WeasyPrint has no way to pass it on, so it is added here, as WeasyPrint's
    finisher: to its PDF objects before they are written (reading and writing the finished file
    again with pikepdf took 35-60 ms a render).
    """
    import pydyf

    objects = {obj.number: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)}

    def parent(element):
        reference = element.get("P")  # b"12 0 R"
        return objects.get(int(reference.split()[0])) if reference else None

    for element in objects.values():
        if element.get("Type") == "/StructElem" and element.get("S") == "/TH":
            row = parent(element)
            section = parent(row) if row is not None else None
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = ("/Column" if section is not None
                                   and section.get("S") == "/THead" else "/Row")


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves only our own static files, from disk, and `data:` URLs.

        Everything else is refused (`file://`, `http(s)://` elsewhere, `..` escapes, redirects):
        nothing is ever fetched over the network.
        """

        def __init__(self):
            super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file_for_url(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url!r}: not one of our static files")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesFetcher


def static_files_fetcher():
    """A WeasyPrint URL fetcher for our static files only (WeasyPrint is imported lazily)."""
    return _fetcher_class()()


def _static_roots() -> list[Path]:
    roots = []
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple) else entry).resolve())
    return roots


def static_file_for_url(url: str) -> Path | None:
    if not url.startswith(STATIC_PREFIX):
        return None
    parts = urlsplit(url)
    relative = unquote(parts.path)[len(settings.STATIC_URL):]
    normalised = posixpath.normpath(relative)
    if normalised.startswith(("..", "/")) or "\\" in relative or "\x00" in relative:
        return None
    found = finders.find(normalised)
    if not found:
        return None
    path = Path(found).resolve()
    if not any(path.is_relative_to(root) for root in _static_roots()) or not path.is_file():
        return None
    return path
