"""Views every app uses: friendly error pages in the site's own look (no stack traces with DEBUG
off), the health check, the accessibility statement, the favicon, and saving the form of an
object colleagues share."""

from datetime import date

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static

from . import concurrency
from .accounts.access import RatingNotSubmitted
from .forms import SharedObjectForm


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring; also the benchmarks' floor (no database work)."""
    return HttpResponse("ok", content_type="text/plain")


# The day the accessibility statement was last checked against the site. The government's model
# asks for a review at least once a year and after large changes: update it with the text.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 23)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html", {
        "statement_date": ACCESSIBILITY_STATEMENT_DATE,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
    })


def footer_links(request: HttpRequest) -> dict:
    """A context processor: the footer's link to the offering organisation's privacy statement
    (PRIVACY_STATEMENT_URL), on every page that has the footer, error pages included."""
    return {"privacy_statement_url": settings.PRIVACY_STATEMENT_URL}


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico on their own (our pages link the SVG): point
    them to it rather than answering with a 404 page. Not permanent, so a cached redirect
    never outlives the static file's address."""
    return HttpResponseRedirect(static("favicon.svg"))


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, f"errors/{status}.html", status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        # Say what was wrong; the browser's back button usually still has what was typed.
        return render(request, "errors/too_large.html", {
            "limit_mb": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1),
            "too_many_fields": isinstance(exception, TooManyFieldsSent),
        }, status=413)
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, RatingNotSubmitted):
        # Not an error of the user's: say why and where their own scores are.
        return render(request, "errors/rating_pending.html",
                      {"round_id": exception.round_id}, status=403)
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context here: the error may have come from a context processor or middleware.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A missing or stale CSRF token, e.g. a form left open past the session's end."""
    return render(request, "errors/csrf.html", status=403)


def save_shared(request: HttpRequest, form: SharedObjectForm, template: str, context: dict,
                success) -> HttpResponse:
    """Save a valid form for a shared object: only what this user changed. A colleague's change
    to the same field brings the page back with the choice (409); a combination of both that is
    not valid brings it back with the error (400); otherwise `success()` answers."""
    saved = concurrency.object_changes_save(instance=form.instance, base=form.base_values(),
                                            submitted=form.submitted(),
                                            resolutions=form.resolutions(), user=request.user)
    if saved.status == "conflict":
        form = form.with_conflicts(saved.instance, saved.conflicts)
        return render(request, template, {**context, "form": form}, status=409)
    if saved.status == "invalid":
        for name, errors in saved.errors.items():
            form.add_error(name if name in form.fields else None, errors)
        return render(request, template, {**context, "form": form}, status=400)
    return success()
