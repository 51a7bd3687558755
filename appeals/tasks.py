"""Celery jobs of the appeals app: thin callers of ``appeals.services``."""

from __future__ import annotations

from celery import shared_task

from appeals import services


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_correspondence_task(*, correspondence_id: int) -> bool:
    """Email one message to a resident (sent once, however often this runs)."""
    return services.correspondence_send(correspondence_id=correspondence_id)


@shared_task
def deadline_reminders_task() -> dict[str, int]:
    """Daily: email reviewers their overdue and due-soon filings, and the City
    Administrator a digest (P22, P23: answers as soon as reasonably possible)."""
    return services.deadline_reminders_send()


@shared_task
def send_receipts_task() -> dict[str, int]:
    """Every half minute: email the receipts of new filings (P22, P23), each once."""
    return services.filing_receipts_send()


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_receipt_task(*, kind: str, filing_id: int) -> int | None:
    """Write and email the receipt of one filing (once). Filing no longer queues
    this; it stays for jobs queued by an earlier release."""
    letter = services.filing_send_receipt(kind=kind, filing_id=filing_id)
    return letter.pk if letter else None
