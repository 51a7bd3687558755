"""A purge run: destroy in batches, one transaction each, log every destruction
(R4), and finish the records of a run that was interrupted."""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from core import audit, audit_anchor, clock
from core.faults import crash_point
from core.files import file_deletions_run
from core.immutable import retention_purge
from core.permissions import require
from retention.models import (
    DestroyedItem,
    DestructionRecord,
    Message,
    PurgeRun,
    RetentionSchedule,
    Series,
)
from retention.permissions import PERM_RUN_PURGE
from retention.purge.locks import (
    _lock_scope_shared,
    batch_size_setting,
    is_paused,
    purge_lock,
)
from retention.purge.preview import (
    _date_field,
    _schedules,
    open_holds,
)
from retention.series import (
    REGISTRY,
    SeriesSpec,
    SeriesUnavailable,
    destroy_messages,
)

logger = logging.getLogger(__name__)


@dataclass
class _Batch:
    """What one batch destroyed: ids and the range of their record dates."""

    ids: list[int]
    first: date | None
    last: date | None

    def __bool__(self) -> bool:
        return bool(self.ids)


@dataclass
class _Tally:
    """What a run destroyed in one series: ids (compact) and the date range."""

    ids: array = field(default_factory=lambda: array("q"))
    first: date | None = None
    last: date | None = None

    def add(self, batch: _Batch) -> None:
        self.ids.extend(batch.ids)
        for day in (batch.first, batch.last):
            if day is not None:
                self.first = day if self.first is None else min(self.first, day)
                self.last = day if self.last is None else max(self.last, day)

    @property
    def count(self) -> int:
        return len(self.ids)


def ids_digest(ids: Iterable[int]) -> str:
    """SHA-256 over the ids in ascending order, one per line (UTF-8, '\\n' after
    each): what a Records Officer recomputes from the tombstones to check the log.

    A run's ids arrive almost always ascending (batches are taken in id order), so
    an ascending array is hashed as it is, in chunks, without a sorted copy.
    """
    values = ids if isinstance(ids, array) else array("q", ids)
    if any(values[i] > values[i + 1] for i in range(len(values) - 1)):
        values = array("q", sorted(values))
    digest = hashlib.sha256()
    chunk = 10_000
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        digest.update(("\n".join(map(str, part)) + "\n").encode())
    return digest.hexdigest()


def _message_batch_postgres(
    qs: QuerySet, size: int, run: PurgeRun, now: datetime
) -> tuple[list[int], datetime | None, datetime | None]:
    """Destroy one batch of messages in one statement (PostgreSQL); return the ids
    and the earliest and latest received times."""
    inner = (
        qs.order_by("pk")
        .values("pk")
        .select_for_update(skip_locked=True, of=("self",))[:size]
    )
    sql, params = inner.query.sql_with_params()
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # ANY(ARRAY(...)): the batch is chosen first (an init plan, using the
            # purge-candidates index), then updated by primary key; a join here
            # lets the planner scan the whole table per batch.
            f"WITH done AS (UPDATE {table} AS m SET body = '', "  # noqa: S608  # nosec B608
            "sender_handle = '', follow_up_note = '', destroyed_at = %s, "
            "destroyed_by_run_id = %s "
            f"WHERE m.id = ANY(ARRAY({sql})) "
            "RETURNING m.id, m.received_at) "
            "SELECT array_agg(id ORDER BY id), min(received_at), max(received_at) "
            "FROM done",
            [now, run.pk, *params],
        )
        ids, first, last = cursor.fetchone()
    ids = ids or []
    if ids:
        redact_message_events(ids, run)
    return ids, first, last


def redact_message_events(ids: list[int], run: PurgeRun) -> None:
    """Clear the personal data of the audit events about these messages (R4).

    On PostgreSQL, first find which of them have any (one array parameter, one
    index probe each), so the common case, messages imported without personal
    audit events, costs one cheap query per batch.
    """
    if connection.vendor == "postgresql":
        content_type = ContentType.objects.get_for_model(Message)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT target_id FROM core_auditevent "
                "WHERE target_type_id = %s AND target_id = ANY(%s::varchar[]) "
                "AND personal IS NOT NULL",
                [content_type.pk, [str(pk) for pk in ids]],
            )
            ids = [int(row[0]) for row in cursor.fetchall()]
    if ids:
        audit.redact_personal(model=Message, ids=ids, run_label=str(run))


def _destroy_batch(
    spec: SeriesSpec,
    schedule: RetentionSchedule,
    run: PurgeRun,
    cutoff_now: datetime,
    size: int,
    after: int = 0,
) -> _Batch | None:
    """Destroy up to ``size`` records of ``spec`` with ids above ``after`` in the
    current transaction.

    Returns what was destroyed (empty when nothing is due), or None when a hold
    covers the whole series. A run passes the last id of its previous batch as
    ``after`` (keyset batches): no batch walks past what the batches before it
    destroyed, so a run's cost grows with what it destroys, not with its square.
    """
    _lock_scope_shared()
    due = spec.candidates(schedule, cutoff_now)
    qs = spec.exclude_held(due, open_holds())
    if qs is None:
        return None
    qs = qs.filter(pk__gt=after)
    now = clock.now()
    if spec.key == Series.MESSAGES and connection.vendor == "postgresql":
        ids, first, last = _message_batch_postgres(qs, size, run, now)
        return _Batch(ids, spec.record_date(first), spec.record_date(last))
    date_field = _date_field(spec)
    pairs = list(
        qs.order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", date_field)[:size]
    )
    if not pairs:
        return _Batch([], None, None)
    ids = [pk for pk, _ in pairs]
    if spec.model_label == "retention.Message":
        destroy_messages(ids, run_id=run.pk, now=now)
        redact_message_events(ids, run)
    elif spec.destroy is not None:
        spec.destroy(ids, str(run))
    else:
        raise SeriesUnavailable("no destruction method for this series yet")
    if spec.ledger:
        DestroyedItem.objects.bulk_create(
            DestroyedItem(
                run=run, series=spec.key, object_id=pk, record_date=spec.record_date(d)
            )
            for pk, d in pairs
        )
    days = [day for _, d in pairs if (day := spec.record_date(d)) is not None]
    if not days:
        return _Batch(ids, None, None)
    return _Batch(ids, min(days), max(days))


def _write_record(
    run: PurgeRun,
    spec_key: str,
    schedule: RetentionSchedule | None,
    ids: Iterable[int],
    count: int,
    first: date | None,
    last: date | None,
) -> DestructionRecord:
    record, _ = DestructionRecord.objects.get_or_create(
        run=run,
        series=spec_key,
        defaults={
            "schedule_item": schedule.schedule_item if schedule else "",
            "rule": schedule.rule_text if schedule else "",
            "item_count": count,
            "first_date": first,
            "last_date": last,
            "ids_sha256": ids_digest(ids),
            "recorded_at": clock.now(),
        },
    )
    return record


@dataclass
class PurgeOutcome:
    status: str  # finished, failed, paused, busy
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def destroyed(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "run": self.run_id,
            "counts": {str(series): n for series, n in self.counts.items()},
            "destroyed": self.destroyed,
            "errors": self.errors,
        }


def purge_run(
    *,
    trigger: str,
    by: Any = None,
    batch_size: int | None = None,
    limit: int | None = None,
) -> PurgeOutcome:
    """Destroy every record the schedule no longer keeps, and log it (R1-R5).

    ``limit`` caps the records destroyed per series in this run (the rest waits
    for the next run). Returns ``paused`` when ``RETENTION_PURGE_PAUSED`` is set,
    ``busy`` when another run holds the lock. A person starting it (``by``) must
    hold ``retention.run_purge``; the schedule and the command run as nobody.
    """
    if by is not None:
        require(by, PERM_RUN_PURGE, doing="run the purge by hand")
    if is_paused():
        logger.info("Retention purge is paused (RETENTION_PURGE_PAUSED); nothing done")
        return PurgeOutcome(status="paused")
    size = batch_size or batch_size_setting()
    with purge_lock() as acquired:
        if not acquired:
            logger.info("Another retention purge run holds the lock; skipping")
            return PurgeOutcome(status="busy")
        recover_interrupted_runs()
        # The files of records destroyed by a run killed after a commit.
        file_deletions_run()
        return _run_locked(trigger=trigger, by=by, size=size, limit=limit)


def _run_locked(*, trigger: str, by: Any, size: int, limit: int | None) -> PurgeOutcome:
    run = PurgeRun.objects.create(trigger=trigger, started_by=by)
    cutoff_now = run.started_at
    schedules = _schedules()
    outcome = PurgeOutcome(status="finished", run_id=run.pk)
    tallies: dict[str, _Tally] = {}
    for spec in REGISTRY:
        schedule = schedules.get(spec.key)
        if schedule is None or not schedule.destruction_enabled:
            continue
        tally = tallies[spec.key] = _Tally()
        last_id = 0
        try:
            while limit is None or tally.count < limit:
                step = size if limit is None else min(size, limit - tally.count)
                # The one escape from immutability (core.immutable), outside the
                # batch's transaction so that an error inside rolls it back first.
                with retention_purge(), transaction.atomic():
                    batch = _destroy_batch(
                        spec, schedule, run, cutoff_now, step, after=last_id
                    )
                    if batch:
                        crash_point("purge.batch_destroyed")
                if not batch:
                    break
                # Committed; the batch's files are deleted (core.files).
                crash_point("purge.batch_done")
                tally.add(batch)
                # Rows skipped below it (locked by someone else) wait for the
                # next run, as they always did.
                last_id = max(batch.ids)
        except SeriesUnavailable as exc:
            logger.info("Series %s skipped: %s", spec.key, exc)
        except SoftTimeLimitExceeded:
            # The task ran out of time: log what was destroyed, leave the rest.
            outcome.errors.append(
                f"{spec.label}: stopped at the task's time limit; the next run "
                "continues."
            )
            outcome.counts[spec.key] = tally.count
            break
        except Exception as exc:
            logger.exception("Retention purge of series %s failed", spec.key)
            outcome.errors.append(f"{spec.label}: {type(exc).__name__}: {exc}")
            if not _database_usable():
                break
        outcome.counts[spec.key] = tally.count
    crash_point("purge.before_log")
    for key, tally in tallies.items():
        if tally.count:
            _write_record(
                run,
                key,
                schedules.get(key),
                tally.ids,
                tally.count,
                tally.first,
                tally.last,
            )
    with transaction.atomic():
        run.finished_at = clock.now()
        run.status = (
            PurgeRun.Status.FAILED if outcome.errors else PurgeRun.Status.FINISHED
        )
        run.counts = outcome.counts
        run.destroyed_total = outcome.destroyed
        run.errors = "\n".join(outcome.errors)
        run.save()
        audit.record_event(
            action="retention.purge_run",
            target=run,
            actor=by,
            data={
                "status": run.status,
                "trigger": trigger,
                "counts": outcome.counts,
                "errors": len(outcome.errors),
            },
        )
    if outcome.errors:
        outcome.status = "failed"
    logger.info("Retention purge %s: %s", run, outcome.as_dict())
    audit_anchor.audit_anchor_write(reason="purge")
    return outcome


def _database_usable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def recover_interrupted_runs() -> list[PurgeRun]:
    """Close the runs that died while running (the caller holds the purge lock, so
    no live run is ``running``): log what they destroyed, mark them interrupted."""
    recovered = []
    schedules = _schedules()
    for run in PurgeRun.objects.filter(status=PurgeRun.Status.RUNNING):
        with transaction.atomic():
            counts = _finalize_from_tombstones(run, schedules)
            run.status = PurgeRun.Status.INTERRUPTED
            run.finished_at = clock.now()
            run.counts = counts
            run.destroyed_total = sum(counts.values())
            run.errors = (
                run.errors + "\n" if run.errors else ""
            ) + "The run stopped before it finished; the next run logged what it "
            "had destroyed and carried on with the rest."
            run.save()
            audit.record_event(
                action="retention.purge_run_interrupted",
                target=run,
                data={"counts": counts},
            )
        recovered.append(run)
    return recovered


def _finalize_from_tombstones(
    run: PurgeRun, schedules: dict[str, RetentionSchedule]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    ledger = DestroyedItem.objects.filter(run=run)
    ledger_keys = set(ledger.values_list("series", flat=True).distinct())
    disaster_ids = set(
        ledger.filter(series=Series.DISASTER_MESSAGES).values_list(
            "object_id", flat=True
        )
    )
    tombstones = Message.objects.filter(destroyed_by_run=run).exclude(
        pk__in=disaster_ids
    )
    tally = _Tally()
    summary = tombstones.aggregate(first=Min("received_at"), last=Max("received_at"))
    tally.add(
        _Batch(
            list(tombstones.values_list("pk", flat=True).iterator(chunk_size=10_000)),
            clock_date(summary["first"]),
            clock_date(summary["last"]),
        )
    )
    if tally.count:
        counts[Series.MESSAGES] = tally.count
        _write_record(
            run,
            Series.MESSAGES,
            schedules.get(Series.MESSAGES),
            tally.ids,
            tally.count,
            tally.first,
            tally.last,
        )
    for key in sorted(ledger_keys):
        items = ledger.filter(series=key)
        summary = items.aggregate(first=Min("record_date"), last=Max("record_date"))
        ids = list(items.values_list("object_id", flat=True))
        counts[key] = len(ids)
        _write_record(
            run,
            key,
            schedules.get(key),
            ids,
            len(ids),
            summary["first"],
            summary["last"],
        )
    return counts


def clock_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None
