from celery import shared_task

from core import audit


@shared_task
def record_heartbeat_task(*, note: str) -> int:
    """Record that a worker is alive in the audit trail; return the event's id.

    Used by the health tests to prove a real worker runs jobs end to end.
    """
    return audit.record_event(action="system.worker_heartbeat", data={"note": note}).pk


@shared_task
def seal_audit_task() -> int:
    """Every minute: chain and sign the audit events recorded since the last run."""
    return audit.seal_events()


@shared_task
def file_deletions_task() -> int:
    """Delete the stored files of destroyed records that are still waiting (after
    a crash, or a backup that held them off); return how many (core.files)."""
    from core.files import file_deletions_run

    return file_deletions_run()
