"""Emails to residents go through the outbox (core.OutboxMessage): each
emailed Correspondence links to its outgoing email; ``sent_at`` stays only for
letters marked as mailed, as ``mailed_at``. (Data in 0009, old columns out in
0010: PostgreSQL refuses to alter a table with deferred checks still pending.)"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0007_bounded_text"),
        ("core", "0005_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="correspondence",
            name="outbox",
            field=models.OneToOneField(blank=True, editable=False, help_text="An email: the outgoing email that sends it, and its state.", null=True, on_delete=models.deletion.PROTECT, related_name="+", to="core.outboxmessage"),
        ),
        migrations.RenameField(
            model_name="correspondence",
            old_name="sent_at",
            new_name="mailed_at",
        ),
    ]
