"""The purge's settings and locks: one run at a time, and batches that share a
scope lock which placing a legal hold takes alone (R1-R5)."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


RUN_LOCK_KEY = 748_203_701  # pg_try_advisory_lock: one run at a time
SCOPE_LOCK_KEY = 748_203_702  # batches share it; placing a hold takes it alone


def batch_size_setting() -> int:
    return max(1, int(getattr(settings, "RETENTION_PURGE_BATCH_SIZE", 10_000)))


def is_paused() -> bool:
    return bool(getattr(settings, "RETENTION_PURGE_PAUSED", False))


# --- Locks ------------------------------------------------------------------------


@contextmanager
def purge_lock() -> Iterator[bool]:
    """Hold the purge lock for the block; yield False when another run holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])
                except Exception:
                    # The connection is gone, and the lock with it.
                    logger.exception("Could not release the purge lock")
                    connection.close()
        return
    path = Path(
        getattr(settings, "RETENTION_PURGE_LOCK_FILE", "")
        or Path(settings.VAR_DIR) / "retention-purge.lock"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_scope_for_change() -> None:
    """Wait until no purge batch is running, inside the current transaction.

    Placing or releasing a hold, or declaring a disaster period, calls this so a
    batch that read the holds before the change cannot destroy what it now covers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCOPE_LOCK_KEY])


def _lock_scope_shared() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [SCOPE_LOCK_KEY])
