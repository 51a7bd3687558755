"""One immutability mechanism for notice and policy versions (P15, P23).

The hand-written triggers of ``notices.0002`` (on PostgreSQL, and the update
trigger on SQLite) are replaced by the rule of ``core.immutable`` declared in
``DocumentVersion.Meta``: django-pgtrigger triggers on PostgreSQL (TRUNCATE
refused too), and the model and queryset layer on every database.
"""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


def _old():
    return importlib.import_module("notices.migrations.0002_documentversion_frozen")


def drop_old_triggers(apps, schema_editor):
    _old().backward(apps, schema_editor)


def restore_old_triggers(apps, schema_editor):
    # notices.0003 had already dropped SQLite's delete trigger.
    old = _old()
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(old.PG_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(old.SQLITE_FORWARD[0])


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0004_policy_acknowledgment'),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN ((NOT (OLD."status" = \'draft\')) AND ((((OLD."content_hash" IS DISTINCT FROM (NEW."content_hash") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."generator_version" IS DISTINCT FROM (NEW."generator_version") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."number" IS DISTINCT FROM (NEW."number") OR OLD."published_at" IS DISTINCT FROM (NEW."published_at") OR OLD."published_by_id" IS DISTINCT FROM (NEW."published_by_id") OR OLD."sections" IS DISTINCT FROM (NEW."sections") OR OLD."title" IS DISTINCT FROM (NEW."title"))) OR ((((OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."superseded_at" IS DISTINCT FROM (NEW."superseded_at"))) AND (NOT (NEW."status" = \'superseded\' AND OLD."status" = \'published\')))))))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='fe29e86d34158fa48711721298f0d93cd48945ce', operation='UPDATE', pgid='pgtrigger_append_only_fixed_609e0', table='notices_documentversion', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (NOT (OLD."status" = \'draft\'))', func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='b3f0e23b49a28c4787184711aa8fdca998dd97c3', operation='DELETE', pgid='pgtrigger_append_only_delete_67d20', table='notices_documentversion', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='bb070ed8ec9ffebfbf3976ec0972c52f5f3ebf68', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_a5218', table='notices_documentversion', when='BEFORE')),
        ),
    ]
