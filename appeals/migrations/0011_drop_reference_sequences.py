"""Tracking numbers come from the counter row on PostgreSQL too.

Migration 0003 took them from a sequence per prefix and year, made on first use by
a PL/pgSQL function, beside the counter table SQLite used. Now one way on both
databases: the filing locks its year's ReferenceCounter row. The numbers the
sequences issued are handed back to the counter table first, so none is issued
again; then the sequences and the function are dropped.
"""

from importlib import import_module

from django.db import migrations

COUNTER_UPSERT = """
INSERT INTO appeals_referencecounter (prefix, year, last) VALUES (%s, %s, %s)
ON CONFLICT (prefix, year)
DO UPDATE SET last = GREATEST(appeals_referencecounter.last, EXCLUDED.last)
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND sequencename LIKE %s",
            ["appeals\\_reference\\_%"],
        )
        for name, last in cursor.fetchall():
            _, _, prefix, year = name.split("_")
            if last is not None:  # (None: the sequence never issued a number)
                cursor.execute(COUNTER_UPSERT, [prefix.upper(), int(year), last])
            cursor.execute(f'DROP SEQUENCE "{name}"')
        cursor.execute(
            "DROP FUNCTION IF EXISTS appeals_next_reference_number(text, int)"
        )


def backward(apps, schema_editor):
    # The function of 0003 again; its sequences start after the counter's numbers.
    if schema_editor.connection.vendor == "postgresql":
        sequences = import_module("appeals.migrations.0003_reference_sequences")
        schema_editor.execute(sequences.FORWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0010_outbox_only")]

    operations = [migrations.RunPython(forward, backward)]
