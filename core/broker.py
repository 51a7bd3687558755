"""The Celery broker as the app's own code sees it (config.celery owns the app)."""

from pathlib import Path

from celery import Celery, current_app


def ensure_broker_folders(app: Celery | None = None) -> None:
    """Create the filesystem broker's folders (embedded mode) if they are missing."""
    options = (app or current_app).conf.broker_transport_options or {}
    for key in (
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    ):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
