"""WSGI entry point (gunicorn ``config.wsgi``)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from config.startup import exit_on_missing_setting
from core.handlers import wsgi_application

with exit_on_missing_setting():
    # Django's handler, with requests that survive any Content-Type header.
    application = wsgi_application()
