import uuid
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Department
from core import audit, audit_signing, clock
from core.immutable import ImmutableError, retention_purge
from core.migrations import _audit_v1
from core.models import AuditEvent

KEY_A = "a" * 40
KEY_B = "b" * 40

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    """Record ``n`` events (each sealed as it is recorded)."""
    department = Department.objects.create(name="Parks")
    events = [
        audit.record_event(
            action="test.changed",
            target=department,
            data={"step": i},
            personal={"author": f"resident {i}"},
        )
        for i in range(n)
    ]
    for event in events:
        event.refresh_from_db()
    return events


def _bypass_append_only_trigger(cursor) -> None:
    """Act as someone with direct database access who skips the trigger."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL session_replication_role = replica")


def test_events_are_chained_in_sequence():
    first, second, third = _events(3)
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert list(audit.verify_chain()) == []


def test_recording_seals_the_event_in_the_writing_transaction(settings):
    department = Department.objects.create(name="Parks")
    with transaction.atomic():
        first = audit.record_event(action="test.changed", target=department)
        # Sealed before the caller's transaction ends: no job, no unsealed window.
        assert first.sequence == 1 and first.prev_hash == audit.GENESIS_HASH
        assert first.hash == audit.event_hash(first)
        assert first.hmac == audit_signing.sign(first.hash, settings.AUDIT_HMAC_KEY)
    second = audit.record_event(action="test.changed", target=department)
    assert (second.sequence, second.prev_hash) == (2, first.hash)
    assert list(audit.verify_chain()) == []


def test_a_rolled_back_event_leaves_no_gap():
    audit.record_event(action="test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record_event(action="test.rolled_back")
        raise RuntimeError("the service failed after recording its event")
    assert audit.record_event(action="test.next").sequence == 2
    assert list(audit.verify_chain()) == []


@pytest.mark.django_db(transaction=True)
def test_recording_takes_the_chain_lock_until_the_transaction_ends(postgres):
    """Two writers never take the same place in the chain: while another
    transaction holds the chain's lock, recording waits for it."""
    import psycopg
    from django.db import OperationalError

    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [audit._LOCK_KEY])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        try:
            with pytest.raises(OperationalError, match="lock timeout"):
                audit.record_event(action="test.changed")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other.rollback()  # releases the lock
    assert audit.record_event(action="test.changed").sequence == 1


def _insert_behind_the_application(*, hmac_from: AuditEvent | None) -> None:
    """Act as someone who can INSERT into the table without the audit key: append
    a row to the chain with a correct sequence, link and hash, and a signature
    copied from a genuine event (or none)."""
    head = AuditEvent.objects.order_by("-sequence")[0]
    forged = AuditEvent(
        sequence=head.sequence + 1,
        occurred_at=clock.now(),
        actor_label="system",
        action="account.approved",
        prev_hash=head.hash,
    )
    forged.hash = audit.event_hash(forged)
    forged.hmac_key_id = hmac_from.hmac_key_id if hmac_from else ""
    forged.hmac = hmac_from.hmac if hmac_from else ""
    forged.save(force_insert=True)


@pytest.mark.parametrize("copied_signature", [False, True])
def test_a_row_inserted_behind_the_application_is_reported(copied_signature):
    (genuine,) = _events(1)
    _insert_behind_the_application(hmac_from=genuine if copied_signature else None)
    problem = (
        "signature does not match: rewritten without the audit key"
        if copied_signature
        else "is not signed with the audit key"
    )
    assert [(p.sequence, p.problem) for p in audit.verify_chain()] == [(2, problem)]


def test_event_records_target_actor_and_changes(city_admin):
    department = Department.objects.create(name="Library")
    event = audit.record_event(
        action="department.renamed",
        target=department,
        actor=city_admin,
        data={"changes": audit.changes({"name": "Libary"}, {"name": "Library"})},
        reason="typo",
    )
    event.refresh_from_db()
    assert event.actor == city_admin
    assert event.actor_label == city_admin.username
    assert event.target_label == "Library"
    assert event.data == {"changes": {"name": ["Libary", "Library"]}}
    assert list(audit.events_for(department)) == [event]


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    (event,) = _events(1)
    event.action = "something.else"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.update(action="x")
    # Not even the retention purge deletes an event or rewrites what it says.
    with retention_purge():
        with pytest.raises(ImmutableError):
            AuditEvent.objects.all().delete()
        with pytest.raises(ImmutableError):
            AuditEvent.objects.update(action="x")
    event.refresh_from_db()
    assert event.action == "test.changed"


def test_verify_detects_an_altered_event():
    _events(3)
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute(
            "UPDATE core_auditevent SET reason = 'rewritten' WHERE sequence = 2"
        )
    problems = list(audit.verify_chain())
    assert [(p.sequence, p.problem) for p in problems] == [
        (2, "content does not match its hash"),
    ]
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")


def test_verify_detects_a_removed_event():
    _events(3)
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute("DELETE FROM core_auditevent WHERE sequence = 2")
    problems = list(audit.verify_chain())
    assert {p.sequence for p in problems} == {3}
    assert any("missing" in p.problem for p in problems)


def test_verify_audit_command_reports_an_intact_trail(capsys):
    _events(2)
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_redaction_clears_personal_data_and_keeps_the_chain_valid():
    events = _events(2)
    department = events[0].target_type.get_object_for_this_type(pk=events[0].target_id)
    with retention_purge():
        assert audit.redact_personal(model=Department, ids=[department.pk]) == 2
    for event in events:
        event.refresh_from_db()
        assert event.personal is None
        assert event.redacted_at is not None
    assert not AuditEvent.objects.filter(personal__isnull=False).exists()
    assert AuditEvent.objects.filter(action="audit.redacted").count() == 1
    assert list(audit.verify_chain()) == []


def test_only_the_retention_purge_redacts_events():
    (event,) = _events(1)
    with pytest.raises(ImmutableError, match="only the retention purge"):
        audit.redact_personal(model=Department, ids=[event.target_id])
    event.refresh_from_db()
    assert event.personal == {"author": "resident 0"}


def test_personal_data_altered_in_place_is_detected():
    (event,) = _events(1)
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute(
            "UPDATE core_auditevent SET personal = %s WHERE id = %s",
            ['{"author": "someone else"}', event.pk],
        )
    assert [p.problem for p in audit.verify_chain()] == ["personal data was altered"]


def _rewrite_and_recompute(
    sequence: int, *, reason: str, sign: Callable[[str], tuple[str, str]] | None = None
) -> None:
    """Act as someone who can write to the database but does not hold the audit
    key: change one event, then recompute the plain SHA-256 chain from it on,
    exactly as core.audit computes it. ``sign(hash)`` gives the rewritten events'
    (key id, hmac); by default they keep the ones they had."""
    prev = (
        AuditEvent.objects.get(sequence=sequence - 1).hash
        if sequence > 1
        else audit.GENESIS_HASH
    )
    rewritten = AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence")
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        for event in list(rewritten):
            if event.sequence == sequence:
                event.reason = reason
            event.prev_hash = prev
            event.hash = audit.event_hash(event)
            key_id, hmac = sign(event.hash) if sign else (event.hmac_key_id, event.hmac)
            cursor.execute(
                "UPDATE core_auditevent SET reason = %s, prev_hash = %s, hash = %s,"
                " hmac_key_id = %s, hmac = %s WHERE id = %s",
                [event.reason, event.prev_hash, event.hash, key_id, hmac, event.pk],
            )
            prev = event.hash


def test_events_are_signed_with_the_audit_key(settings):
    settings.AUDIT_HMAC_KEY = KEY_A
    (event,) = _events(1)
    event.refresh_from_db()
    assert event.hmac_key_id == audit_signing.key_id(KEY_A)
    assert event.hmac == audit_signing.sign(event.hash, KEY_A)
    assert event.hmac != audit_signing.sign(event.hash, KEY_B)
    assert KEY_A not in event.hmac_key_id


def test_verify_detects_a_chain_recomputed_without_the_key():
    _events(3)
    _rewrite_and_recompute(2, reason="rewritten")
    # The plain hash chain alone no longer shows anything wrong ...
    for event in AuditEvent.objects.all():
        assert audit.event_hash(event) == event.hash
    # ... but the rewritten events' signatures do not match.
    problems = list(audit.verify_chain())
    assert [(p.sequence, p.problem) for p in problems] == [
        (2, "signature does not match: rewritten without the audit key"),
        (3, "signature does not match: rewritten without the audit key"),
    ]
    with pytest.raises(CommandError, match="broken in 2 place"):
        call_command("verify_audit")


def test_verify_detects_a_rewritten_event_passed_off_as_unsigned():
    _events(3)
    _rewrite_and_recompute(3, reason="rewritten", sign=lambda _hash: ("", ""))
    assert [(p.sequence, p.problem) for p in audit.verify_chain()] == [
        (3, "is not signed with the audit key"),
    ]


def test_verify_detects_an_event_signed_with_another_key():
    _events(2)
    forged = audit_signing.key_id(KEY_B)
    _rewrite_and_recompute(
        2,
        reason="rewritten",
        sign=lambda event_hash: (forged, audit_signing.sign(event_hash, KEY_B)),
    )
    (signature,) = audit.verify_chain()
    assert signature.sequence == 2
    assert "not configured" in signature.problem and forged in signature.problem


def test_rotated_key_signs_new_events_and_old_ones_still_verify(settings):
    settings.AUDIT_HMAC_KEY = KEY_A
    settings.AUDIT_HMAC_OLD_KEYS = []
    _events(2)
    settings.AUDIT_HMAC_KEY = KEY_B
    settings.AUDIT_HMAC_OLD_KEYS = [KEY_A]
    new = audit.record_event(action="test.after_rotation")
    assert new.hmac_key_id == audit_signing.key_id(KEY_B)
    assert list(audit.verify_chain()) == []
    # Without the old key, the events it signed can no longer be checked.
    settings.AUDIT_HMAC_OLD_KEYS = []
    assert [p.sequence for p in audit.verify_chain()] == [1, 2]


def _migrate(target: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(target)


@pytest.mark.django_db(transaction=True)
def test_migration_signs_the_events_recorded_before_it():
    before = [("core", "0002_auditevent_append_only")]
    # Every app's latest: going back unapplies the apps that depend on core too.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        legacy = executor.loader.project_state(before).apps.get_model(
            "core", "AuditEvent"
        )
        prev = audit.GENESIS_HASH
        for sequence in (1, 2, 3):
            event = legacy(
                sequence=sequence,
                occurred_at=clock.now(),
                actor_label="system",
                action="test.before_signing",
                data={"step": sequence},
                prev_hash=prev,
            )
            event.hash = audit.event_hash(event)
            event.save()
            prev = event.hash
    finally:
        _migrate(latest)
    key_id = audit_signing.key_id(settings.AUDIT_HMAC_KEY)
    assert set(AuditEvent.objects.values_list("hmac_key_id", flat=True)) == {key_id}
    assert audit.record_event(action="test.after_signing").sequence == 4
    assert list(audit.verify_chain()) == []


def _record_the_old_way(legacy, *, origin_key: str) -> None:
    """An event as release 0004 recorded it: signed for its origin, unsealed."""
    event = legacy(
        occurred_at=clock.now(),
        actor_label="system",
        action="test.recorded_unsealed",
        uid=uuid.uuid4(),
    )
    event.origin_mac = _audit_v1.sign_origin(
        _audit_v1.content_digest(event), origin_key
    )
    event.save()


@pytest.mark.django_db(transaction=True)
def test_migration_seals_the_events_the_sealing_job_had_left():
    before = [("core", "0004_audit_sealing")]
    # Every app's latest: going back unapplies the apps that depend on core too.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    sealed = audit.record_event(action="test.sealed_before")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        legacy = executor.loader.project_state(before).apps.get_model(
            "core", "AuditEvent"
        )
        _record_the_old_way(legacy, origin_key=settings.AUDIT_HMAC_KEY)
    finally:
        _migrate(latest)
    event = AuditEvent.objects.get(action="test.recorded_unsealed")
    assert (event.sequence, event.prev_hash) == (2, sealed.hash)
    assert list(audit.verify_chain()) == []


@pytest.mark.django_db(transaction=True)
def test_migration_refuses_to_seal_a_row_the_application_never_recorded():
    before = [("core", "0004_audit_sealing")]
    # Every app's latest: going back unapplies the apps that depend on core too.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    legacy = executor.loader.project_state(before).apps.get_model("core", "AuditEvent")
    try:
        _record_the_old_way(legacy, origin_key=KEY_B)  # not this installation's key
        with pytest.raises(RuntimeError, match="not recorded by this application"):
            _migrate(latest)
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            _bypass_append_only_trigger(cursor)
            cursor.execute("DELETE FROM core_auditevent")
        _migrate(latest)
    assert not AuditEvent.objects.exists()
