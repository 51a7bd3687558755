"""The Celery application: configured from Django settings (``CELERY_*``).

Tasks live in each app's ``tasks.py`` and are discovered automatically; the beat
schedule is ``CELERY_BEAT_SCHEDULE`` in ``config/settings/base.py``.
"""

import os

from celery import Celery
from celery.signals import after_setup_logger, celeryd_init

from core.broker import ensure_broker_folders

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("citysocial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _worker_init(**_kwargs: object) -> None:
    ensure_broker_folders(app)


@after_setup_logger.connect
def _beat_and_worker_logger(**_kwargs: object) -> None:
    ensure_broker_folders(app)
