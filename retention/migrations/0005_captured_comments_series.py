"""The series of comments captured from the platforms (R2), and its
schedule row: the city sets its period and schedule item; until then nothing of
it is destroyed. The platforms app registers how it is destroyed
(retention.series.register)."""

from django.db import migrations, models

ROW = (
    "captured_comments",
    "years_after_close",
    None,
    "",
    False,
    "R2: comments captured from the platforms, kept as the removal "
    "log needs them (text, author, time, link, edits). Set by the city; the "
    "period counts from the last time the platform reported on the comment. A "
    "comment waiting in a draft removal is kept automatically.",
)


def seed_rows(apps, schema_editor):
    """Create the row when it is missing (also run after a flush, see
    core.reference_data)."""
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    series, rule, years, item, enabled, source = ROW
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


class Migration(migrations.Migration):

    dependencies = [
        ('retention', '0004_one_immutability_mechanism'),
    ]

    operations = [
        migrations.AlterField(
            model_name='destroyeditem',
            name='series',
            field=models.CharField(choices=[('messages', 'Social media messages'), ('disaster_messages', 'Social media messages during a declared disaster'), ('account_requests', 'Account requests and approvals'), ('removal_decisions', 'Comment removal decisions'), ('appeals', 'Removal appeals and responses'), ('legality_challenges', 'Legality challenges and responses'), ('audit_events', 'Audit events (personal data)'), ('captured_comments', 'Comments captured from the platforms')], max_length=40),
        ),
        migrations.AlterField(
            model_name='destructionrecord',
            name='series',
            field=models.CharField(choices=[('messages', 'Social media messages'), ('disaster_messages', 'Social media messages during a declared disaster'), ('account_requests', 'Account requests and approvals'), ('removal_decisions', 'Comment removal decisions'), ('appeals', 'Removal appeals and responses'), ('legality_challenges', 'Legality challenges and responses'), ('audit_events', 'Audit events (personal data)'), ('captured_comments', 'Comments captured from the platforms')], max_length=40),
        ),
        migrations.AlterField(
            model_name='retentionschedule',
            name='series',
            field=models.CharField(choices=[('messages', 'Social media messages'), ('disaster_messages', 'Social media messages during a declared disaster'), ('account_requests', 'Account requests and approvals'), ('removal_decisions', 'Comment removal decisions'), ('appeals', 'Removal appeals and responses'), ('legality_challenges', 'Legality challenges and responses'), ('audit_events', 'Audit events (personal data)'), ('captured_comments', 'Comments captured from the platforms')], max_length=40, unique=True),
        ),
        migrations.RunPython(seed_rows, migrations.RunPython.noop),
    ]
