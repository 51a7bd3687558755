"""The daily reminders of overdue and due-soon filings (P22, P23)."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from appeals.models import (
    ReminderRun,
)
from core import audit, clock
from core.roles import CITY_ADMINISTRATOR

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


def deadline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Email each reviewer their overdue and due-soon filings, and each City
    Administrator a digest of all of them. At most once per day: a second run the
    same day (or one racing it) finds the day's record and sends nothing.
    """
    from appeals import selectors

    today = today or clock.today()
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(run_on=today)
    except IntegrityError:
        logger.info("deadline reminders already sent for %s", today)
        return {"reviewers": 0, "digests": 0, "items": 0, "skipped": 1}
    try:
        counts = _send_reminders(today=today, selectors=selectors)
    except Exception:
        # Let a later run (a retry, or tomorrow's) send them instead.
        logger.exception("deadline reminders failed for %s", today)
        ReminderRun.objects.filter(pk=run.pk).delete()
        raise
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=clock.now(),
        reviewers=counts["reviewers"],
        digests=counts["digests"],
    )
    audit.record_event(action="appeals.reminders_sent", data={"day": today, **counts})
    return counts


def _send_reminders(*, today: date, selectors: Any) -> dict[str, int]:
    items = selectors.deadline_items(today=today)
    by_reviewer: dict[Any, list[selectors.DeadlineItem]] = {}
    for item in items:
        if item.filing.reviewer_id:
            by_reviewer.setdefault(item.filing.reviewer, []).append(item)
    unassigned = [i for i in items if not i.filing.reviewer_id]
    sent_reviewers = 0
    for reviewer, mine in by_reviewer.items():
        if not (reviewer.email and reviewer.is_active):
            continue
        EmailMessage(
            subject=_reminder_subject(mine),
            body=render_to_string(
                "appeals/email/reminder.txt",
                {"user": reviewer, "items": mine, "site_url": settings.SITE_URL},
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reviewer.email],
        ).send()
        sent_reviewers += 1
    digests = 0
    if items:
        from accounts.models import User

        admins = User.objects.filter(
            groups__name=CITY_ADMINISTRATOR, is_active=True
        ).exclude(email="")
        for admin_user in admins.distinct():
            EmailMessage(
                subject=f"Appeals and challenges digest: {_reminder_subject(items)}",
                body=render_to_string(
                    "appeals/email/digest.txt",
                    {
                        "user": admin_user,
                        "items": items,
                        "unassigned": unassigned,
                        "site_url": settings.SITE_URL,
                    },
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[admin_user.email],
            ).send()
            digests += 1
    return {
        "reviewers": sent_reviewers,
        "digests": digests,
        "items": len(items),
        "skipped": 0,
    }


def _reminder_subject(items: list[Any]) -> str:
    overdue = sum(1 for i in items if i.overdue)
    soon = len(items) - overdue
    return f"{overdue} overdue, {soon} due soon"
