import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import Department
from core import audit
from core.models import AuditEvent, AuditImmutableError

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    department = Department.objects.create(name="Parks")
    return [
        audit.record_event(
            action="test.changed",
            target=department,
            data={"step": i},
            personal={"author": f"resident {i}"},
        )
        for i in range(n)
    ]


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
    assert [p.sequence for p in problems] == [2]
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
