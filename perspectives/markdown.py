"""Markdown for editor-written texts, made safe by an allowlist sanitizer.

Editors may use paragraphs, lists, emphasis and links. Markdown passes raw HTML through, so the
rendered HTML goes through nh3, which drops everything not on the allowlist (script with its
content, img, style, event handlers, javascript: URLs).
"""

from functools import lru_cache

import markdown as md
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# Python-Markdown's link parsing is quadratic in unclosed "[": 5,000 of them take seconds to
# render. A hundred (room for some fifty links) render in about a millisecond.
MAX_BRACKETS = 100


def validate_markdown_cost(text: str) -> None:
    """Keep editor texts within what renders fast, and what renders at all."""
    if (text or "").count("[") > MAX_BRACKETS:
        raise ValidationError(
            _("Deze tekst heeft te veel ‘[’-tekens: ten hoogste %(max)s (ruimte voor ongeveer "
              "vijftig links)."), code="markdown_cost", params={"max": MAX_BRACKETS})
    # Python-Markdown nests a list in a list recursively: "+ " 500 times ran out of Python's
    # recursion limit, and once published every page showing the text was a 500.
    try:
        _markdown_html(text or "")
    except RecursionError:
        raise ValidationError(
            _("Deze tekst heeft te veel lijsten in elkaar. Gebruik ten hoogste een paar niveaus."),
            code="markdown_depth") from None


def _markdown_html(text: str) -> str:
    return md.markdown(text, extensions=[], output_format="html")


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> SafeString:
    """Each text is rendered once per process; an edited text is a new text (a new key)."""
    try:
        html = _markdown_html(text or "")
    except RecursionError:
        # Stored before the editor's check existed: shown as plain text rather than a 500.
        html = "<p>" + escape(text) + "</p>"
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 with an allowlist above
