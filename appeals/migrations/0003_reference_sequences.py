"""On PostgreSQL, take tracking numbers (AP-2026-00042) from a sequence per prefix
and year instead of the counter row.

The counter row was locked from the moment a filing took its number until the
filing committed, so filings queued behind one another's disk flush. A sequence
hands out numbers without waiting. The sequence for a new year is created on first
use, under an advisory lock, and starts after the last number already issued (in
the counter table or on a filing). SQLite keeps the counter table (it has one writer
at a time anyway).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION appeals_next_reference_number(p_prefix text, p_year int)
RETURNS bigint AS $$
DECLARE
    seq text := format('appeals_reference_%s_%s', lower(p_prefix), p_year);
    start bigint;
BEGIN
    IF to_regclass(seq) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext(seq));
        -- Start after any number already issued: by the counter, or on a filing.
        SELECT coalesce(max(last), 0) INTO start
            FROM appeals_referencecounter WHERE prefix = p_prefix AND year = p_year;
        IF p_prefix IN ('AP', 'LC') THEN
            EXECUTE format(
                'SELECT greatest(%s, coalesce(max(split_part(reference, ''-'', 3)'
                '::bigint), 0)) FROM %I WHERE reference LIKE %L',
                start,
                CASE p_prefix WHEN 'AP' THEN 'appeals_appeal'
                              ELSE 'appeals_legalitychallenge' END,
                p_prefix || '-' || p_year || '-%'
            ) INTO start;
        END IF;
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START %s', seq, start + 1);
    END IF;
    RETURN nextval(seq);
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS appeals_next_reference_number(text, int);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Hand the numbers taken from the sequences back to the counter table.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE sequencename LIKE 'appeals\\_reference\\_%%' AND last_value IS NOT NULL"
        )
        for name, last in cursor.fetchall():
            _, _, prefix, year = name.split("_")
            cursor.execute(
                "INSERT INTO appeals_referencecounter (prefix, year, last) "
                "VALUES (%s, %s, %s) ON CONFLICT (prefix, year) "
                "DO UPDATE SET last = GREATEST(appeals_referencecounter.last, %s)",
                [prefix.upper(), int(year), last, last],
            )
            schema_editor.execute(f'DROP SEQUENCE "{name}"')
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_receipt_pending")]

    operations = [migrations.RunPython(forward, backward)]
