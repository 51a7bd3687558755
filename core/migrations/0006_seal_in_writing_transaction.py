"""Seal audit events as they are recorded; one immutability mechanism.

``core.audit.record_event`` now seals each event into the chain in the writing
transaction, so the sealing job, the origin signature of unsealed events
(``origin_mac``, ``uid``) and their index go. Any event the job had not sealed yet
is sealed here first, in the order it was recorded, if its origin signature holds;
a row that was never recorded by this application stops the migration (it must
not be laundered into the chain).

The hand-written append-only trigger of ``core.0002``/``core.0004`` is replaced by
the triggers of ``core.immutable`` (django-pgtrigger), which also refuse TRUNCATE.
Going back restores the old trigger and gives every event a fresh ``uid`` and an
origin signature with the key configured then.
"""

import uuid

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from core.migrations._audit_v1 import (
    GENESIS_HASH,
    content_digest,
    event_hash,
    key_id,
    origin_valid,
    sign,
    sign_origin,
)

BATCH = 2000

OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    chain text[] := ARRAY['sequence', 'prev_hash', 'hash', 'hmac_key_id', 'hmac'];
    fixed_new jsonb := to_jsonb(NEW) - 'personal' - 'redacted_at';
    fixed_old jsonb := to_jsonb(OLD) - 'personal' - 'redacted_at';
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted';
    END IF;
    IF OLD.sequence IS NULL AND NEW.sequence IS NOT NULL THEN
        fixed_new := fixed_new - chain;
        fixed_old := fixed_old - chain;
    END IF;
    IF fixed_new IS DISTINCT FROM fixed_old
       OR (NEW.personal IS NOT NULL AND NEW.personal IS DISTINCT FROM OLD.personal) THEN
        RAISE EXCEPTION 'audit events cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_append_only
BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""


def drop_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent; "
            "DROP FUNCTION IF EXISTS core_auditevent_append_only();",
            params=None,
        )


def restore_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_TRIGGER, params=None)


def seal_unsealed(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    unsealed = list(AuditEvent.objects.filter(sequence__isnull=True).order_by("pk"))
    if not unsealed:
        return
    keys = {
        key_id(key): key
        for key in [settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_OLD_KEYS]
        if key
    }
    forged = [
        e.pk
        for e in unsealed
        if not origin_valid(content_digest(e), e.origin_mac, keys)
    ]
    if forged:
        raise RuntimeError(
            f"Audit event(s) with id {forged} were not recorded by this application "
            "(no valid origin signature) and cannot be sealed into the chain: find "
            "out who wrote them and move them out of core_auditevent before "
            "migrating (docs/audit.md)."
        )
    head = (
        AuditEvent.objects.filter(sequence__isnull=False).order_by("-sequence").first()
    )
    sequence = head.sequence if head else 0
    prev_hash = head.hash if head else GENESIS_HASH
    key = settings.AUDIT_HMAC_KEY
    rows = []
    for event in unsealed:
        sequence += 1
        event.sequence, event.prev_hash = sequence, prev_hash
        event.hash = event_hash(event)
        rows.append(
            (sequence, prev_hash, event.hash, key_id(key), sign(event.hash, key), event.pk)
        )
        prev_hash = event.hash
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE core_auditevent SET sequence = %s, prev_hash = %s, hash = %s, "
            "hmac_key_id = %s, hmac = %s WHERE id = %s",
            rows,
        )


def sign_origins_again(apps, schema_editor):
    """Going back: give every event the uid and origin signature the old schema
    expects (the old trigger is not back yet at this point)."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    connection = schema_editor.connection
    uid_field = AuditEvent._meta.get_field("uid")
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            events = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:BATCH])
            if not events:
                break
            for event in events:
                event.uid = uuid.uuid4()
            cursor.executemany(
                "UPDATE core_auditevent SET uid = %s, origin_mac = %s WHERE id = %s",
                [
                    (
                        uid_field.get_db_prep_value(e.uid, connection),
                        sign_origin(content_digest(e), settings.AUDIT_HMAC_KEY),
                        e.pk,
                    )
                    for e in events
                ],
            )
            last_id = events[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_outbox'),
    ]

    operations = [
        migrations.RunPython(drop_old_trigger, restore_old_trigger),
        migrations.RunPython(seal_unsealed, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='auditevent',
            name='core_auditevent_uid',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='core_auditevent_unsealed',
        ),
        # Going back, the uid comes back empty and is filled in before it is
        # made required and unique again.
        migrations.AlterField(
            model_name='auditevent',
            name='uid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(migrations.RunPython.noop, sign_origins_again),
        migrations.RemoveField(
            model_name='auditevent',
            name='origin_mac',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='uid',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hmac',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hmac_key_id',
            field=models.CharField(max_length=16),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."action" IS DISTINCT FROM (NEW."action") OR OLD."actor_id" IS DISTINCT FROM (NEW."actor_id") OR OLD."actor_label" IS DISTINCT FROM (NEW."actor_label") OR OLD."data" IS DISTINCT FROM (NEW."data") OR OLD."hash" IS DISTINCT FROM (NEW."hash") OR OLD."hmac" IS DISTINCT FROM (NEW."hmac") OR OLD."hmac_key_id" IS DISTINCT FROM (NEW."hmac_key_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."ip_address" IS DISTINCT FROM (NEW."ip_address") OR OLD."occurred_at" IS DISTINCT FROM (NEW."occurred_at") OR OLD."personal_digest" IS DISTINCT FROM (NEW."personal_digest") OR OLD."prev_hash" IS DISTINCT FROM (NEW."prev_hash") OR OLD."reason" IS DISTINCT FROM (NEW."reason") OR OLD."sequence" IS DISTINCT FROM (NEW."sequence") OR OLD."target_id" IS DISTINCT FROM (NEW."target_id") OR OLD."target_label" IS DISTINCT FROM (NEW."target_label") OR OLD."target_type_id" IS DISTINCT FROM (NEW."target_type_id"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='49c71b534cd8e000e36402e479167b1d9f542e48', operation='UPDATE', pgid='pgtrigger_append_only_fixed_f2f96', table='core_auditevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_redact', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."personal" IS DISTINCT FROM (NEW."personal") OR OLD."redacted_at" IS DISTINCT FROM (NEW."redacted_at"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='ed3100b52d169dc1a75d6b484582a40018ca3ec7', operation='UPDATE', pgid='pgtrigger_append_only_redact_c7a07', table='core_auditevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='f33bf1b293428ffaa1915489be9a016bac60cb33', operation='DELETE', pgid='pgtrigger_append_only_delete_63729', table='core_auditevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='fb800f78144607b07aea109e6ae340ff53097df7', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_7fa87', table='core_auditevent', when='BEFORE')),
        ),
    ]
