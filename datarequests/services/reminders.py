"""The daily reminder of Data Practices requests overdue or due soon."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from accounts.selectors import user_list_holding
from core import audit, clock, outbox
from core.models import OutboxMessage
from datarequests.models import ReminderDay


def _handlers() -> list:
    return list(
        user_list_holding("datarequests.handle_datarequest", include_superusers=False)
        .filter(is_staff=True)
        .exclude(email="")
    )


@transaction.atomic
def datarequest_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Write each person who handles requests one email listing the requests
    overdue or due within two business days, to the outbox. Once a day."""
    from datarequests.selectors import deadline_items

    today = today or clock.today()
    try:
        with transaction.atomic():
            day = ReminderDay.objects.create(run_on=today)
    except IntegrityError:
        return {"emails": 0, "items": 0, "skipped": 1}
    items = deadline_items(today=today)
    emails = 0
    if items:
        overdue = sum(1 for i in items if i.overdue)
        for user in _handlers():
            outbox.outbox_enqueue(
                to=user.email,
                subject=f"Data requests: {overdue} overdue, "
                f"{len(items) - overdue} due soon",
                body=render_to_string(
                    "datarequests/email/reminder.txt",
                    {"user": user, "items": items, "site_url": settings.SITE_URL},
                ),
                audience=OutboxMessage.Audience.STAFF,
                topic="datarequests.reminder",
                about=f"Data request reminder of {date_format(today)} for "
                f"{user.get_username()}",
                about_url=reverse("datarequests:staff-list"),
                permission=outbox.STAFF_ADDRESS_PERMISSION,
            )
            emails += 1
    day.emails = emails
    day.save(update_fields=["emails"])
    audit.record_event(
        action="datarequest.reminders_sent",
        target=day,
        data={"day": today, "emails": emails, "items": len(items)},
    )
    return {"emails": emails, "items": len(items), "skipped": 0}
