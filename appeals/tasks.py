"""Celery jobs of the appeals app: thin callers of ``appeals.services``.

Emails are not sent here: every one goes through the outbox (``core.outbox``),
whose job (``core.tasks.outbox_drain_task``) sends them."""

from __future__ import annotations

from celery import shared_task

from appeals import services


@shared_task
def deadline_reminders_task() -> dict[str, int]:
    """Daily: write reviewers their overdue and due-soon filings, and the City
    Administrator a digest, to the outbox (P22, P23: answers as soon as
    reasonably possible)."""
    return services.deadline_reminders_send()
