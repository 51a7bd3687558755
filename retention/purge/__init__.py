"""The purge: destroy what the retention schedule no longer keeps (R1-R5, P25).

    purge_preview()                          what the next run would destroy
    purge_due_records(series)                which records of a series, one by one
    purge_run(trigger=..., by=..., ...)      destroy it now, and log it (R4)

A run holds the purge lock (a PostgreSQL advisory lock, or a file lock on SQLite)
so two runs never work at once; a second run returns ``busy`` at once. It walks the
series of ``retention.series.REGISTRY`` and destroys each in batches, one
transaction per batch. Each batch takes its rows with ``FOR UPDATE SKIP LOCKED``
(rows someone else is changing are left for the next run, never waited on),
re-reads the open legal holds and disaster periods under a shared lock that
placing a hold takes exclusively, destroys the rows, redacts their audit events'
personal data and, for series without their own tombstones, writes the ledger of
destroyed ids, all in that one transaction: a run killed at any point leaves every
record either fully destroyed and accounted for, or untouched.

At the end the run appends one :class:`DestructionRecord` per series it destroyed
in. A run that died before that stays ``running``; the next run to take the lock
marks it ``interrupted`` and writes its destruction records from the tombstones
and the ledger.

    locks     the run lock and the scope lock legal holds share with batches
    preview   what the next run would destroy
    runs      running, batching, logging and recovering interrupted runs
"""

from retention.purge.locks import (
    RUN_LOCK_KEY,
    SCOPE_LOCK_KEY,
    batch_size_setting,
    is_paused,
    lock_scope_for_change,
    purge_lock,
)
from retention.purge.preview import (
    DueRecord,
    SeriesPreview,
    due_record,
    open_holds,
    purge_due_records,
    purge_preview,
)
from retention.purge.runs import (
    PurgeOutcome,
    ids_digest,
    purge_run,
    recover_interrupted_runs,
    redact_message_events,
)

__all__ = [
    "RUN_LOCK_KEY",
    "SCOPE_LOCK_KEY",
    "DueRecord",
    "PurgeOutcome",
    "SeriesPreview",
    "batch_size_setting",
    "due_record",
    "ids_digest",
    "is_paused",
    "lock_scope_for_change",
    "open_holds",
    "purge_due_records",
    "purge_lock",
    "purge_preview",
    "purge_run",
    "recover_interrupted_runs",
    "redact_message_events",
]
