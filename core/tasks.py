from celery import shared_task

from core import audit


@shared_task
def record_heartbeat_task(*, note: str) -> int:
    """Record that a worker is alive in the audit trail; return the event's sequence.

    Used by the health tests to prove a real worker runs jobs end to end.
    """
    return audit.record_event(
        action="system.worker_heartbeat", data={"note": note}
    ).sequence
