"""The embedded demo (``make run``) and a developer's ``manage.py``: nothing to install.

SQLite in ``var/``, a filesystem Celery broker, a local-memory cache (Redis when
``REDIS_URL`` is set), emails printed to the console, a per-checkout secret key kept in
``var/``, and ``DEBUG`` on. Demo-only switches (``TWO_FACTOR_REQUIRED=false``,
``PRODUCT_404_IN_DEBUG``) are read here and nowhere else.
"""

import hashlib
import hmac
import secrets

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    VAR_DIR,
    audit_key,
    broker_transport_options,
    database,
    env,
    redis_cache,
)

DEBUG = True
DEMO_DATA_ALLOWED = True


def _embedded_secret_key() -> str:
    """Return a per-checkout random key, kept in var/ (never in the repo)."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)

DATABASES = {
    "default": database(
        env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'citysocial.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        redis_cache(REDIS_URL)
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citysocial",
        }
    )
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

# The demo may relax the second factor so its users sign in with the printed
# password alone; `make run` sets this to false and says so when it starts.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)

# Show the product's own "Page not found" page instead of Django's debug 404 page
# (which lists every URL pattern). `make run` turns it on; a developer's runserver
# keeps the debug page.
PRODUCT_404_IN_DEBUG = env.bool("PRODUCT_404_IN_DEBUG", default=False)

# The audit trail's key, derived from the secret key unless one is given.
AUDIT_HMAC_KEY = audit_key(
    env.str("AUDIT_HMAC_KEY", default="")
    or hmac.new(
        SECRET_KEY.encode(), b"citysocial audit trail key", hashlib.sha256
    ).hexdigest()
)

# Meta's webhook in the demo (docs/platforms.md shows a signed curl against it):
# known values, for this checkout only. Production has no default: unset, the
# webhook refuses every delivery with a 403.
META_APP_SECRET = env.str("META_APP_SECRET", default="demo-meta-app-secret")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="demo-verify-token")
