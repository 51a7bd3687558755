from django.db import migrations, models

HELP = (
    "P3: when every step is done, also deactivate their sign-in to this system "
    "(chosen when the offboarding starts)."
)


class Migration(migrations.Migration):
    """Offboardings started before this change were never asked whether to
    deactivate the person's sign-in: they keep it (False); new ones default to
    deactivating it (True)."""

    dependencies = [
        ("accounts", "0003_registry_workflow"),
    ]

    operations = [
        migrations.AddField(
            model_name="offboarding",
            name="deactivate_sign_in",
            field=models.BooleanField(default=False, help_text=HELP),
        ),
        migrations.AlterField(
            model_name="offboarding",
            name="deactivate_sign_in",
            field=models.BooleanField(default=True, help_text=HELP),
        ),
    ]
