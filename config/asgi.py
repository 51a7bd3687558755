"""ASGI entry point."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from config.startup import exit_on_missing_setting
from core.handlers import asgi_application

with exit_on_missing_setting():
    # Django's handler, with requests that survive any Content-Type header.
    application = asgi_application()
