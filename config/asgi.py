"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from config.startup import exit_on_missing_setting

with exit_on_missing_setting():
    application = get_asgi_application()
