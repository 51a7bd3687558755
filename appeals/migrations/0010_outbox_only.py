"""The receipts job's columns and Correspondence.send_error go: the outbox
(core.OutboxMessage) holds what was sent, what waits and why."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0009_outbox_data"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="appeal",
            name="appeal_receipt_pending",
        ),
        migrations.RemoveIndex(
            model_name="legalitychallenge",
            name="challenge_receipt_pending",
        ),
        migrations.RemoveField(
            model_name="appeal",
            name="receipt_attempts",
        ),
        migrations.RemoveField(
            model_name="appeal",
            name="receipt_pending",
        ),
        migrations.RemoveField(
            model_name="appeal",
            name="receipt_retry_at",
        ),
        migrations.RemoveField(
            model_name="correspondence",
            name="send_error",
        ),
        migrations.RemoveField(
            model_name="legalitychallenge",
            name="receipt_attempts",
        ),
        migrations.RemoveField(
            model_name="legalitychallenge",
            name="receipt_pending",
        ),
        migrations.RemoveField(
            model_name="legalitychallenge",
            name="receipt_retry_at",
        ),
        migrations.AddConstraint(
            model_name="correspondence",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("delivery", "email"), ("mailed_at__isnull", True), ("marked_by__isnull", True), ("outbox__isnull", False)), models.Q(("delivery", "mail"), ("outbox__isnull", True)), _connector="OR"), name="correspondence_email_in_outbox"),
        ),
    ]
