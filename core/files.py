"""Stored files are deleted only once the destruction of their record has committed
(R3, R4): the one way any app deletes an uploaded file.

    file_delete_after_commit(names=[...])   in the transaction destroying the record
    file_deletions_run()                    delete the files whose rows committed
    files_frozen()                          (backups) no file is deleted meanwhile

``file_delete_after_commit`` writes one :class:`~core.models.PendingFileDeletion`
row per file in the caller's transaction and asks for the deletion right after it
commits. So a crash, a time limit or an error before COMMIT leaves the record whole
with its files (the rows roll back with it); a crash after COMMIT leaves rows that
the next ``file_deletions_run`` (the retention purge calls it first, and the
``core-file-deletions`` job every ``FILE_DELETIONS_INTERVAL_MINUTES``) finishes.
Deleting is idempotent: a file already gone is not an error, and its row goes.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, transaction

from core.faults import crash_point
from core.models import PendingFileDeletion

logger = logging.getLogger(__name__)

# Deleting files takes it shared, for one batch; a backup takes it alone while it
# copies the database and the files, so the copy of a record has its files.
DELETION_LOCK_KEY = 748_203_801
BATCH = 100


def file_delete_after_commit(
    *, names: Iterable[str], storage: str = "default"
) -> list[int]:
    """Delete these stored files once the current transaction commits.

    Call it in the transaction that destroys the files' record: the deletion is
    recorded there (one row per file), so it happens if and only if that
    transaction commits. Returns the ids of the rows written.
    """
    if storage not in settings.STORAGES:
        raise ValueError(f"No storage named {storage!r} in STORAGES.")
    rows = PendingFileDeletion.objects.bulk_create(
        PendingFileDeletion(storage=storage, name=name) for name in names if name
    )
    ids = [row.pk for row in rows]
    if ids:
        # robust: an error deleting is logged; the rows stay for the next run.
        transaction.on_commit(partial(file_deletions_run, ids=ids), robust=True)
    return ids


def file_deletions_run(*, ids: Sequence[int] | None = None) -> int:
    """Delete the stored files whose deletion has committed (only ``ids``, or all);
    return how many were deleted.

    Safe to run twice at once (rows are taken with SKIP LOCKED) and after a crash
    (a file already gone counts as deleted). While a backup copies the files it
    deletes nothing: the rows wait for the next run.
    """
    deleted = 0
    last = 0
    while True:
        with transaction.atomic(), _deletion_lock_shared() as free:
            if not free:
                logger.info("A backup is copying the files; deletions wait")
                break
            pending = PendingFileDeletion.objects.filter(pk__gt=last)
            if ids is not None:
                pending = pending.filter(pk__in=ids)
            rows = list(
                pending.order_by("pk").select_for_update(skip_locked=True)[:BATCH]
            )
            if not rows:
                break
            last = rows[-1].pk
            crash_point("files.before_delete")
            done = []
            for row in rows:
                try:
                    store = storages[row.storage]
                    if store.exists(row.name):
                        store.delete(row.name)
                except Exception as exc:
                    logger.exception("Could not delete stored file (row %s)", row.pk)
                    PendingFileDeletion.objects.filter(pk=row.pk).update(
                        attempts=row.attempts + 1,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    )
                    continue
                crash_point("files.deleted_one")
                done.append(row.pk)
            PendingFileDeletion.objects.filter(pk__in=done).delete()
            deleted += len(done)
    return deleted


def _lock_file() -> Path:
    media_root = Path(settings.MEDIA_ROOT)
    return media_root.parent / f".{media_root.name}-deletions.lock"


@contextmanager
def _deletion_lock_shared() -> Iterator[bool]:
    """In the current transaction: yield whether no backup is copying the files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock_shared(%s)", [DELETION_LOCK_KEY]
            )
            yield bool(cursor.fetchone()[0])
        return
    path = _lock_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def files_frozen() -> Iterator[None]:
    """Hold off every file deletion for the block (waiting for one in progress).

    A backup holds it from before its database snapshot until its files are
    copied, so no file a copied record points at is deleted before it is copied.
    On PostgreSQL it holds a session lock on Django's connection, which must be
    outside a transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [DELETION_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DELETION_LOCK_KEY])
        return
    path = _lock_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
