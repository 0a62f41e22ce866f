"""Trialsite settings: one file, driven by the environment (see ``.env.example``).

``TRIALSITE_MODE`` is ``development`` (the default: DEBUG on, a development
secret key allowed) or ``production`` (DEBUG off, a real secret key and
allowed hosts required, secure cookies). Bad values fail loudly at start-up.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

MODE = env.str("TRIALSITE_MODE", default="development")
if MODE not in ("development", "production"):
    raise ImproperlyConfigured(f"TRIALSITE_MODE must be development or production, not {MODE!r}")
PRODUCTION = MODE == "production"

DEV_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Production needs SECRET_KEY: at least 50 random characters, not the development key. "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )

# Old keys still accepted for sessions and signed values after a rotation (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "trialsite",
    "enrollment",
    "observations",
    "observations.safety",
    "analysis",
    "analysis.exports",
    "observations.demo",
]

MIDDLEWARE = [
    "trialsite.middleware.RequestIdMiddleware",
    "trialsite.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed too (static files come pre-compressed from WhiteNoise above, which answers first).
    # Django pads compressed responses with random bytes against BREACH; CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "trialsite.middleware.IdleSessionMiddleware",  # Django's, renewing the idle timeout once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trialsite.middleware.UserLanguageMiddleware",
    "trialsite.middleware.SignInStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trialsite.urls"
WSGI_APPLICATION = "trialsite.wsgi.application"

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
                "trialsite.context_processors.navigation",
                "observations.safety.context_processors.alerts",
            ],
        },
    },
]

# --- Database: PostgreSQL only, two roles ---------------------------------------------------
# The app connects as a role that owns nothing (no TRUNCATE, no DELETE of clinical rows, no
# trigger changes); migrate, createcachetable and test-database set-up switch to the owner role
# (trialsite/db/base.py). The owner re-grants the app role after every migrate
# (trialsite/privileges.py). Nothing connects here: the embedded server starts on first connection.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
    DATABASES["default"]["ENGINE"] = "trialsite.db"
    if env.str("MIGRATION_DATABASE_URL", default=""):
        _owner = env.db("MIGRATION_DATABASE_URL")
        if _owner["NAME"] != DATABASES["default"]["NAME"]:
            raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")
        DATABASES["default"]["OWNER"] = {k: _owner[k] for k in ("USER", "PASSWORD", "HOST", "PORT")}
else:
    from trialsite.dbserver import APP_ROLE, EMBEDDED_DB_NAME, OWNER_ROLE

    DATABASES = {
        "default": {
            "ENGINE": "trialsite.db",
            "NAME": EMBEDDED_DB_NAME,
            "USER": APP_ROLE,
            "OWNER": {"USER": OWNER_ROLE},
            "EMBEDDED": env.str("EMBEDDED_DATA_DIR", default=str(BASE_DIR / "var" / "pgdata")),
        }
    }
# Several test runs can share one server when each names its own test database.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Parameters bound by the server, and a statement run five times on a connection prepared there: PostgreSQL
# then stops planning it on every run (half or more of its CPU on a page, bench/README.md). The audit context
# comes as its own statement for this (trialsite/db/audit_context.py). Behind a pooler that cannot keep
# prepared statements (PgBouncer before 1.21 in transaction mode), set DATABASE_PREPARE_THRESHOLD=off.
_prepare = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True, prepare_threshold=None if _prepare.lower() == "off" else int(_prepare)
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The analysis reads a study's observations through a server-side cursor, a chunk at a time (analysis/frames.py):
# 100,000 participants then take 260 MB, not 420. A pooler in transaction mode cannot keep such a cursor across
# transactions: set DATABASE_DISABLE_SERVER_SIDE_CURSORS=true there (the rows then come at once).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False)
# The only tables the app role may DELETE from (shell patterns): nothing clinical, nothing audited.
DATABASE_APP_MAY_DELETE = [
    "django_session",
    "trialsite_cache",
    "axes_*",
    "knox_authtoken",
    "auth_user_groups",
    "auth_user_user_permissions",
    "auth_group_permissions",
    # Second-factor devices (a lost phone is reset; recovery codes are used up). Site memberships
    # are not here: they are ended with a date and a reason, never deleted.
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
    "otp_static_statictoken",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "trialsite_cache"}}

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading a signed-in request's user with her roles, language and password flag.
    "trialsite.accounts.PasswordBackend",
    # A one-time code from the coordinator, typed in place of the password (trialsite/accounts.py).
    "trialsite.accounts.OneTimeCodeBackend",
]
ONE_TIME_CODE_HOURS = env.int("ONE_TIME_CODE_HOURS", default=48)
if not 1 <= ONE_TIME_CODE_HOURS <= 24 * 14:
    raise ImproperlyConfigured("ONE_TIME_CODE_HOURS must be between 1 and 336.")
# Second factor (TOTP, django-otp): the name authenticator apps show, and how many recovery codes.
OTP_TOTP_ISSUER = "Trialsite"
RECOVERY_CODES = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock a username from one address after repeated failures; others stay unaffected.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# Idle expiry: requests push the expiry forward (trialsite.middleware.IdleSessionMiddleware, at most once a minute).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
SESSION_ENGINE = "trialsite.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# All scripts and styles come from our own origin; no inline script, no third-party host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Languages and time -----------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers as the reader's language writes them, on every page, the PDF and the results text.
FORMAT_MODULE_PATH = ["trialsite.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in every mode: run `manage.py collectstatic` (the quick start and the
    # tests do it when a file changed). See trialsite/staticfiles.py.
    "staticfiles": {"BACKEND": "trialsite.staticfiles.HashedStaticFilesStorage"},
}
# WhiteNoise serves the collected files: hashed names for ten years ("immutable"), gzip and brotli.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = BASE_DIR / "var" / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest import file (each of the two); a bigger one is refused before it is read.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# How many import errors are listed; the rest are counted ("… and N more").
IMPORT_MAX_ERRORS = env.int("IMPORT_MAX_ERRORS", default=200)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Audit trail ---------------------------------------------------------------------------------
PGHISTORY_APPEND_ONLY = True

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call then gets 401 with a WWW-Authenticate header.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "trialsite.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PARSER_CLASSES": [
        "trialsite.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Per-device tokens (one per sign-in), stored as SHA-512 digests, expiring; see README "API".
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_HOURS", default=24)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=10),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trialsite API",
    "DESCRIPTION": "Clinical-trial data capture and analysis for community health centres.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- E-mail (serious adverse event alerts) ---------------------------------------------------------
# The console back end prints mails to the log; set EMAIL_BACKEND to the SMTP back end to send them.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="trialsite@localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Backups (docs/operations.md) --------------------------------------------------------------
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured("BACKUP_KEEP must be at least 1.")
