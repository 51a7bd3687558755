"""The daily job of Data Practices requests."""

from __future__ import annotations

from celery import shared_task

from datarequests.services import datarequest_holds_release_due
from datarequests.services.reminders import datarequest_reminders_send


@shared_task(name="datarequests.tasks.datarequests_daily_task")
def datarequests_daily_task() -> dict[str, int]:
    """Release the holds the schedule no longer needs (R3), and remind the
    Records Officers of requests overdue or due soon. Safe to run twice."""
    released = datarequest_holds_release_due()
    reminded = datarequest_reminders_send()
    return {"holds_released": released, **reminded}
