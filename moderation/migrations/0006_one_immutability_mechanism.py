"""One immutability mechanism for removal records (P20, P21, R2, R4).

The hand-written triggers of ``moderation.0004`` (and the transaction setting
``citysocial.retention_purge`` they read) are replaced by the triggers of
``core.immutable`` declared in the models' ``Meta`` (django-pgtrigger): the same
rules, the purge's escape through ``pgtrigger.ignore``, and TRUNCATE refused. The
deferred check that a decision has a category (P21) moves to ``Meta`` too.
"""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


def _old():
    return importlib.import_module("moderation.migrations.0004_removal_immutable")


def drop_old_triggers(apps, schema_editor):
    _old().backward(apps, schema_editor)


def restore_old_triggers(apps, schema_editor):
    _old().forward(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0005_removal_search_indexes'),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        pgtrigger.migrations.AddTrigger(
            model_name='removalamendment',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."appeal_id" IS DISTINCT FROM (NEW."appeal_id") OR OLD."appeal_reference" IS DISTINCT FROM (NEW."appeal_reference") OR OLD."decision_id" IS DISTINCT FROM (NEW."decision_id") OR OLD."field" IS DISTINCT FROM (NEW."field") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."made_at" IS DISTINCT FROM (NEW."made_at") OR OLD."made_by_id" IS DISTINCT FROM (NEW."made_by_id") OR OLD."notified_at" IS DISTINCT FROM (NEW."notified_at") OR OLD."notified_via" IS DISTINCT FROM (NEW."notified_via") OR OLD."reason" IS DISTINCT FROM (NEW."reason"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='e3e6e3aa921ee5e81fcf57c1b4539ff8b19aa1e4', operation='UPDATE', pgid='pgtrigger_append_only_fixed_4f9ca', table='moderation_removalamendment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalamendment',
            trigger=pgtrigger.compiler.Trigger(name='append_only_redact', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."new_value" IS DISTINCT FROM (NEW."new_value") OR OLD."notification_text" IS DISTINCT FROM (NEW."notification_text") OR OLD."old_value" IS DISTINCT FROM (NEW."old_value") OR OLD."redacted_at" IS DISTINCT FROM (NEW."redacted_at"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='b11c4f952623a7f5d96c4826f1fec93242d30f2d', operation='UPDATE', pgid='pgtrigger_append_only_redact_ac1ac', table='moderation_removalamendment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalamendment',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='22628d71908965ef1a8f2109673711146165ccb4', operation='DELETE', pgid='pgtrigger_append_only_delete_90555', table='moderation_removalamendment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalamendment',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='d6a2340ff2335695fda653efd328ccb89bb662ee', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_758b2', table='moderation_removalamendment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecision',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."account_id" IS DISTINCT FROM (NEW."account_id") OR OLD."classification" IS DISTINCT FROM (NEW."classification") OR OLD."comment_id" IS DISTINCT FROM (NEW."comment_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."facts" IS DISTINCT FROM (NEW."facts") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."link_to_material" IS DISTINCT FROM (NEW."link_to_material") OR OLD."notice_version_id" IS DISTINCT FROM (NEW."notice_version_id") OR OLD."notified_at" IS DISTINCT FROM (NEW."notified_at") OR OLD."notified_via" IS DISTINCT FROM (NEW."notified_via") OR OLD."platform_action" IS DISTINCT FROM (NEW."platform_action") OR OLD."posted_at" IS DISTINCT FROM (NEW."posted_at") OR OLD."reasoning" IS DISTINCT FROM (NEW."reasoning") OR OLD."removed_at" IS DISTINCT FROM (NEW."removed_at") OR OLD."removed_by_id" IS DISTINCT FROM (NEW."removed_by_id"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='ebdbc7d95907615891332f5036ee0ad3f9a6a1f3', operation='UPDATE', pgid='pgtrigger_append_only_fixed_5b74d', table='moderation_removaldecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecision',
            trigger=pgtrigger.compiler.Trigger(name='append_only_redact', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."author_handle" IS DISTINCT FROM (NEW."author_handle") OR OLD."author_name" IS DISTINCT FROM (NEW."author_name") OR OLD."comment_text" IS DISTINCT FROM (NEW."comment_text") OR OLD."comment_url" IS DISTINCT FROM (NEW."comment_url") OR OLD."notification_text" IS DISTINCT FROM (NEW."notification_text") OR OLD."redacted_at" IS DISTINCT FROM (NEW."redacted_at"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='cdf4bae150f3b74526ae38afa7431a1d2b81d640', operation='UPDATE', pgid='pgtrigger_append_only_redact_cb456', table='moderation_removaldecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecision',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='615ac24ea2fd512ebc6ab39fa3a5422daac67737', operation='DELETE', pgid='pgtrigger_append_only_delete_fa454', table='moderation_removaldecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecision',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='0016d618080087396fa588b20706fb241ef3f319', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_42ca1', table='moderation_removaldecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecision',
            trigger=pgtrigger.compiler.Trigger(name='has_category', sql=pgtrigger.compiler.UpsertTriggerSql(constraint='CONSTRAINT', func="IF EXISTS (SELECT 1 FROM moderation_removaldecision WHERE id = NEW.id) AND NOT EXISTS (SELECT 1 FROM moderation_removaldecisioncategory WHERE decision_id = NEW.id) THEN RAISE EXCEPTION 'removal % has no category (P21: a removal needs at least one)', NEW.id USING ERRCODE = 'check_violation'; END IF; RETURN NULL;", hash='1d744e9a88d45cc9fa67b3482ef1b571b2336462', operation='INSERT', pgid='pgtrigger_has_category_e585b', table='moderation_removaldecision', timing='DEFERRABLE INITIALLY DEFERRED', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecisioncategory',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='129b12979a832e71df5cfd2bc3407d915b89c6a0', operation='UPDATE', pgid='pgtrigger_append_only_fixed_253cf', table='moderation_removaldecisioncategory', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecisioncategory',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='41654753235a149a86738c82cb5285c15dc9ed56', operation='DELETE', pgid='pgtrigger_append_only_delete_57f4d', table='moderation_removaldecisioncategory', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removaldecisioncategory',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='767343677b19835c4bdd5609b9c7f7123426a7ea', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_4e1a2', table='moderation_removaldecisioncategory', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalevidence',
            trigger=pgtrigger.compiler.Trigger(name='append_only_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."added_at" IS DISTINCT FROM (NEW."added_at") OR OLD."added_by_id" IS DISTINCT FROM (NEW."added_by_id") OR OLD."amendment_id" IS DISTINCT FROM (NEW."amendment_id") OR OLD."decision_id" IS DISTINCT FROM (NEW."decision_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."sha256" IS DISTINCT FROM (NEW."sha256") OR OLD."size" IS DISTINCT FROM (NEW."size"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='49c669bc28fed977e680f97e753ca8e7fb462bc4', operation='UPDATE', pgid='pgtrigger_append_only_fixed_5464d', table='moderation_removalevidence', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalevidence',
            trigger=pgtrigger.compiler.Trigger(name='append_only_redact', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."file" IS DISTINCT FROM (NEW."file") OR OLD."original_name" IS DISTINCT FROM (NEW."original_name") OR OLD."redacted_at" IS DISTINCT FROM (NEW."redacted_at"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='41d3906de92722e7a7678a141757f81396c8e358', operation='UPDATE', pgid='pgtrigger_append_only_redact_b4f02', table='moderation_removalevidence', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalevidence',
            trigger=pgtrigger.compiler.Trigger(name='append_only_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='97e83922f8ea041fbe0977f87a385b09a5882dd4', operation='DELETE', pgid='pgtrigger_append_only_delete_091c3', table='moderation_removalevidence', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='removalevidence',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table: its records are append-only', TG_TABLE_NAME;", hash='2c3950920e873be9c6ddd93d012d242e03ac5866', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_19e49', table='moderation_removalevidence', when='BEFORE')),
        ),
    ]
