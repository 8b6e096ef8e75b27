"""Waardevol settings: one file, driven by environment variables.

Defaults are production-safe: DEBUG is off unless DEBUG=1 is set, and then a SECRET_KEY must come
from the environment. `make run` sets DEBUG=1 for local development.
"""

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "reversion",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "perspectives",
    "assessments",
    "waardevol.accounts",
    "waardevol.audit",
    "waardevol.examples",
    "waardevol.benchmark",
    "waardevol.nlds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "waardevol.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, its user carried in the session's cached copy (accounts/backends.py).
    "waardevol.accounts.backends.AuthenticationMiddleware",
    # Staff sign in with a second factor (see the two-factor block below).
    "django_otp.middleware.OTPMiddleware",
    "waardevol.accounts.twofactor.TwoFactorMiddleware",
    "waardevol.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waardevol.middleware.SecurityHeadersMiddleware",
    # axes must be last: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "waardevol.urls"
WSGI_APPLICATION = "waardevol.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "waardevol.views.footer_links",
                "waardevol.accounts.twofactor.template_context",
            ],
        },
    },
    {
        # The few templates a page draws dozens of times (a form field, a question's radio
        # group): see waardevol/templating.py. Asked after Django's engine, so a name that is a
        # Django template stays one.
        "BACKEND": "waardevol.templating.SafeJinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "waardevol.templating.environment"},
    },
]

# Form widgets are drawn with Django's own Jinja2 widget templates where they exist (the same
# HTML, faster; see waardevol/renderers.py).
FORM_RENDERER = "waardevol.renderers.WidgetRenderer"

# Database: SQLite by default, PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Keep each thread's connection: opening one (with the PRAGMAs below) cost more CPU
            # than a logged-in request's own queries.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE transactions plus a
                # busy timeout make concurrent writers wait instead of failing "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests use a file too: the browser tests' live server answers requests in several
            # threads, which an in-memory database would serialise with table locks.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "db-test.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend and the OIDC backend, each reading a logged-in request's user from the
    # cache (waardevol/accounts/backends.py).
    "waardevol.accounts.backends.CachedModelBackend",
    # Inert unless OIDC is configured (see the OIDC block below).
    "waardevol.accounts.backends.CachedOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:overview"
LOGOUT_REDIRECT_URL = "perspectives:index"

# Brute-force protection (see waardevol/security.py): lock a username+address pair, a username
# and an address after repeated failures, for a while.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)  # per username and address
AXES_USERNAME_FAILURE_LIMIT = envint("AXES_USERNAME_FAILURE_LIMIT", 10)  # per username
AXES_IP_FAILURE_LIMIT = envint("AXES_IP_FAILURE_LIMIT", 20)  # per address, all usernames
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "waardevol.security.TieredLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "waardevol.security.client_ip"
AXES_USERNAME_CALLABLE = "waardevol.security.client_username"
# Behind a reverse proxy: the header it puts the client's address in (as Django names it in
# request.META, e.g. HTTP_X_FORWARDED_FOR), how many proxies add to it, and (recommended) the
# proxies' own addresses; without TRUSTED_PROXY_HEADER only REMOTE_ADDR counts.
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_COUNT = max(1, envint("TRUSTED_PROXY_COUNT", 1))
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
INVITATION_DAYS = envint("INVITATION_DAYS", 7)

# --- Login with the municipality's identity provider (OIDC) and two-factor authentication ---
# OpenID Connect (mozilla-django-oidc) is on when the client and the provider's endpoints are in
# the environment; password login stays available beside it. Users are matched on the issuer and
# `sub` of the ID token, never on e-mail (see waardevol/accounts/oidc.py).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", 10)
OIDC_ENABLED = all([OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION_ENDPOINT,
                    OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT])
# The name of the provider on the login button, e.g. "Gemeente Utrecht".
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
# Which municipality and role a new user gets: the claim holding the CBS code (GM0344), the claim
# holding the role, and which of its values mean beheerder, bewerker and lezer. Without a
# municipality from the claims, only an invitation lets a new user in.
OIDC_MUNICIPALITY_CLAIM = os.environ.get("OIDC_MUNICIPALITY_CLAIM", "")
OIDC_ROLE_CLAIM = os.environ.get("OIDC_ROLE_CLAIM", "")
OIDC_ROLE_MANAGER_VALUES = envlist("OIDC_ROLE_MANAGER_VALUES", "beheerder")
OIDC_ROLE_EDITOR_VALUES = envlist("OIDC_ROLE_EDITOR_VALUES", "bewerker")
OIDC_ROLE_READER_VALUES = envlist("OIDC_ROLE_READER_VALUES", "lezer")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"

# Staff (VNG editors, superusers) need a second factor (TOTP, with recovery codes) to reach any
# page, unless they came in through OIDC, whose provider does its own MFA. On by default
# everywhere except with DEBUG=1 (the tests run with DEBUG=0, so they check it on).
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", not DEBUG)
TWO_FACTOR_ATTEMPTS = envint("TWO_FACTOR_ATTEMPTS", 5)  # codes per user per window
TWO_FACTOR_WINDOW_SECONDS = envint("TWO_FACTOR_WINDOW_SECONDS", 300)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Waardevol")
# Nobody reads another user's second factor in the admin, a superuser neither: no TOTP key or
# QR code, no recovery codes. Removing a lost device is still possible (the user sets up a new
# one at the next login). It also makes the package's QR code view a 403 for an id that does
# not exist, where it was a 500.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of OIDC and two-factor authentication ---

# Background work (django-tasks). The immediate backend runs a task at once, in the request (zero
# set-up); production sets TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs
# `manage.py db_worker` (`make worker`) beside the app, so e-mail leaves the request path.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND",
                                  "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# Bounded costs: a PDF render takes about a second; cached downloads cost nothing.
REPORT_RENDERS_PER_USER = envint("REPORT_RENDERS_PER_USER", 20)  # per window
REPORT_RENDER_WINDOW_SECONDS = envint("REPORT_RENDER_WINDOW_SECONDS", 600)
EXPORTS_PER_USER = envint("EXPORTS_PER_USER", 20)  # CSV downloads per window
EXPORT_WINDOW_SECONDS = envint("EXPORT_WINDOW_SECONDS", 600)
# The national benchmark's aggregates are kept this long per filter (they are context, "as of
# today", and change only when a municipality completes an assessment or changes its opt-in,
# which starts afresh at once).
BENCHMARK_CACHE_SECONDS = envint("BENCHMARK_CACHE_SECONDS", 600)
PASSWORD_RESETS_PER_ADDRESS = envint("PASSWORD_RESETS_PER_ADDRESS", 3)  # per e-mail per hour
PASSWORD_RESETS_PER_IP = envint("PASSWORD_RESETS_PER_IP", 10)  # per client address per hour
INVITATIONS_PER_USER = envint("INVITATIONS_PER_USER", 20)  # per beheerder per hour
INVITATIONS_PER_ADDRESS = envint("INVITATIONS_PER_ADDRESS", 3)  # per e-mail address per day
# Larger request bodies get a clear error page; no form of ours comes near this.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# Sessions: an idle timeout and an absolute lifetime, both enforced by
# waardevol.middleware.SessionLifetimeMiddleware. Sessions are read from the cache and written
# through to the database (`cached_db`), and a request writes one only when something in it
# changed: the idle expiry is moved on at most once a SESSION_REFRESH_SECONDS, not on every request.
SESSION_ENGINE = "waardevol.accounts.sessions"  # cached_db, each row naming its account
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 60 * 60 * 2)
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Internationalisation: Dutch first, English second.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# The NL Design System CSS comes from npm (make run installs it) and is served from our origin.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nlds", BASE_DIR / "node_modules" / "@utrecht" / "component-library-css" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Stored PDF reports of completed assessments (assessments/report.py) go to the default storage:
# files under MEDIA_ROOT. They are private: never let the web server serve MEDIA_ROOT (downloads
# go through the view's access check). Several app servers and workers need one shared MEDIA_ROOT,
# or another backend (an object store) in STORAGES["default"].
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".cache" / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nlds"]
CRISPY_TEMPLATE_PACK = "nlds"

# E-mail: console in development, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server is given up on: with the immediate task backend the mail is
# sent inside the request (an invitation then says it could not be sent), which must not hang.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "waardevol@localhost")
# Where visitors report accessibility problems (shown in the accessibility statement): a mailbox
# someone reads. Falls back to the sender address so the statement never lacks a contact.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
# The privacy statement of the organisation that offers Waardevol (it is the controller under the
# AVG and owes its users the information of art. 13): linked in every page's footer when set.
PRIVACY_STATEMENT_URL = os.environ.get("PRIVACY_STATEMENT_URL", "")
if PRIVACY_STATEMENT_URL and not PRIVACY_STATEMENT_URL.startswith(("https://", "http://", "/")):
    raise ImproperlyConfigured("PRIVACY_STATEMENT_URL must be an http(s):// address or a path.")

# Cache: a file cache by default (zero set-up; shared by the processes of one machine). With
# REDIS_URL (or CACHE_URL), e.g. redis://127.0.0.1:6379/0, Django's Redis cache, shared by every
# app server: sessions, the published content's id, cached reports and rate-limit counters.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
CACHE_DIR = os.environ.get("CACHE_DIR", str(BASE_DIR / ".cache" / "django"))
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL/CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "waardevol.cache.SharedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "waardevol",
        },
        # The same Redis database, under a prefix of its own; INCR is atomic there, so the
        # limits are exact across all app servers.
        "limits": {
            "BACKEND": "waardevol.cache.SharedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "waardevol-limits",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
        },
        # Rate-limit counters apart from the PDFs: a full cache culls entries at random, and a
        # culled counter starts again from zero.
        "limits": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.path.join(CACHE_DIR, "limits"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# Security headers. Production-safe unless DEBUG is on; each can be overridden.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "waardevol.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Content Security Policy: our own origin only, no inline code, nothing third-party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # NONCE is only sent on pages that use it: the staff report preview's inline @page rule.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
