"""On PostgreSQL, make removal records immutable below the application (P20 spirit).

Triggers refuse any UPDATE or DELETE of a decision, its ticked categories, its
amendments and its evidence, except inside a retention purge: a transaction that
ran ``SET LOCAL citysocial.retention_purge = 'on'`` may DELETE rows, and may UPDATE
only the personal columns (passed to the trigger as arguments) and ``redacted_at``
(R2, R4). A deferred constraint trigger refuses, at commit, a decision saved without
any category (P21). SQLite relies on the model and service layers.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION moderation_immutable() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('citysocial.retention_purge', true), '') <> 'on' THEN
        RAISE EXCEPTION 'removal records cannot be %: % stands as made; append an amendment instead',
            CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF (to_jsonb(NEW) - TG_ARGV - 'redacted_at')
       IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV - 'redacted_at') THEN
        RAISE EXCEPTION 'the retention purge may only redact the personal columns of %',
            TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION moderation_removal_has_category() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM moderation_removaldecision WHERE id = NEW.id)
       AND NOT EXISTS (
           SELECT 1 FROM moderation_removaldecisioncategory WHERE decision_id = NEW.id
       ) THEN
        RAISE EXCEPTION 'removal % has no category (P21: a removal needs at least one)',
            NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = {
    "moderation_removaldecision": (
        "author_name",
        "author_handle",
        "comment_url",
        "comment_text",
        "notification_text",
    ),
    "moderation_removaldecisioncategory": (),
    "moderation_removalamendment": ("old_value", "new_value", "notification_text"),
    "moderation_removalevidence": ("file", "original_name"),
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    for table, personal in TABLES.items():
        args = ", ".join(f"'{column}'" for column in personal)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION moderation_immutable({args})"
        )
    schema_editor.execute(
        "CREATE CONSTRAINT TRIGGER moderation_removal_has_category "
        "AFTER INSERT ON moderation_removaldecision "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION moderation_removal_has_category()"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS moderation_removal_has_category "
        "ON moderation_removaldecision"
    )
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS moderation_removal_has_category()")
    schema_editor.execute("DROP FUNCTION IF EXISTS moderation_immutable()")


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_removaldecision")]

    operations = [migrations.RunPython(forward, backward)]
