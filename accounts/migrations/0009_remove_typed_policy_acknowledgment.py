"""The typed acknowledgment date leaves the access grant: managers acknowledge
each policy version themselves (notices.PolicyAcknowledgment, P16-P18), and the
dates typed so far were copied there (notices 0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_incident"),
        ("notices", "0004_policy_acknowledgment"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="manageraccess",
            name="policy_acknowledged_at",
        ),
    ]
