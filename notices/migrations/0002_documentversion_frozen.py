"""Freeze published versions in the database itself (P15, P23).

Once a version has left the draft state its text, number, kind, title and
publication record never change and it is never deleted; the only change allowed
is published -> superseded (with the time it happened). Drafts may be refreshed or
discarded. Triggers on PostgreSQL and SQLite, so even a raw UPDATE is refused.
"""

from django.db import migrations

FROZEN = "kind, number, title, sections, content_hash, generator_version, created_at, created_by_id, published_at, published_by_id"

PG_FORWARD = """
CREATE OR REPLACE FUNCTION notices_documentversion_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'published notice and policy versions cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'superseded' AND (to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD)) THEN
        RAISE EXCEPTION 'superseded notice and policy versions cannot be changed';
    END IF;
    IF OLD.status = 'published' AND (
        NEW.status NOT IN ('published', 'superseded')
        OR (to_jsonb(NEW) - 'status' - 'superseded_at')
           IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'superseded_at')
    ) THEN
        RAISE EXCEPTION 'published notice and policy versions cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notices_documentversion_frozen
BEFORE UPDATE OR DELETE ON notices_documentversion
FOR EACH ROW EXECUTE FUNCTION notices_documentversion_frozen();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS notices_documentversion_frozen ON notices_documentversion;
DROP FUNCTION IF EXISTS notices_documentversion_frozen();
"""

_CHANGED = " OR ".join(
    f"NEW.{c.strip()} IS NOT OLD.{c.strip()}" for c in FROZEN.split(",")
)

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER notices_documentversion_frozen_update
BEFORE UPDATE ON notices_documentversion
FOR EACH ROW WHEN OLD.status <> 'draft' AND (
    {_CHANGED}
    OR (OLD.status = 'superseded' AND (NEW.status IS NOT OLD.status
        OR NEW.superseded_at IS NOT OLD.superseded_at))
    OR (OLD.status = 'published' AND NEW.status NOT IN ('published', 'superseded'))
)
BEGIN
    SELECT RAISE(ABORT, 'published notice and policy versions cannot be changed');
END;
""",
    """
CREATE TRIGGER notices_documentversion_frozen_delete
BEFORE DELETE ON notices_documentversion
FOR EACH ROW WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published notice and policy versions cannot be deleted');
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notices_documentversion_frozen_update;",
    "DROP TRIGGER IF EXISTS notices_documentversion_frozen_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
