"""One immutability mechanism for the destruction log (R4).

The hand-written trigger of ``retention.0002`` is replaced by the triggers of
``core.immutable`` declared in ``DestructionRecord.Meta`` (django-pgtrigger),
which also refuse TRUNCATE.
"""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


def _old():
    return importlib.import_module(
        "retention.migrations.0002_schedule_rows_and_log_trigger"
    )


def drop_old_trigger(apps, schema_editor):
    _old().unseed(apps, schema_editor)


def restore_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_old().TRIGGER)


class Migration(migrations.Migration):

    dependencies = [
        ('retention', '0003_message_purge_write_cost'),
    ]

    operations = [
        migrations.RunPython(drop_old_trigger, restore_old_trigger),
        pgtrigger.migrations.AddTrigger(
            model_name='destructionrecord',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='3e4752eab26e0527267b6f0de696179b4921f271', operation='UPDATE', pgid='pgtrigger_append_only_fixed_fe7f7', table='retention_destructionrecord', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='destructionrecord',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='c233cf1dbe532866ab75852e57c80b1fa9b14086', operation='DELETE', pgid='pgtrigger_append_only_delete_9817e', table='retention_destructionrecord', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='destructionrecord',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='afe5924edb1be6236d46446b4f4a6ca7dcf06700', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_377a3', table='retention_destructionrecord', when='BEFORE')),
        ),
    ]
