import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.cache import patch_vary_headers


def has_login(request) -> bool:
    """Whether the request comes with a logged-in session, read from the session alone: loading
    the user (a database query) is left to the views that need it."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set itself.

    Every response to a logged-in user may show municipal data, so none may be kept by a browser
    or a shared cache (`Vary: Cookie` alone lets a proxy store it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if has_login(request):
            response["Cache-Control"] = "private, no-store"
        return response


class LanguageMiddleware:
    """Dutch unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a Dutch government
    service speaks Dutch by default, so only the explicit choice (the language cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        translation.deactivate()
        return response


class SessionLifetimeMiddleware:
    """The session's idle timeout and its absolute lifetime.

    Idle: a session expires SESSION_COOKIE_AGE after it was last saved. Saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) made every logged-in request a database write; instead a request
    moves the expiry on only when the last move is SESSION_REFRESH_SECONDS or more ago (writing
    the time of this move marks the session modified, and a saved session gets a new expiry). So a
    session ends between the idle timeout minus that minute and the idle timeout after its last
    request.
    Absolute: SESSION_ABSOLUTE_SECONDS after login the session ends however active it is, as BIO
    asks.
    """

    KEY = "_waardevol_login_time"
    REFRESHED_KEY = "_waardevol_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_login(request):
            session = request.session
            now = int(time.time())
            started = session.setdefault(self.KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - session.get(self.REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.REFRESHED_KEY] = now
        return self.get_response(request)
