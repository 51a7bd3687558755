"""The purge (R1-R5, P19, P25): what it destroys, what it keeps, and its log (R4)."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.utils import timezone

from core import audit, clock, followups
from core.immutable import ImmutableError
from core.models import AuditEvent
from retention import purge as purge_module
from retention.models import (
    DestructionRecord,
    DisasterPeriod,
    LegalHold,
    Message,
    PurgeRun,
    Series,
)
from retention.purge import purge_lock, purge_preview, purge_run
from retention.purge import runs as purge_runs
from tests.accounts.factories import AccountFactory, UserFactory
from tests.retention.factories import MessageFactory, ReadMessageFactory

pytestmark = pytest.mark.django_db


def expected_digest(ids):
    return hashlib.sha256("".join(f"{pk}\n" for pk in sorted(ids)).encode()).hexdigest()


def run(**kwargs):
    return purge_run(trigger=PurgeRun.Trigger.COMMAND, **kwargs)


def assert_intact(message: Message) -> None:
    fresh = Message.objects.get(pk=message.pk)
    assert fresh.destroyed_at is None
    assert fresh.body == message.body
    assert fresh.sender_handle == message.sender_handle


def assert_destroyed(message: Message, run_id: int) -> None:
    fresh = Message.objects.get(pk=message.pk)
    assert fresh.destroyed_at is not None
    assert fresh.destroyed_by_run_id == run_id
    assert fresh.body == ""
    assert fresh.sender_handle == ""
    # The tombstone keeps what identifies the record, never its content.
    assert fresh.account_id == message.account_id
    assert fresh.platform_message_id == message.platform_message_id
    assert fresh.received_at == message.received_at


def test_read_messages_are_destroyed_and_unread_kept():
    read = ReadMessageFactory.create_batch(3)
    unread = MessageFactory.create_batch(2)
    outcome = run(batch_size=2)
    assert outcome.status == "finished"
    assert outcome.counts[Series.MESSAGES] == 3
    for message in read:
        assert_destroyed(message, outcome.run_id)
    for message in unread:
        assert_intact(message)
    record = DestructionRecord.objects.get(run_id=outcome.run_id)
    assert record.series == Series.MESSAGES
    assert record.item_count == 3
    assert record.ids_sha256 == expected_digest(m.pk for m in read)
    assert record.first_date == min(timezone.localdate(m.received_at) for m in read)
    assert record.last_date == max(timezone.localdate(m.received_at) for m in read)
    assert record.schedule_item  # the schedule item it was destroyed under
    purge_run_row = PurgeRun.objects.get(pk=outcome.run_id)
    assert purge_run_row.status == PurgeRun.Status.FINISHED
    assert purge_run_row.finished_at is not None
    assert purge_run_row.destroyed_total == 3
    assert purge_run_row.counts[Series.MESSAGES] == 3


def test_destruction_record_date_range_covers_received_dates(time_machine):
    time_machine.move_to("2026-06-15 12:00:00-05:00", tick=False)
    early = ReadMessageFactory(received_at=clock.now() - timedelta(days=10))
    late = ReadMessageFactory(received_at=clock.now() - timedelta(days=2))
    outcome = run()
    record = DestructionRecord.objects.get(run_id=outcome.run_id)
    assert record.first_date == date(2026, 6, 5)
    assert record.last_date == date(2026, 6, 13)
    assert record.ids_sha256 == expected_digest([early.pk, late.pk])


def test_a_second_run_destroys_nothing_and_logs_nothing():
    ReadMessageFactory.create_batch(2)
    first = run()
    second = run()
    assert first.counts[Series.MESSAGES] == 2
    assert second.counts[Series.MESSAGES] == 0
    assert DestructionRecord.objects.filter(run_id=second.run_id).count() == 0
    assert DestructionRecord.objects.count() == 1


def test_destroyed_messages_leave_no_personal_data_in_the_audit_trail(manager):
    from retention.services import message_create

    account = AccountFactory()
    message = message_create(
        account=account,
        platform_message_id="fb-1",
        received_at=clock.now() - timedelta(hours=2),
        sender_handle="jane.resident",
        body="My address is 12 Elm St",
        by=manager,
    )
    Message.objects.filter(pk=message.pk).update(read_at=clock.now(), read_by=manager)
    event = audit.events_for(message).get(action="message.created")
    assert event.personal == {"sender_handle": "jane.resident"}
    run()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.personal is None
    assert event.redacted_at is not None
    assert AuditEvent.objects.filter(action="audit.redacted").exists()
    # Nothing in the trail still names the sender or quotes the message.
    dump = " ".join(
        f"{e.target_label} {e.data} {e.personal} {e.reason}"
        for e in AuditEvent.objects.all()
    )
    assert "jane.resident" not in dump
    assert "Elm St" not in dump
    assert list(audit.verify_chain()) == []


# --- What keeps a message ------------------------------------------------------


def _hold(**scope):
    officer = UserFactory()
    accounts = scope.pop("accounts", [])
    hold = LegalHold.objects.create(
        title="Smith v. City", reason="litigation", placed_by=officer, **scope
    )
    hold.accounts.set(accounts)
    return hold


def test_a_hold_on_an_account_keeps_its_read_messages_until_released():
    held_account = AccountFactory()
    held = ReadMessageFactory(account=held_account)
    other = ReadMessageFactory()
    hold = _hold(accounts=[held_account])
    outcome = run()
    assert_intact(held)
    assert_destroyed(other, outcome.run_id)
    hold.released_at = clock.now()
    hold.released_by = hold.placed_by
    hold.release_reason = "settled"
    hold.save()
    outcome = run()
    assert_destroyed(held, outcome.run_id)


def test_a_hold_on_a_sender_matches_regardless_of_case():
    held = ReadMessageFactory(sender_handle="Pat.Doe")
    other = ReadMessageFactory(sender_handle="someone.else")
    _hold(sender_handle="pat.doe")
    outcome = run()
    assert_intact(held)
    assert_destroyed(other, outcome.run_id)


def test_a_hold_on_dates_keeps_both_ends_of_the_range_and_nothing_outside(
    time_machine,
):
    time_machine.move_to("2026-03-20 12:00:00-05:00", tick=False)

    def at(day, hour):
        # The city's local time: holds are dated in the city's calendar.
        return timezone.make_aware(datetime(2026, 3, day, hour, 59))

    before = ReadMessageFactory(received_at=at(9, 23))
    first_day = ReadMessageFactory(received_at=at(10, 0) - timedelta(minutes=59))
    last_day = ReadMessageFactory(received_at=at(12, 23))
    after = ReadMessageFactory(received_at=at(13, 0))
    _hold(date_from=date(2026, 3, 10), date_to=date(2026, 3, 12))
    outcome = run()
    assert_intact(first_day)
    assert_intact(last_day)
    assert_destroyed(before, outcome.run_id)
    assert_destroyed(after, outcome.run_id)


@pytest.mark.parametrize(
    "scope,time_zone",
    [
        ({"date_from": date(2026, 3, 1), "date_to": date.max}, "America/Chicago"),
        ({"date_from": date.min, "date_to": date(2026, 3, 31)}, "Pacific/Auckland"),
        ({"date_from": date.min, "date_to": date.max}, "America/Chicago"),
    ],
    ids=["to-9999-12-31", "from-0001-01-01-east-of-utc", "whole-calendar"],
)
def test_a_hold_to_the_end_of_the_calendar_keeps_its_messages_and_the_run_works(
    time_machine, settings, scope, time_zone
):
    # A Records Officer may date a hold "to 9999-12-31" (until further notice):
    # the day after it does not exist, and the run used to fail on it
    # (OverflowError), destroying nothing at all (R3). East of UTC, the first
    # moment of 0001-01-01 is before year 1 in UTC: the same failure.
    settings.TIME_ZONE = time_zone
    time_machine.move_to("2026-04-20 12:00:00-05:00", tick=False)
    held = ReadMessageFactory(
        received_at=timezone.make_aware(datetime(2026, 3, 15, 12, 0))
    )
    _hold(**scope)
    outcome = run()
    assert outcome.status == "finished", outcome.errors
    assert_intact(held)
    (preview,) = [p for p in purge_preview() if p.key == Series.MESSAGES]
    assert "cannot be checked" not in preview.note
    assert preview.held == 1


def test_a_hold_on_other_series_does_not_keep_messages():
    message = ReadMessageFactory()
    _hold(accounts=[message.account], series=[Series.APPEALS])
    outcome = run()
    assert_destroyed(message, outcome.run_id)


def test_a_hold_on_the_whole_series_keeps_every_message():
    messages = ReadMessageFactory.create_batch(2)
    _hold(series=[Series.MESSAGES])
    outcome = run()
    assert outcome.counts[Series.MESSAGES] == 0
    for message in messages:
        assert_intact(message)
    (preview,) = [p for p in purge_preview() if p.key == Series.MESSAGES]
    assert preview.would_destroy == 0
    assert preview.held == 2
    assert "legal hold" in preview.note


def test_messages_received_in_a_disaster_period_are_kept(time_machine):
    time_machine.move_to("2026-07-01 12:00:00-05:00", tick=False)
    account = AccountFactory()
    start = clock.now() - timedelta(days=5)
    end = clock.now() - timedelta(days=2)
    period = DisasterPeriod.objects.create(
        name="Flood", starts_at=start, ends_at=end, declared_by=UserFactory()
    )
    period.accounts.set([account])
    at_start = ReadMessageFactory(account=account, received_at=start)
    inside = ReadMessageFactory(account=account, received_at=start + timedelta(days=1))
    at_end = ReadMessageFactory(account=account, received_at=end)
    before = ReadMessageFactory(
        account=account, received_at=start - timedelta(seconds=1)
    )
    other_account = ReadMessageFactory(received_at=start + timedelta(days=1))
    outcome = run()
    assert_intact(at_start)
    assert_intact(inside)
    for message in (at_end, before, other_account):
        assert_destroyed(message, outcome.run_id)


def test_an_open_ended_disaster_period_keeps_everything_since_its_start():
    account = AccountFactory()
    period = DisasterPeriod.objects.create(
        name="Tornado",
        starts_at=clock.now() - timedelta(days=1),
        declared_by=UserFactory(),
    )
    period.accounts.set([account])
    kept = ReadMessageFactory(account=account)
    run()
    assert_intact(kept)


def test_disaster_messages_go_after_their_business_records_period(
    time_machine, schedule
):
    time_machine.move_to("2026-07-01 12:00:00-05:00", tick=False)
    account = AccountFactory()
    start = clock.now() - timedelta(days=3 * 365 + 10)
    period = DisasterPeriod.objects.create(
        name="Flood of 2023",
        starts_at=start,
        ends_at=start + timedelta(days=20),
        declared_by=UserFactory(),
    )
    period.accounts.set([account])
    old = MessageFactory(account=account, received_at=start + timedelta(days=1))
    recent = MessageFactory(account=account, received_at=start + timedelta(days=19))
    schedule(
        Series.DISASTER_MESSAGES,
        years=3,
        schedule_item="GS 1-23 (city schedule)",
        destruction_enabled=True,
    )
    time_machine.move_to(start + timedelta(days=3 * 365 + 15), tick=False)
    outcome = run()
    assert outcome.counts[Series.DISASTER_MESSAGES] == 1
    assert_destroyed(old, outcome.run_id)
    assert_intact(recent)
    record = DestructionRecord.objects.get(
        run_id=outcome.run_id, series=Series.DISASTER_MESSAGES
    )
    assert record.schedule_item == "GS 1-23 (city schedule)"
    assert record.ids_sha256 == expected_digest([old.pk])


def test_a_flagged_business_request_is_kept_until_its_follow_up_is_recorded(
    manager,
):
    waiting = ReadMessageFactory(
        follow_up_flagged_at=clock.now(), follow_up_flagged_by=manager
    )
    followed = ReadMessageFactory(
        follow_up_flagged_at=clock.now(),
        follow_up_flagged_by=manager,
        follow_up_at=clock.now(),
        follow_up_by=manager,
        follow_up_channel=followups.Channel.PHONE,
    )
    outcome = run()
    assert_intact(waiting)
    assert_destroyed(followed, outcome.run_id)


def test_destruction_off_for_the_series_destroys_nothing(schedule):
    message = ReadMessageFactory()
    schedule(Series.MESSAGES, destruction_enabled=False)
    outcome = run()
    assert Series.MESSAGES not in outcome.counts
    assert_intact(message)


# --- Control ---------------------------------------------------------------------


def test_the_pause_setting_stops_all_destruction(settings):
    message = ReadMessageFactory()
    settings.RETENTION_PURGE_PAUSED = True
    assert run().status == "paused"
    with pytest.raises(CommandError, match="paused"):
        call_command("purge")
    assert_intact(message)
    assert not PurgeRun.objects.exists()


@contextmanager
def lock_held_by_another_run():
    """Hold the purge lock as another process would (its own connection)."""
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [purge_module.RUN_LOCK_KEY])
            yield
            # Released now: on close the server lets go only once it notices, and
            # the test's next run could beat it (a flaky "busy").
            other.execute("SELECT pg_advisory_unlock(%s)", [purge_module.RUN_LOCK_KEY])
        return
    with purge_lock() as acquired:
        assert acquired
        yield


def test_a_run_while_another_holds_the_lock_does_nothing():
    message = ReadMessageFactory()
    with lock_held_by_another_run():
        assert run().status == "busy"
        with pytest.raises(CommandError, match="in progress"):
            call_command("purge")
    assert_intact(message)
    assert run().status == "finished"


def test_dry_run_shows_what_would_go_and_destroys_nothing(capsys):
    read = ReadMessageFactory.create_batch(3)
    held = ReadMessageFactory()
    _hold(accounts=[held.account])
    MessageFactory()
    call_command("purge", "--dry-run")
    out = capsys.readouterr().out
    assert "Social media messages: would destroy 3" in out
    assert "1 kept by legal holds" in out
    assert "Dry run" in out
    for message in read:
        assert_intact(message)
    assert not PurgeRun.objects.exists()


def test_the_command_runs_the_purge_now(capsys):
    ReadMessageFactory.create_batch(2)
    call_command("purge", "--batch-size", "1")
    assert "2 destroyed" in capsys.readouterr().out
    assert Message.objects.filter(destroyed_at__isnull=False).count() == 2


@pytest.mark.parametrize("option", ["--batch-size", "--limit"])
def test_the_command_refuses_a_zero_size(option):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge", option, "0")


def test_limit_leaves_the_rest_for_the_next_run():
    ReadMessageFactory.create_batch(5)
    first = run(limit=3, batch_size=2)
    assert first.counts[Series.MESSAGES] == 3
    second = run()
    assert second.counts[Series.MESSAGES] == 2


# --- Faults ----------------------------------------------------------------------


def _fail_on_batch(n, exc):
    real = purge_runs._destroy_batch
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        pairs = real(*args, **kwargs)
        if calls["n"] == n:
            # After the batch's rows were changed, before its transaction commits.
            raise exc
        return pairs

    return mock.patch.object(purge_runs, "_destroy_batch", wrapper)


def test_a_killed_run_leaves_no_half_destroyed_batch_and_the_next_run_finishes():
    messages = ReadMessageFactory.create_batch(5)
    with _fail_on_batch(2, KeyboardInterrupt()), pytest.raises(KeyboardInterrupt):
        run(batch_size=2)
    killed = PurgeRun.objects.get()
    assert killed.status == PurgeRun.Status.RUNNING
    destroyed = list(Message.objects.filter(destroyed_at__isnull=False))
    # The first batch committed whole; the second rolled back whole.
    assert {m.pk for m in destroyed} == {messages[0].pk, messages[1].pk}
    for message in messages[2:]:
        assert_intact(message)
    outcome = run(batch_size=2)
    killed.refresh_from_db()
    assert killed.status == PurgeRun.Status.INTERRUPTED
    assert killed.destroyed_total == 2
    record = DestructionRecord.objects.get(run=killed)
    assert record.item_count == 2
    assert record.ids_sha256 == expected_digest([messages[0].pk, messages[1].pk])
    assert outcome.counts[Series.MESSAGES] == 3
    for message in messages[2:]:
        assert_destroyed(message, outcome.run_id)
    assert DestructionRecord.objects.get(run_id=outcome.run_id).item_count == 3


def test_a_database_error_mid_run_is_recorded_and_the_next_run_finishes():
    messages = ReadMessageFactory.create_batch(4)
    with _fail_on_batch(2, OperationalError("server closed the connection")):
        outcome = run(batch_size=2)
    assert outcome.status == "failed"
    assert "server closed the connection" in outcome.errors[0]
    failed = PurgeRun.objects.get(pk=outcome.run_id)
    assert failed.status == PurgeRun.Status.FAILED
    assert "OperationalError" in failed.errors
    assert DestructionRecord.objects.get(run=failed).item_count == 2
    for message in messages[2:]:
        assert_intact(message)
    second = run()
    assert second.counts[Series.MESSAGES] == 2


def test_the_destruction_log_cannot_be_changed_or_deleted():
    ReadMessageFactory()
    run()
    record = DestructionRecord.objects.get()
    record.item_count = 0
    with pytest.raises(ImmutableError):
        record.save()
    with pytest.raises(ImmutableError):
        record.delete()
    with pytest.raises(ImmutableError):
        DestructionRecord.objects.update(item_count=0)
    with pytest.raises(ImmutableError):
        DestructionRecord.objects.all().delete()


def test_audit_event_personal_data_goes_after_its_period(time_machine, schedule):
    from accounts.models import Department

    time_machine.move_to("2020-01-10 12:00:00-06:00", tick=False)
    department = Department.objects.create(name="Parks")
    old = audit.record_event(
        action="test.old", target=department, personal={"name": "Old Resident"}
    )
    time_machine.move_to("2024-01-10 12:00:00-06:00", tick=False)
    recent = audit.record_event(
        action="test.recent", target=department, personal={"name": "New Resident"}
    )
    schedule(
        Series.AUDIT_EVENTS, years=3, schedule_item="ADM 00-1", destruction_enabled=True
    )
    outcome = run()
    assert outcome.counts[Series.AUDIT_EVENTS] == 1
    assert AuditEvent.objects.get(pk=old.pk).personal is None
    assert AuditEvent.objects.get(pk=recent.pk).personal == {"name": "New Resident"}
    assert list(audit.verify_chain()) == []


def test_the_task_time_limit_stops_the_run_cleanly():
    from celery.exceptions import SoftTimeLimitExceeded

    messages = ReadMessageFactory.create_batch(4)
    with _fail_on_batch(2, SoftTimeLimitExceeded()):
        outcome = run(batch_size=2)
    assert outcome.status == "failed"
    assert "time limit" in outcome.errors[0]
    stopped = PurgeRun.objects.get(pk=outcome.run_id)
    assert stopped.status == PurgeRun.Status.FAILED
    assert DestructionRecord.objects.get(run=stopped).item_count == 2
    for message in messages[2:]:
        assert_intact(message)
    assert run().counts[Series.MESSAGES] == 2
