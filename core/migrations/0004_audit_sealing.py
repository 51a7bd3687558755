"""Record audit events signed and unchained; a job seals them into the chain.

Recording no longer takes the chain's lock inside every request (core.audit). Each
event carries an origin signature from the moment it is recorded; the events
recorded before this migration are signed here with the AUDIT_HMAC_KEY configured
now (they are already sealed). On PostgreSQL the append-only trigger now also
allows the one change sealing makes: an unsealed event's chain columns are set
once, and nothing else about it changes.
"""

import django.db.models.deletion
from django.conf import settings
import uuid

from django.db import migrations, models


TRIGGER = """
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
        -- Sealing: the chain columns are set once; what the event says stays.
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
"""

PREVIOUS_TRIGGER = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted';
    END IF;
    IF (to_jsonb(NEW) - 'personal' - 'redacted_at')
       IS DISTINCT FROM (to_jsonb(OLD) - 'personal' - 'redacted_at')
       OR (NEW.personal IS NOT NULL AND NEW.personal IS DISTINCT FROM OLD.personal) THEN
        RAISE EXCEPTION 'audit events cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BATCH = 2000


def sign_existing_events(apps, schema_editor):
    from core.migrations._audit_v1 import content_digest, sign_origin

    AuditEvent = apps.get_model("core", "AuditEvent")
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
        )
    uid_field = AuditEvent._meta.get_field("uid")
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            events = list(
                AuditEvent.objects.filter(pk__gt=last_id, origin_mac="").order_by(
                    "pk"
                )[:BATCH]
            )
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
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only"
        )


def refuse_if_unsealed(apps, schema_editor):
    """Going back needs every event sealed (the old schema has no place for an
    unsealed one): seal them first with manage.py verify_audit."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    unsealed = AuditEvent.objects.filter(sequence__isnull=True).count()
    if unsealed:
        raise RuntimeError(
            f"{unsealed} audit event(s) are not sealed: run manage.py verify_audit "
            "to seal them before going back past core.0004 (an event it cannot "
            "seal was not recorded by this application and must be dealt with)."
        )


def trigger_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def trigger_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_auditevent_hmac'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['-id']},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='origin_mac',
            field=models.CharField(blank=True, max_length=81),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='uid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(max_length=100),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='sequence',
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='target_type',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['action'], name='core_auditevent_action'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('sequence__isnull', True)), fields=['id'], name='core_auditevent_unsealed'),
        ),
        migrations.RunPython(sign_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditevent',
            name='uid',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('uid',), name='core_auditevent_uid'),
        ),
        migrations.RunPython(trigger_forward, trigger_backward),
        # Last, so that going back checks first.
        migrations.RunPython(migrations.RunPython.noop, refuse_if_unsealed),
    ]
