"""Sign every audit event with the audit key (HMAC-SHA256 of its chain hash).

Events recorded before this migration are signed here, with the AUDIT_HMAC_KEY
configured when it runs: from then on an unsigned event is a forgery, so nobody can
pass off a rewritten event as one from before the key existed. On PostgreSQL the
append-only trigger is switched off for this one update, inside the migration's
transaction; afterwards it refuses a change to the signature, as to every column
but the redactable personal data.
"""

from django.conf import settings
from django.db import migrations, models

from core.migrations._audit_v1 import key_id, sign

BATCH = 2000


def sign_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    connection = schema_editor.connection
    key = settings.AUDIT_HMAC_KEY
    postgres = connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
        )
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            rows = list(
                AuditEvent.objects.filter(pk__gt=last_id, hmac="")
                .order_by("pk")
                .values_list("pk", "hash")[:BATCH]
            )
            if not rows:
                break
            cursor.executemany(
                "UPDATE core_auditevent SET hmac_key_id = %s, hmac = %s WHERE id = %s",
                [(key_id(key), sign(event_hash, key), pk) for pk, event_hash in rows],
            )
            last_id = rows[-1][0]
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only"
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditevent_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hmac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hmac_key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(sign_existing_events, migrations.RunPython.noop),
    ]
