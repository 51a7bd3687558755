"""The daily reminders of overdue and due-soon filings (P22, P23)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from appeals import selectors
from appeals.models import ReminderRun
from core import audit, clock, outbox
from core.models import OutboxMessage

logger = logging.getLogger(__name__)


@transaction.atomic
def deadline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Write each reviewer an email of their overdue and due-soon filings, and
    each City Administrator a digest of all of them, to the outbox (which sends
    them). At most once per day: a second run the same day (or one racing it)
    finds the day's record and writes nothing.
    """
    today = today or clock.today()
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(run_on=today)
    except IntegrityError:
        logger.info("deadline reminders already written for %s", today)
        return {"reviewers": 0, "digests": 0, "items": 0, "skipped": 1}
    counts = _queue_reminders(today=today)
    run.finished_at = clock.now()
    run.reviewers = counts["reviewers"]
    run.digests = counts["digests"]
    run.save(update_fields=["finished_at", "reviewers", "digests"])
    audit.record_event(
        action="appeals.reminders_sent", target=run, data={"day": today, **counts}
    )
    return counts


def _queue_reminders(*, today: date) -> dict[str, int]:
    items = selectors.deadline_items(today=today)
    by_reviewer: dict[Any, list[selectors.DeadlineItem]] = {}
    for item in items:
        if item.filing.reviewer_id:
            by_reviewer.setdefault(item.filing.reviewer, []).append(item)
    unassigned = [i for i in items if not i.filing.reviewer_id]
    day = date_format(today)
    reviewers = 0
    for reviewer, mine in by_reviewer.items():
        if not (reviewer.email and reviewer.is_active):
            continue
        _enqueue(
            to=reviewer.email,
            subject=_reminder_subject(mine),
            body=render_to_string(
                "appeals/email/reminder.txt",
                {"user": reviewer, "items": mine, "site_url": settings.SITE_URL},
            ),
            topic="appeals.reminder",
            about=f"Deadline reminder of {day} for {reviewer.get_username()}",
        )
        reviewers += 1
    digests = 0
    if items:
        for admin_user in selectors.overseer_list().exclude(email=""):
            seen = [i for i in items if selectors.oversees(admin_user, i.filing)]
            if not seen:
                continue
            _enqueue(
                to=admin_user.email,
                subject=f"Appeals and challenges digest: {_reminder_subject(seen)}",
                body=render_to_string(
                    "appeals/email/digest.txt",
                    {
                        "user": admin_user,
                        "items": seen,
                        "unassigned": [i for i in unassigned if i in seen],
                        "site_url": settings.SITE_URL,
                    },
                ),
                topic="appeals.digest",
                about=f"Deadline digest of {day} for {admin_user.get_username()}",
            )
            digests += 1
    return {
        "reviewers": reviewers,
        "digests": digests,
        "items": len(items),
        "skipped": 0,
    }


def _enqueue(*, to: str, subject: str, body: str, topic: str, about: str) -> None:
    outbox.outbox_enqueue(
        to=to,
        subject=subject,
        body=body,
        audience=OutboxMessage.Audience.STAFF,
        topic=topic,
        about=about,
        about_url=reverse("appeals:staff-list"),
        permission=outbox.STAFF_ADDRESS_PERMISSION,
    )


def _reminder_subject(items: list[Any]) -> str:
    overdue = sum(1 for i in items if i.overdue)
    soon = len(items) - overdue
    return f"{overdue} overdue, {soon} due soon"
