"""The purge on PostgreSQL: concurrent runs, row locks skipped, a real Celery
worker, a worker killed mid-batch and the database going away mid-run (R1-R4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from core import clock
from core.models import AuditEvent
from retention import services
from retention.models import DestructionRecord, LegalHold, Message, PurgeRun, Series
from retention.purge import purge_run
from tests.accounts.factories import AccountFactory, UserFactory
from tests.retention.factories import MessageFactory, ReadMessageFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]

ROOT = Path(__file__).resolve().parents[2]


def other_connection() -> psycopg.Connection:
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def in_thread(target, *args):
    results = {}

    def run():
        try:
            results["value"] = target(*args)
        except BaseException as exc:  # reported to the test
            results["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def test_two_runs_at_once_destroy_everything_once():
    held_account = AccountFactory()
    messages = ReadMessageFactory.create_batch(40)
    held = ReadMessageFactory.create_batch(3, account=held_account)
    unread = MessageFactory.create_batch(3)
    hold = LegalHold.objects.create(
        title="Hold", reason="lawsuit", placed_by=UserFactory()
    )
    hold.accounts.set([held_account])
    barrier = threading.Barrier(2)

    def one_run():
        barrier.wait()
        return purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=1)

    threads = [in_thread(one_run) for _ in range(2)]
    for thread, _ in threads:
        thread.join(120)
    outcomes = [results["value"] for _, results in threads]
    assert sorted(o.status for o in outcomes) in (
        ["busy", "finished"],
        ["finished", "finished"],
    )
    assert sum(o.counts.get(Series.MESSAGES, 0) for o in outcomes) == 40
    destroyed = Message.objects.filter(destroyed_at__isnull=False)
    assert set(destroyed.values_list("pk", flat=True)) == {m.pk for m in messages}
    assert sum(DestructionRecord.objects.values_list("item_count", flat=True)) == 40
    for message in held + unread:
        fresh = Message.objects.get(pk=message.pk)
        assert fresh.destroyed_at is None
        assert fresh.body == message.body


def test_rows_another_transaction_holds_are_skipped_not_waited_for():
    locked = ReadMessageFactory.create_batch(2)
    free = ReadMessageFactory.create_batch(3)
    with other_connection() as other, other.transaction():
        other.execute(
            "SELECT id FROM retention_message WHERE id = ANY(%s) FOR UPDATE",
            [[m.pk for m in locked]],
        )
        started = time.monotonic()
        thread, results = in_thread(
            lambda: purge_run(trigger=PurgeRun.Trigger.SCHEDULE)
        )
        thread.join(60)
        assert time.monotonic() - started < 30
        assert "error" not in results, results.get("error")
        outcome = results["value"]
    assert outcome.counts[Series.MESSAGES] == 3
    assert not Message.objects.filter(
        pk__in=[m.pk for m in free], destroyed_at__isnull=True
    ).exists()
    assert (
        Message.objects.filter(
            pk__in=[m.pk for m in locked], destroyed_at__isnull=True
        ).count()
        == 2
    )
    # The next run finishes the work.
    assert purge_run(trigger=PurgeRun.Trigger.SCHEDULE).counts[Series.MESSAGES] == 2


def test_removal_decisions_immutable_except_in_the_purge(schedule):
    """The removal-decisions series runs under SET LOCAL citysocial.retention_purge."""
    pytest.importorskip("moderation.services")
    from tests.moderation.factories import RemovalDecisionFactory  # type: ignore

    decision = RemovalDecisionFactory(
        removed_at=clock.now() - timedelta(days=3 * 366),
        posted_at=clock.now() - timedelta(days=3 * 366 + 1),
    )
    schedule(
        Series.REMOVAL_DECISIONS,
        years=3,
        schedule_item="City schedule item 7",
        destruction_enabled=True,
    )
    outcome = purge_run(trigger=PurgeRun.Trigger.SCHEDULE)
    assert outcome.errors == []
    assert outcome.counts[Series.REMOVAL_DECISIONS] == 1
    decision.refresh_from_db()
    assert decision.redacted_at is not None
    assert decision.author_name == ""


def test_every_batch_commits_durably_before_its_files_are_deleted():
    """no ``synchronous_commit OFF`` in the purge. A batch's COMMIT
    returns once it is on disk: the files it destroys are deleted right after
    (core.files), so a server crash must not bring back rows whose files are gone."""
    from unittest import mock

    from retention.purge import runs

    real = runs._destroy_batch
    seen = []

    def recording(*args, **kwargs):
        batch = real(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            seen.append(cursor.fetchone()[0])
        return batch

    ReadMessageFactory.create_batch(3)
    with mock.patch.object(runs, "_destroy_batch", recording):
        outcome = purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=2)
    assert outcome.counts[Series.MESSAGES] == 3
    assert seen and set(seen) == {"on"}


def test_the_job_runs_on_a_real_celery_worker(celery_worker_app):
    from retention.tasks import retention_purge_task

    messages = ReadMessageFactory.create_batch(3)
    keep = MessageFactory()
    result = retention_purge_task.delay().get(timeout=60)
    assert result["status"] == "finished"
    assert result["counts"][Series.MESSAGES] == 3
    assert (
        Message.objects.filter(
            pk__in=[m.pk for m in messages], destroyed_at__isnull=False
        ).count()
        == 3
    )
    assert Message.objects.get(pk=keep.pk).destroyed_at is None
    run = PurgeRun.objects.get(pk=result["run"])
    assert run.trigger == PurgeRun.Trigger.SCHEDULE
    assert run.status == PurgeRun.Status.FINISHED


def _purge_subprocess() -> subprocess.Popen:
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "LOG_LEVEL": "WARNING",
        "PYTHONFAULTHANDLER": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "purge", "--batch-size", "2", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _blocked_purge(other: psycopg.Connection):
    """Start ``manage.py purge`` and wait until it blocks in its second batch,
    on the audit event the test holds locked; return (process, backend pid).

    ``other`` must be in autocommit: pg_stat_activity is read once per
    transaction."""
    process = _purge_subprocess()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        row = other.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            # Inside the purge's escape, pgtrigger.ignore puts a set_config
            # before each statement; its list of triggers can push the UPDATE
            # past the 1 kB of text pg_stat_activity keeps
            # (track_activity_query_size), so either start identifies it: the
            # purge waits on no other lock here.
            "AND (query LIKE '%%UPDATE \"core_auditevent\"%%' "
            "OR query LIKE 'SELECT set_config(''pgtrigger.ignore''%%')"
        ).fetchone()
        if row:
            return process, row[0]
        if process.poll() is not None:
            pytest.fail(f"purge ended early: {process.communicate()}")
        time.sleep(0.2)
    process.send_signal(signal.SIGABRT)
    activity = other.execute(
        "SELECT pid, state, wait_event_type, left(query, 80) FROM pg_stat_activity"
    ).fetchall()
    pytest.fail(f"purge never blocked: {process.communicate()} {activity}")


def _messages_with_personal_events(n: int) -> list[Message]:
    manager = UserFactory()
    account = AccountFactory.create()
    messages = []
    for i in range(n):
        message = services.message_create(
            account=account,
            platform_message_id=f"k{i}",
            received_at=clock.now() - timedelta(hours=1),
            sender_handle=f"person{i}",
            body=f"text {i}",
        )
        Message.objects.filter(pk=message.pk).update(
            read_at=clock.now(), read_by=manager
        )
        messages.append(message)
    return messages


def _wait_gone(other: psycopg.Connection, pid: int) -> None:
    deadline = time.monotonic() + 30
    while other.execute(
        "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
    ).fetchone():
        assert time.monotonic() < deadline, "the killed run's session stayed"
        time.sleep(0.2)


def _check_after_interruption(messages: list[Message], *, killed: bool) -> None:
    first, rest = messages[:2], messages[2:]
    for message in first:
        fresh = Message.objects.get(pk=message.pk)
        assert fresh.destroyed_at is not None and fresh.body == ""
    for message in rest:
        fresh = Message.objects.get(pk=message.pk)
        assert fresh.destroyed_at is None
        assert fresh.body == message.body
        assert fresh.sender_handle == message.sender_handle
    stopped = PurgeRun.objects.get()
    if killed:
        # Nothing ran after the kill: the next run closes it.
        assert stopped.status == PurgeRun.Status.RUNNING
    else:
        # The run saw the error, reconnected and logged what it had destroyed.
        assert stopped.status == PurgeRun.Status.FAILED
        assert "terminat" in stopped.errors.lower()
    outcome = purge_run(trigger=PurgeRun.Trigger.SCHEDULE)
    stopped.refresh_from_db()
    if killed:
        assert stopped.status == PurgeRun.Status.INTERRUPTED
    assert DestructionRecord.objects.get(run=stopped).item_count == 2
    assert outcome.counts[Series.MESSAGES] == len(rest)
    assert not Message.objects.filter(destroyed_at__isnull=True).exists()
    assert not AuditEvent.objects.filter(
        action="message.created", personal__isnull=False
    ).exists()


def test_a_worker_killed_mid_batch_leaves_no_half_destroyed_batch():
    messages = _messages_with_personal_events(5)
    third_event = AuditEvent.objects.get(
        action="message.created", target_id=str(messages[2].pk)
    )
    with other_connection() as other, other_connection() as watcher:
        with other.transaction():
            other.execute(
                "SELECT id FROM core_auditevent WHERE id = %s FOR UPDATE",
                [third_event.pk],
            )
            process, pid = _blocked_purge(watcher)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
        _wait_gone(watcher, pid)
    _check_after_interruption(messages, killed=True)


def test_the_database_going_away_mid_run_loses_no_batch():
    messages = _messages_with_personal_events(5)
    third_event = AuditEvent.objects.get(
        action="message.created", target_id=str(messages[2].pk)
    )
    with other_connection() as other, other_connection() as watcher:
        with other.transaction():
            other.execute(
                "SELECT id FROM core_auditevent WHERE id = %s FOR UPDATE",
                [third_event.pk],
            )
            process, pid = _blocked_purge(watcher)
            watcher.execute("SELECT pg_terminate_backend(%s)", [pid])
            _out, err = process.communicate(timeout=60)
        _wait_gone(watcher, pid)
    assert process.returncode != 0
    assert b"terminat" in err.lower()
    _check_after_interruption(messages, killed=False)


def test_placing_a_hold_waits_for_the_batch_in_progress(records_officer):
    """A batch reads the holds under a shared lock that placing a hold takes
    exclusively, so a new hold never misses a batch already destroying (R3)."""
    from retention.purge import SCOPE_LOCK_KEY

    account = AccountFactory()
    with other_connection() as batch, batch.transaction():
        batch.execute("SELECT pg_advisory_xact_lock_shared(%s)", [SCOPE_LOCK_KEY])
        thread, results = in_thread(
            lambda: services.legal_hold_place(
                by=records_officer, title="Hold", reason="lawsuit", accounts=[account]
            )
        )
        thread.join(2)
        assert thread.is_alive(), "the hold did not wait for the batch"
    thread.join(30)
    assert "error" not in results, results.get("error")
    assert LegalHold.objects.filter(accounts=account).exists()
