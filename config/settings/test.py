"""The test suite: the embedded defaults (``local``), made fast and self-contained.

``DATABASE_URL``, ``REDIS_URL`` and ``CELERY_BROKER_URL`` still switch the suite to
PostgreSQL and Redis (CI does); without them it runs on SQLite in memory. Tests of
production behaviour start a subprocess with ``config.settings.production``.
"""

import uuid

from config.settings.local import *  # noqa: F403
from config.settings.local import CACHES, REDIS_URL

# What a test expects, whatever the shell running the suite has set.
TWO_FACTOR_REQUIRED = True
PRODUCT_404_IN_DEBUG = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if REDIS_URL:
    # Keep test keys apart from a running instance's, and from an earlier run's:
    # rate-limit counts left by the last run would refuse this one's browser
    # tests. (One prefix per test process; the keys expire on their own.)
    CACHES["default"]["KEY_PREFIX"] = f"citysocial-test-{uuid.uuid4().hex[:12]}"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Render the public appeal forms afresh in every test; tests/appeals turns the page
# cache on where it tests it (the cache outlives a test's rolled-back rows).
APPEALS_FORM_CACHE_SECONDS = 0
