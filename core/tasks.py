from celery import shared_task

from core import audit, audit_anchor, outbox


@shared_task
def record_heartbeat_task(*, note: str) -> int:
    """Record that a worker is alive in the audit trail; return the event's id.

    Used by the health tests to prove a real worker runs jobs end to end.
    """
    return audit.record_event(action="system.worker_heartbeat", data={"note": note}).pk


@shared_task
def outbox_drain_task() -> dict[str, int]:
    """Every OUTBOX_DRAIN_INTERVAL_SECONDS: send the emails that are due (one by
    one; safe to run twice, or two at once)."""
    return outbox.outbox_drain()


@shared_task
def audit_anchor_task() -> int:
    """Every few minutes: write the audit chain's head down outside the database
    (core.audit_anchor); return its sequence."""
    return audit_anchor.audit_anchor_write(reason="periodic").sequence


@shared_task
def file_deletions_task() -> int:
    """Delete the stored files of destroyed records that are still waiting (after
    a crash, or a backup that held them off); return how many (core.files)."""
    from core.files import file_deletions_run

    return file_deletions_run()
