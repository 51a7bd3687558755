"""Periodic jobs of the retention app (beat entry in ``CELERY_BEAT_SCHEDULE``)."""

from typing import Any

from celery import shared_task

from retention.models import PurgeRun
from retention.purge import purge_run


@shared_task(name="retention.purge")
def retention_purge_task() -> dict[str, Any]:
    """Run the purge (R1-R5); safe to run twice at once (the second is 'busy')."""
    return purge_run(trigger=PurgeRun.Trigger.SCHEDULE).as_dict()
