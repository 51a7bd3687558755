"""Production: gunicorn, the Celery worker and beat, and ``manage.py`` on the server.

``DEBUG`` is off. ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``AUDIT_HMAC_KEY``,
``DATABASE_URL`` and ``REDIS_URL`` have no default: start-up stops with one line
naming the first one missing (``config.startup``). HTTPS, secure cookies and HSTS are
on. The demo's switches are not read here, and setting one is refused rather than
ignored, so nobody believes it took effect.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    CONTENT_SECURITY_POLICY,
    MissingSetting,
    audit_key,
    broker_transport_options,
    database,
    env,
    redis_cache,
    required,
)

DEBUG = False

# Demo-only switches: refused here, never silently ignored.
if not env.bool("TWO_FACTOR_REQUIRED", default=True):
    raise MissingSetting(
        "TWO_FACTOR_REQUIRED=false is allowed only in the embedded demo "
        "(config.settings.local); production always requires a second factor."
    )
if env.bool("PRODUCT_404_IN_DEBUG", default=False):
    raise MissingSetting(
        "PRODUCT_404_IN_DEBUG is a switch of the embedded demo "
        "(config.settings.local); production always shows the product's pages."
    )

SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h for h in required("DJANGO_ALLOWED_HOSTS").split(",") if h]

DATABASES = {"default": database(required("DATABASE_URL"))}

REDIS_URL = required("REDIS_URL")
CACHES = {"default": redis_cache(REDIS_URL)}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)

# The audit trail's key: kept outside the database and its backups.
AUDIT_HMAC_KEY = audit_key(required("AUDIT_HMAC_KEY"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the city's whole domain to HTTPS in browsers; that is the
    # city's IT decision, not this application's, so its absence is no warning.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
