from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from accounts.models import Department
from core import audit, audit_signing, clock
from core.models import AuditEvent, AuditImmutableError

KEY_A = "a" * 40
KEY_B = "b" * 40

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    """Record ``n`` events and seal them, as the sealing job does."""
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
    audit.seal_events()
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


def test_recording_writes_one_unsealed_signed_row_and_sealing_chains_it():
    department = Department.objects.create(name="Parks")
    with CaptureQueriesContext(connection) as queries:
        event = audit.record_event(action="test.changed", target=department)
    # One INSERT (the content type is cached): no chain lock, no read of the head.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    event.refresh_from_db()
    assert event.sequence is None and event.hash == "" and event.origin_mac
    assert list(audit.verify_chain()) == []  # recent: not a problem yet
    assert audit.seal_events() == 1
    event.refresh_from_db()
    assert event.sequence == 1 and event.prev_hash == audit.GENESIS_HASH
    assert event.hmac == audit_signing.sign(event.hash, settings.AUDIT_HMAC_KEY)
    assert audit.seal_events() == 0
    assert list(audit.verify_chain()) == []


def test_an_event_left_unsealed_too_long_is_reported(settings, time_machine):
    settings.AUDIT_SEAL_GRACE_MINUTES = 15
    time_machine.move_to("2026-11-20 12:00:00+00:00", tick=False)
    event = audit.record_event(action="test.changed")
    time_machine.move_to("2026-11-20 12:14:00+00:00", tick=False)
    assert list(audit.verify_chain()) == []
    time_machine.move_to("2026-11-20 12:16:00+00:00", tick=False)
    (problem,) = audit.verify_chain()
    assert problem.where == f"unsealed event id {event.pk}"
    assert "sealing job" in problem.problem


def test_verify_audit_seals_new_events_first(capsys):
    audit.record_event(action="test.changed")
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "Sealed 1 new event(s)" in out and "intact" in out
    assert not AuditEvent.objects.filter(sequence__isnull=True).exists()


def test_a_row_inserted_behind_the_application_is_never_sealed(settings):
    _events(1)
    forged = AuditEvent(
        occurred_at=clock.now(), actor_label="system", action="account.approved"
    )
    forged.save()  # no origin signature: not recorded by core.audit
    other_key = AuditEvent(
        occurred_at=clock.now(), actor_label="system", action="account.approved"
    )
    other_key.origin_mac = f"{audit_signing.key_id(KEY_B)}:{'0' * 64}"
    other_key.save()
    assert audit.seal_events() == 0
    forged.refresh_from_db()
    assert forged.sequence is None
    problems = {p.event_id: p.problem for p in audit.verify_chain()}
    assert problems[forged.pk] == (
        "was not recorded by this application (no origin signature)"
    )
    assert "not configured" in problems[other_key.pk]
    # Events recorded afterwards are sealed as usual, after the forged ones.
    real = audit.record_event(action="test.changed")
    assert audit.seal_events() == 1
    real.refresh_from_db()
    assert real.sequence == 2


def _replay(event_id: int, *, new_uid: bool) -> None:
    """Act as someone who can INSERT into the table: copy a genuine event, origin
    signature included, as a new unsealed row (with its uid, or a fresh one)."""
    uid = (
        "uid"
        if not new_uid
        else (
            "gen_random_uuid()"
            if connection.vendor == "postgresql"
            else "lower(hex(randomblob(16)))"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (uid, occurred_at, actor_id, actor_label, "
            "ip_address, action, target_type_id, target_id, target_label, data, "
            "reason, personal, personal_digest, redacted_at, origin_mac, prev_hash, "
            f"hash, hmac_key_id, hmac) SELECT {uid}, occurred_at, actor_id, "
            "actor_label, ip_address, action, target_type_id, target_id, "
            "target_label, data, reason, personal, personal_digest, redacted_at, "
            "origin_mac, '', '', '', '' FROM core_auditevent WHERE id = %s",
            [event_id],
        )


def test_a_replayed_copy_of_a_genuine_event_is_refused_or_never_sealed():
    department = Department.objects.create(name="Parks")
    granted = audit.record_event(action="access.granted", target=department)
    audit.record_event(action="access.revoked", target=department)
    audit.seal_events()
    # The same uid: the database refuses the copy.
    with pytest.raises(IntegrityError), transaction.atomic():
        _replay(granted.pk, new_uid=False)
    # A fresh uid: its origin signature no longer matches, so it is never sealed.
    _replay(granted.pk, new_uid=True)
    assert audit.seal_events() == 0
    # Reported: the copy's signature, and the two rows that share it.
    assert sorted(p.problem for p in audit.verify_chain()) == [
        "content does not match its origin signature: altered or forged",
        "is a copy of another event (the same origin signature)",
        "is a copy of another event (the same origin signature)",
    ]


@pytest.mark.django_db(transaction=True)
def test_verify_audit_checks_even_while_another_sealer_holds_the_lock(postgres, capsys):
    import psycopg

    audit.record_event(action="test.changed")
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [audit._LOCK_KEY])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            assert audit.seal_events() == 0  # gives way at once
            call_command("verify_audit")  # still checks what is sealed
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        # Released here: closing the connection releases it only once the server
        # has noticed, which the next seal could beat.
        other.execute("SELECT pg_advisory_unlock(%s)", [audit._LOCK_KEY])
    assert "intact" in capsys.readouterr().out
    assert audit.seal_events() == 1


@pytest.mark.django_db(transaction=True)
def test_recording_does_not_wait_for_another_open_transaction(postgres):
    """Two requests that audit at the same time do not queue on each other's
    commit (the chain's lock is taken only by the sealing job)."""
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [audit._LOCK_KEY])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            with transaction.atomic():
                event = audit.record_event(action="test.changed")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other.rollback()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert audit.seal_events() == 1


def test_postgres_trigger_allows_sealing_but_nothing_else(postgres):
    event = audit.record_event(action="test.changed", data={"step": 1})
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        # "Sealing" that also rewrites what the event says is refused.
        c.execute(
            "UPDATE core_auditevent SET sequence = 1, hash = 'x', action = 'y' "
            "WHERE id = %s",
            [event.pk],
        )
    assert audit.seal_events() == 1
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        # Once sealed, the chain columns are fixed too.
        c.execute("UPDATE core_auditevent SET sequence = 7 WHERE id = %s", [event.pk])


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
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.update(action="x")


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
        (2, "content does not match its origin signature: altered or forged"),
    ]
    with pytest.raises(CommandError, match="broken in 2 place"):
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
    assert audit.redact_personal(model=Department, ids=[department.pk]) == 2
    for event in events:
        event.refresh_from_db()
        assert event.personal is None
        assert event.redacted_at is not None
    assert not AuditEvent.objects.filter(personal__isnull=False).exists()
    assert AuditEvent.objects.filter(action="audit.redacted").count() == 1
    assert list(audit.verify_chain()) == []


def test_personal_data_altered_in_place_is_detected():
    (event,) = _events(1)
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute(
            "UPDATE core_auditevent SET personal = %s WHERE id = %s",
            ['{"author": "someone else"}', event.pk],
        )
    assert [p.problem for p in audit.verify_chain()] == ["personal data was altered"]


def test_postgres_trigger_refuses_update_and_delete(postgres):
    (event,) = _events(1)
    for sql in (
        "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
        "UPDATE core_auditevent SET hmac = '' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [event.pk])
    # The retention redaction is the one update the trigger allows.
    AuditEvent.objects.filter(pk=event.pk).update(personal=None)
    event.refresh_from_db()
    assert event.personal is None


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
            event.hash = audit._event_hash(event)
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
        assert audit._event_hash(event) == event.hash
    # ... but the rewritten events' signatures do not match.
    problems = list(audit.verify_chain())
    assert [(p.sequence, p.problem) for p in problems] == [
        (2, "content does not match its origin signature: altered or forged"),
        (2, "signature does not match: rewritten without the audit key"),
        (3, "signature does not match: rewritten without the audit key"),
    ]
    with pytest.raises(CommandError, match="broken in 3 place"):
        call_command("verify_audit")


def test_verify_detects_a_rewritten_event_passed_off_as_unsigned():
    _events(3)
    _rewrite_and_recompute(3, reason="rewritten", sign=lambda _hash: ("", ""))
    assert [(p.sequence, p.problem) for p in audit.verify_chain()] == [
        (3, "content does not match its origin signature: altered or forged"),
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
    origin, signature = audit.verify_chain()
    assert origin.sequence == signature.sequence == 2
    assert "altered or forged" in origin.problem
    assert "not configured" in signature.problem and forged in signature.problem


def test_rotated_key_signs_new_events_and_old_ones_still_verify(settings):
    settings.AUDIT_HMAC_KEY = KEY_A
    settings.AUDIT_HMAC_OLD_KEYS = []
    _events(2)
    settings.AUDIT_HMAC_KEY = KEY_B
    settings.AUDIT_HMAC_OLD_KEYS = [KEY_A]
    new = audit.record_event(action="test.after_rotation")
    audit.seal_events()
    new.refresh_from_db()
    assert new.hmac_key_id == audit_signing.key_id(KEY_B)
    assert list(audit.verify_chain()) == []
    # Without the old key, the events it signed can no longer be checked.
    settings.AUDIT_HMAC_OLD_KEYS = []
    # (each one's origin signature and chain signature)
    assert [p.sequence for p in audit.verify_chain()] == [1, 1, 2, 2]


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
            event.hash = audit._event_hash(event)
            event.save()
            prev = event.hash
    finally:
        MigrationExecutor(connection).migrate(latest)
    key_id = audit_signing.key_id(settings.AUDIT_HMAC_KEY)
    assert set(AuditEvent.objects.values_list("hmac_key_id", flat=True)) == {key_id}
    # Migration 0004 signs their origin too, and sealing chains new events after.
    assert not AuditEvent.objects.filter(origin_mac="").exists()
    audit.record_event(action="test.after_signing")
    assert audit.seal_events() == 1
    assert AuditEvent.objects.get(action="test.after_signing").sequence == 4
    assert list(audit.verify_chain()) == []
    if connection.vendor == "postgresql":
        # The trigger is back on, and guards the signatures too.
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE core_auditevent SET hmac = '' WHERE sequence = 1")


@pytest.mark.django_db(transaction=True)
def test_going_back_past_sealing_is_refused_while_events_are_unsealed():
    audit.record_event(action="test.changed")
    # Every app's latest: going back unapplies the apps that depend on core too.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    with pytest.raises(RuntimeError, match=r"not sealed: run manage\.py verify_audit"):
        MigrationExecutor(connection).migrate([("core", "0003_auditevent_hmac")])
    # Nothing was undone.
    MigrationExecutor(connection).migrate(latest)
    assert audit.seal_events() == 1
