"""On PostgreSQL, trigram indexes for the admin search of removals (P21, R2).

The admin's search (``icontains``) becomes ``UPPER(col::text) LIKE UPPER('%term%')``,
which a btree cannot serve; a GIN trigram index on the same expression can, so a
search stays fast at a million decisions. pg_trgm is a trusted extension
(PostgreSQL 13+): the database owner may create it. SQLite scans, which is fine at
the embedded mode's scale.
"""

from django.db import migrations

INDEXES = {
    "removal_author_name_trgm": "author_name",
    "removal_author_handle_trgm": "author_handle",
    "removal_comment_text_trgm": "comment_text",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON moderation_removaldecision "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("moderation", "0004_removal_immutable")]

    operations = [migrations.RunPython(forward, backward)]
