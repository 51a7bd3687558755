"""Settings shared by every way the product runs (as in cookiecutter-django).

Every value comes from the environment (or an optional ``.env`` file beside
``manage.py``) through django-environ. Pick a module with ``DJANGO_SETTINGS_MODULE``:

- ``config.settings.local``: the embedded demo (``make run``, ``manage.py``): SQLite in
  ``var/``, a filesystem Celery broker, a local-memory cache, ``DEBUG`` on, nothing to
  install;
- ``config.settings.production``: gunicorn, Celery and every ``manage.py`` command in
  production (``DEBUG`` off; required variables refuse to start when missing);
- ``config.settings.test``: the test suite.

Every variable is listed in docs/configuration.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Where the embedded mode keeps its database, broker folders and uploads.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


class MissingSetting(ImproperlyConfigured):
    """A setting has no value, or one that cannot work; the message names it."""


def required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        # One clear line instead of a traceback (see manage.py / wsgi.py).
        raise MissingSetting(f"{name} must be set in production.")
    return value


def at_least_one(name: str, default: int) -> int:
    value = env.int(name, default=default)
    if value < 1:
        raise MissingSetting(f"{name} must be at least 1.")
    return value


CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------------

INSTALLED_APPS = [
    # The admin site requires a verified second factor (core.admin_site).
    "core.admin_site.CityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's own widget templates, found by the product's form renderer.
    "django.forms",
    "django_otp",
    # django-otp's backup codes and authenticator apps, and django-axes, under names
    # a city clerk understands in the admin (core.app_names; nothing else changes).
    "core.app_names.BackupCodesConfig",
    "core.app_names.AuthenticatorAppsConfig",
    "two_factor",
    "core.app_names.SignInAttemptsConfig",
    "csp",
    "rules",
    # One immutability mechanism: PostgreSQL triggers declared in models' Meta
    # (core.immutable).
    "pgtrigger",
    "core",
    "accounts",
    "notices",
    "moderation",
    "appeals",
    "retention",
    "platforms",
    "datarequests",
    "transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # 400 to a request no page could have sent (a null character...), before the
    # session, the user or any view reads it.
    "core.middleware.MalformedRequestMiddleware",
    # A 405 gets a page instead of an empty body.
    "core.middleware.RequestMethodMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditContextMiddleware",
    # A service's refusal no view caught: 403 (NotPermitted) or 400, never a 500.
    "core.middleware.DomainErrorMiddleware",
    # With DEBUG on and PRODUCT_404_IN_DEBUG (make run): the product's 404 page.
    "core.middleware.ProductNotFoundPageMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Every form is drawn the same way: templates/forms/ (core.forms).
FORM_RENDERER = "core.forms.FormRenderer"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "notices:home"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object rules (<app>/permissions.py): "does this manager manage this account?"
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.city",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------


def database(url: str) -> dict:
    """Return Django's DATABASES entry for ``url``, with this project's options."""
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker and beat share one file: take the write lock at BEGIN so
        # concurrent writers queue instead of failing, and let readers run beside
        # them.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache(url: str) -> dict:
    """Return the CACHES entry for Redis at ``url``.

    django-redis keeps one client per process (Django's own backend builds a new
    client for every operation), which halves the cost of each rate-limit check.
    """
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "citysocial",
        # With Redis unreachable, a request waits at most this long for it before
        # the rate limits let it through (core/limits.py).
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }


MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery -----------------------------------------------------------------------


def broker_transport_options(broker_url: str) -> dict:
    """Return the Celery transport options for ``broker_url``."""
    if broker_url.startswith("filesystem://"):
        folder = VAR_DIR / "broker"
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            # Fanout (worker control) exchanges; kombu's default is ./control.
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    return {"visibility_timeout": 3600}


CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = env.str("TIME_ZONE", default="America/Chicago")  # = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What a task prints (the demo's console emails) is logged as INFO, not WARNING.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The periodic jobs, in code; each app's issue adds its entries (see config/celery.py).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Appeals: email reviewers their overdue and due-soon filings, and the
# City Administrator a digest, at 7:00 on weekdays in CELERY_TIMEZONE. The job
# sends at most once a day, so running it again is harmless.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["appeals-deadline-reminders"] = {
    "task": "appeals.tasks.deadline_reminders_task",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
}
# Data Practices requests: the daily deadline reminders, and the
# release of the holds of requests closed longer than the schedule keeps them.
CELERY_BEAT_SCHEDULE["datarequests-daily"] = {
    "task": "datarequests.tasks.datarequests_daily_task",
    "schedule": crontab(hour=7, minute=15, day_of_week="mon-fri"),
}
# The outbox (core.outbox): every email to a resident or a staff member
# is written in the transaction of the step that sends it; this job sends what is
# due every OUTBOX_DRAIN_INTERVAL_SECONDS, at most OUTBOX_DRAIN_BATCH_SIZE a run. A
# failed send is tried again after OUTBOX_RETRY_SECONDS, doubled after each failure
# up to OUTBOX_RETRY_MAX_SECONDS, and given up after OUTBOX_MAX_ATTEMPTS tries (at
# once when the mail server refuses the address); staff can try it again.
OUTBOX_DRAIN_INTERVAL_SECONDS = at_least_one("OUTBOX_DRAIN_INTERVAL_SECONDS", 30)
OUTBOX_DRAIN_BATCH_SIZE = at_least_one("OUTBOX_DRAIN_BATCH_SIZE", 200)
OUTBOX_MAX_ATTEMPTS = at_least_one("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_SECONDS = at_least_one("OUTBOX_RETRY_SECONDS", 120)
OUTBOX_RETRY_MAX_SECONDS = at_least_one("OUTBOX_RETRY_MAX_SECONDS", 6 * 3600)
CELERY_BEAT_SCHEDULE["outbox-drain"] = {
    "task": "core.tasks.outbox_drain_task",
    "schedule": float(OUTBOX_DRAIN_INTERVAL_SECONDS),
    # A run still waiting after one interval is superseded by the next.
    "options": {"expires": float(OUTBOX_DRAIN_INTERVAL_SECONDS)},
}
# Accounts (P3): e-mail the City Administrators the overdue manager access
# reviews and mark them on the dashboard, daily at 6:30. Reports each grant once a day.
CELERY_BEAT_SCHEDULE["accounts-access-review-overdue"] = {
    "task": "accounts.tasks.access_review_overdue_task",
    "schedule": crontab(hour=6, minute=30),
}
# Retention (R1-R5): the purge-after-read job. It takes a lock, works in
# batches of RETENTION_PURGE_BATCH_SIZE rows (one transaction each) and logs every
# destruction; RETENTION_PURGE_PAUSED=true stops all destruction (runs do nothing).
RETENTION_PURGE_INTERVAL_MINUTES = at_least_one("RETENTION_PURGE_INTERVAL_MINUTES", 15)
RETENTION_PURGE_PAUSED = env.bool("RETENTION_PURGE_PAUSED", default=False)
RETENTION_PURGE_BATCH_SIZE = env.int("RETENTION_PURGE_BATCH_SIZE", default=10_000)
CELERY_BEAT_SCHEDULE["retention-purge"] = {
    "task": "retention.purge",
    "schedule": RETENTION_PURGE_INTERVAL_MINUTES * 60.0,
    # A run that is still waiting after one interval is superseded by the next.
    "options": {"expires": RETENTION_PURGE_INTERVAL_MINUTES * 60},
}
# Stored files of destroyed records (core.files, R4) are deleted right after the
# destroying transaction commits; this job deletes any a crash or a running backup
# left waiting, every FILE_DELETIONS_INTERVAL_MINUTES.
FILE_DELETIONS_INTERVAL_MINUTES = at_least_one("FILE_DELETIONS_INTERVAL_MINUTES", 15)
CELERY_BEAT_SCHEDULE["core-file-deletions"] = {
    "task": "core.tasks.file_deletions_task",
    "schedule": FILE_DELETIONS_INTERVAL_MINUTES * 60.0,
    "options": {"expires": FILE_DELETIONS_INTERVAL_MINUTES * 60},
}

# Platforms: capture from Meta's webhook and from Mastodon polling
# (docs/platforms.md). META_APP_SECRET signs Meta's deliveries and
# META_VERIFY_TOKEN answers its subscription handshake; unset (production's
# default), the webhook refuses everything with a 403. A stored delivery is
# processed by the platforms-meta-process job every
# PLATFORMS_PROCESS_INTERVAL_SECONDS (PLATFORMS_PROCESS_BATCH_SIZE a run); one that
# fails is tried again after PLATFORMS_RETRY_SECONDS, doubled each time up to
# PLATFORMS_RETRY_MAX_SECONDS, and never given up. Mastodon connections are polled
# every MASTODON_POLL_INTERVAL_SECONDS, at most MASTODON_MAX_PAGES pages of each
# stream a poll; a failing one waits twice as long each time, up to
# MASTODON_BACKOFF_MAX_SECONDS; polling stops until the server's rate limit resets
# when at most MASTODON_RATE_LIMIT_RESERVE requests are left.
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="")
META_WEBHOOK_MAX_BYTES = at_least_one("META_WEBHOOK_MAX_BYTES", 1_048_576)
PLATFORMS_PROCESS_INTERVAL_SECONDS = at_least_one(
    "PLATFORMS_PROCESS_INTERVAL_SECONDS", 10
)
PLATFORMS_PROCESS_BATCH_SIZE = at_least_one("PLATFORMS_PROCESS_BATCH_SIZE", 500)
PLATFORMS_RETRY_SECONDS = at_least_one("PLATFORMS_RETRY_SECONDS", 60)
PLATFORMS_RETRY_MAX_SECONDS = at_least_one("PLATFORMS_RETRY_MAX_SECONDS", 6 * 3600)
MASTODON_POLL_INTERVAL_SECONDS = at_least_one("MASTODON_POLL_INTERVAL_SECONDS", 120)
MASTODON_MAX_PAGES = at_least_one("MASTODON_MAX_PAGES", 10)
MASTODON_TIMEOUT_SECONDS = at_least_one("MASTODON_TIMEOUT_SECONDS", 10)
MASTODON_BACKOFF_MAX_SECONDS = at_least_one("MASTODON_BACKOFF_MAX_SECONDS", 3600)
MASTODON_RATE_LIMIT_RESERVE = env.int("MASTODON_RATE_LIMIT_RESERVE", default=5)
CELERY_BEAT_SCHEDULE["platforms-meta-process"] = {
    "task": "platforms.meta_process",
    "schedule": float(PLATFORMS_PROCESS_INTERVAL_SECONDS),
    "options": {"expires": float(PLATFORMS_PROCESS_INTERVAL_SECONDS)},
}
CELERY_BEAT_SCHEDULE["platforms-mastodon-poll"] = {
    "task": "platforms.mastodon_poll",
    "schedule": float(MASTODON_POLL_INTERVAL_SECONDS),
    "options": {"expires": float(MASTODON_POLL_INTERVAL_SECONDS)},
}

# --- Mail -------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds an SMTP connection may hang before the send counts as failed: the outbox
# job holds the message's row lock while it sends (Django's default never gives up).
EMAIL_TIMEOUT = at_least_one("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@city.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# Number of reverse proxies in front of the app whose X-Forwarded-For is trusted
# for the client's address (audit events, rate limits). 0: use REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # expiry counts from the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Staff sign-in: password, then a second factor (TOTP app or one-time backup code).
# Only the embedded demo (config.settings.local) may relax it; `make run` says so.
TWO_FACTOR_REQUIRED = True
TWO_FACTOR_PATCH_ADMIN = False  # core.admin_site enforces it instead
TWO_FACTOR_LOGIN_TIMEOUT = 600  # seconds between the password and the code
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="City social media")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # TOTP secrets never shown in the admin

# Lockout (django-axes): five failures for one user name, or from one address,
# pause sign-in for that user or address; a City Administrator can unlock early.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The key Django's authenticate() and its failure signal use for the user name.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.signin.axes_username"  # cut to axes' column
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"  # honours TRUSTED_PROXY_COUNT
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ALLOWED_CORS_ORIGINS = "null"

# Request size: a form's text fields fit within 2.5 MB; uploads (evidence,
# scanned letters) are capped by core.uploads and the whole body by this limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, 2.5 MB of form fields
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=25 * 1024 * 1024)
# Uploaded files are data, never programs: no execute bit, not world-readable.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Content Security Policy (django-csp 4): only this site's own files, no inline
# script or style, no eval; a per-request nonce is available where one is needed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The audit trail's key (core.audit_signing): every event carries an HMAC-SHA256 of
# its chain hash made with it, so someone who can write to the database but does not
# hold the key cannot rewrite history and recompute the chain. Production: required,
# kept outside the database and its backups. Embedded mode: derived from SECRET_KEY.
AUDIT_HMAC_KEY_MIN_LENGTH = 32


def audit_key(key: str) -> str:
    """Return ``key`` if it is long enough to be the audit trail's key."""
    if len(key) < AUDIT_HMAC_KEY_MIN_LENGTH:
        raise MissingSetting(
            f"AUDIT_HMAC_KEY must be at least {AUDIT_HMAC_KEY_MIN_LENGTH} characters "
            "long (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return key


# Keys that signed events before the last rotation, kept only to verify them.
AUDIT_HMAC_OLD_KEYS = env.list("AUDIT_HMAC_OLD_KEYS", default=[])
# Audit chain anchors (core.audit_anchor, docs/audit.md): the chain's head is
# written down outside the database every AUDIT_ANCHOR_INTERVAL_MINUTES, after each
# purge run and with each backup: a JSON line appended to AUDIT_ANCHOR_FILE, a log
# line on the "citysocial.audit.anchor" logger, and an email to
# AUDIT_ANCHOR_EMAIL_TO (if set) at most every AUDIT_ANCHOR_EMAIL_HOURS.
AUDIT_ANCHOR_FILE = Path(
    env.str(
        "AUDIT_ANCHOR_FILE", default=str(VAR_DIR / "backups" / "audit-anchors.jsonl")
    )
)
AUDIT_ANCHOR_INTERVAL_MINUTES = at_least_one("AUDIT_ANCHOR_INTERVAL_MINUTES", 5)
AUDIT_ANCHOR_EMAIL_TO = env.list("AUDIT_ANCHOR_EMAIL_TO", default=[])
AUDIT_ANCHOR_EMAIL_HOURS = at_least_one("AUDIT_ANCHOR_EMAIL_HOURS", 24)
CELERY_BEAT_SCHEDULE["audit-anchor"] = {
    "task": "core.tasks.audit_anchor_task",
    "schedule": AUDIT_ANCHOR_INTERVAL_MINUTES * 60.0,
    "options": {"expires": AUDIT_ANCHOR_INTERVAL_MINUTES * 60.0},
}

# --- Locale -----------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True
# Dates read "Nov. 27, 2026" on every page: config/formats/en/formats.py (Django
# ignores DATE_FORMAT and the like in settings while localization is on).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Product ----------------------------------------------------------------------

# Only config.settings.local reads it from the environment: see there.
PRODUCT_404_IN_DEBUG = False
# The demo's data and users (``manage.py seed_demo``): only config.settings.local
# allows them, so a known demo password can never reach a production database.
DEMO_DATA_ALLOWED = False

# How far in the future a time typed or received may be (a clock set a little
# fast) before it is refused as a slip: "removed at", "received at", "told at".
CLOCK_TOLERANCE_MINUTES = env.int("CLOCK_TOLERANCE_MINUTES", default=5)

# Shown until a city profile exists (accounts.CityProfile holds the real name).
CITY_NAME_FALLBACK = env.str("CITY_NAME", default="Your City")

# The public address of this site, used for links in emails (status links).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Public appeal and challenge forms: per-client-address limits,
# "count/period" with s, m, h or d (core/limits.py). APPEALS_SUBMIT_RATE counts
# filings, in the database (a form sent back with errors never counts);
# APPEALS_POST_RATE, every POST to the forms, and APPEALS_STATUS_RATE, status page
# views, are counted in the cache (django-ratelimit) and let everyone through,
# with a logged warning, while the cache is down.
APPEALS_SUBMIT_RATE = env.str("APPEALS_SUBMIT_RATE", default="10/h")
APPEALS_POST_RATE = env.str("APPEALS_POST_RATE", default="60/h")
APPEALS_STATUS_RATE = env.str("APPEALS_STATUS_RATE", default="60/m")
# Seconds a person takes at least to fill in a form; faster posts are refused.
APPEALS_MIN_FILL_SECONDS = env.int("APPEALS_MIN_FILL_SECONDS", default=3)
RATELIMIT_USE_CACHE = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        # A refused page (403) is an answer, not a fault: one line, no traceback.
        "forbidden_without_traceback": {"()": "core.logs.ForbiddenWithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["forbidden_without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print each record a
        # second time beside the root's: Django's records go to the root alone.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
