"""Seed one retention schedule row per record series (R2), and on PostgreSQL refuse
any UPDATE or DELETE of the destruction log (R4). SQLite relies on the model layer.

Only messages start with destruction on: the policy itself says messages are kept
until read (P25, R1). Every other series waits for the city to enter its period and
the item of its approved records retention schedule (Minn. Stat. 138.17).
"""

from django.db import migrations

POLICY = "City social media policy: messages are kept only until read (P25)"

ROWS = [
    (
        "messages",
        "until_read",
        None,
        POLICY,
        True,
        "P25 and R1: the policy's retention schedule keeps social media messages "
        "only until they are read, then destroys them and records the destruction. "
        "Replace the schedule item with the item number of the city's approved "
        "records retention schedule (Minn. Stat. 138.17).",
    ),
    (
        "disaster_messages",
        "years_after_close",
        None,
        "",
        False,
        "P2 and R5: during a declared disaster, messages may carry city business and "
        "are kept under the schedule for business records. The city sets the period "
        "and item from its approved records retention schedule.",
    ),
    (
        "account_requests",
        "years_after_close",
        None,
        "",
        False,
        "R2: records the city creates under the policy have their own retention "
        "period, set by the city (P12-P14 account approvals).",
    ),
    (
        "removal_decisions",
        "years_after_close",
        None,
        "",
        False,
        "R2: set by the city (P21 removal decisions). An open appeal holds its "
        "decision automatically (R3).",
    ),
    (
        "appeals",
        "years_after_close",
        None,
        "",
        False,
        "R2: set by the city (P22 appeals and written responses).",
    ),
    (
        "legality_challenges",
        "years_after_close",
        None,
        "",
        False,
        "R2: set by the city (P23 legality challenges and responses).",
    ),
    (
        "audit_events",
        "years_after_close",
        None,
        "",
        False,
        "R4 and Minn. Stat. ch. 13: the audit trail itself is kept; after the "
        "period only the personal data in its events is cleared.",
    ),
]

TRIGGER = """
CREATE OR REPLACE FUNCTION retention_destructionrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the destruction log cannot be changed or deleted (R4)';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER retention_destructionrecord_append_only
BEFORE UPDATE OR DELETE ON retention_destructionrecord
FOR EACH ROW EXECUTE FUNCTION retention_destructionrecord_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS retention_destructionrecord_append_only ON retention_destructionrecord;
DROP FUNCTION IF EXISTS retention_destructionrecord_append_only();
"""


def seed(apps, schema_editor):
    seed_rows(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def seed_rows(apps, schema_editor):
    """Create the default schedule rows that are missing (also run after a flush,
    see core.reference_data)."""
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    for series, rule, years, item, enabled, source in ROWS:
        RetentionSchedule.objects.get_or_create(
            series=series,
            defaults={
                "rule": rule,
                "years": years,
                "schedule_item": item,
                "destruction_enabled": enabled,
                "source": source,
            },
        )


def unseed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
