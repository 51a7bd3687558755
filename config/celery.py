"""The Celery application: configured from Django settings (``CELERY_*``).

Tasks live in each app's ``tasks.py`` and are discovered automatically; the beat
schedule is ``CELERY_BEAT_SCHEDULE`` in ``config/settings/base.py``.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import after_setup_logger, celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("citysocial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the filesystem broker's folders (embedded mode) if they are missing."""
    options = app.conf.broker_transport_options or {}
    for key in (
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    ):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@celeryd_init.connect
def _worker_init(**_kwargs: object) -> None:
    ensure_broker_folders()


@after_setup_logger.connect
def _beat_and_worker_logger(**_kwargs: object) -> None:
    ensure_broker_folders()
