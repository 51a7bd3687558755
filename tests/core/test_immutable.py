"""One immutability mechanism (core.immutable) on every append-only
table: the audit trail, removal records (P20, R2), the destruction log (R4) and
published notice versions (P15, P23). Each refuses a change, a deletion and (on
PostgreSQL) a TRUNCATE; only the retention purge's one escape may redact or
destroy, and only what each record's rule allows."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from core import audit, clock
from core.immutable import ImmutableError, retention_purge
from core.models import AuditEvent
from moderation.models import (
    RemovalAmendment,
    RemovalDecision,
    RemovalDecisionCategory,
    RemovalEvidence,
)
from notices.models import DocumentVersion
from retention.models import DestructionRecord, PurgeRun
from tests.accounts.factories import UserFactory
from tests.moderation.factories import RemovalAmendmentFactory, RemovalDecisionFactory

pytestmark = pytest.mark.django_db

# model: may the retention purge delete its records?
APPEND_ONLY = {
    AuditEvent: False,
    RemovalDecision: True,
    RemovalDecisionCategory: True,
    RemovalAmendment: True,
    RemovalEvidence: True,
    DestructionRecord: False,
    DocumentVersion: False,
}


def _record(model):
    """Create one record of ``model`` as the product does."""
    if model is AuditEvent:
        return audit.record_event(action="test.recorded")
    if model is RemovalDecision:
        return RemovalDecisionFactory()
    if model is RemovalDecisionCategory:
        # Two: the decision keeps one when the purge test deletes this one (P21).
        return RemovalDecisionFactory(categories=(7, 8)).category_links.first()
    if model is RemovalAmendment:
        return RemovalAmendmentFactory()
    if model is RemovalEvidence:
        decision = RemovalDecisionFactory()
        return RemovalEvidence.objects.create(
            decision=decision,
            file="moderation/evidence/2026/11/x.png",
            kind="png",
            size=1,
            sha256="0" * 64,
            added_by=decision.removed_by,
        )
    if model is DestructionRecord:
        return DestructionRecord.objects.create(
            run=PurgeRun.objects.create(trigger=PurgeRun.Trigger.COMMAND),
            series="messages",
            schedule_item="GS 01-1",
            rule="until read",
            item_count=1,
            ids_sha256="0" * 64,
        )
    return DocumentVersion.objects.create(
        kind=DocumentVersion.Kind.NOTICE,
        number=1,
        status=DocumentVersion.Status.PUBLISHED,
        title="Notice",
        sections=[],
        content_hash="0" * 64,
        generator_version=1,
        published_at=clock.now(),
        published_by=UserFactory(),
    )


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _truncate(model) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL refuses to empty a table whose new rows' foreign keys are not
        # checked yet: check them now, as a commit would.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE"
        )


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.label)
def test_truncate_is_refused_even_in_the_purge(postgres, model):
    record = _record(model)
    with pytest.raises(DatabaseError, match="Cannot truncate"):
        _truncate(model)
    with retention_purge(), pytest.raises(DatabaseError, match="Cannot truncate"):
        _truncate(model)
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.label)
def test_update_and_delete_are_refused_in_python_on_every_database(model):
    record = _record(model)
    rows = model.objects.filter(pk=record.pk)
    with pytest.raises(ImmutableError, match="cannot be deleted"):
        record.delete()
    with pytest.raises(ImmutableError, match="cannot be deleted"):
        rows.delete()
    with pytest.raises(ImmutableError, match="id cannot be changed"):
        rows.update(id=record.pk + 1000)
    assert rows.exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.label)
def test_update_and_delete_are_refused_below_the_application(postgres, model):
    record = _record(model)
    table = connection.ops.quote_name(model._meta.db_table)
    with pytest.raises(DatabaseError, match="Cannot delete rows"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(f"UPDATE {table} SET id = id + 1000 WHERE id = %s", [record.pk])
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize(
    ("model", "purge_deletes"), APPEND_ONLY.items(), ids=lambda m: str(m)
)
def test_the_purge_escape_deletes_only_what_the_rule_lets_it(model, purge_deletes):
    record = _record(model)
    rows = model.objects.filter(pk=record.pk)
    with retention_purge():
        with pytest.raises(ImmutableError, match="id cannot be changed"):
            rows.update(id=record.pk + 1000)
        if purge_deletes:
            rows.delete()
        else:
            with pytest.raises(ImmutableError, match="cannot be deleted"):
                rows.delete()
    assert rows.exists() is not purge_deletes


@pytest.mark.parametrize(
    ("model", "purge_deletes"), APPEND_ONLY.items(), ids=lambda m: str(m)
)
def test_the_purge_escape_works_below_the_application_too(
    postgres, model, purge_deletes
):
    record = _record(model)
    table = connection.ops.quote_name(model._meta.db_table)
    delete = f"DELETE FROM {table} WHERE id = %s"
    with retention_purge():
        if model is RemovalDecision:  # its categories go with it (P21)
            _raw(
                "DELETE FROM moderation_removaldecisioncategory WHERE decision_id = %s",
                [record.pk],
            )
        if purge_deletes:
            _raw(delete, [record.pk])
        else:
            with pytest.raises(DatabaseError, match="Cannot delete rows"):
                _raw(delete, [record.pk])
    assert model.objects.filter(pk=record.pk).exists() is not purge_deletes
    if not purge_deletes:
        # Still refused once the block is over.
        with pytest.raises(DatabaseError, match="Cannot delete rows"):
            _raw(delete, [record.pk])


def test_audit_redaction_only_in_the_purge_even_below_the_application(postgres):
    event = audit.record_event(action="test.recorded", personal={"name": "A Resident"})
    redact = "UPDATE core_auditevent SET personal = NULL WHERE id = %s"
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(redact, [event.pk])
    with retention_purge():
        _raw(redact, [event.pk])
        with pytest.raises(DatabaseError, match="Cannot update rows"):
            _raw("UPDATE core_auditevent SET hmac = '' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.personal is None and event.hmac
