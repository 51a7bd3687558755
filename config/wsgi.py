"""WSGI entry point (gunicorn ``config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from config.startup import exit_on_missing_setting

with exit_on_missing_setting():
    application = get_wsgi_application()
