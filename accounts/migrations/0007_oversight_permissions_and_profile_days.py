"""Oversight as permissions (every account's records, acting for every
account), and the city profile's day targets held to at least one day."""

import django.core.validators
from django.db import migrations, models


DAY_FIELDS = (
    "access_review_interval_days",
    "appeal_ack_days",
    "appeal_answer_days",
    "challenge_ack_days",
    "challenge_answer_days",
)


def raise_zero_days(apps, schema_editor):
    """A target of 0 days is refused from now on (P22, P23): a profile that holds
    one gets the field's default back, so the new constraint can be added."""
    CityProfile = apps.get_model("accounts", "CityProfile")
    for profile in CityProfile.objects.all():
        changed = []
        for name in DAY_FIELDS:
            if getattr(profile, name) < 1:
                setattr(profile, name, CityProfile._meta.get_field(name).default)
                changed.append(name)
        if changed:
            profile.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_bounded_text'),
    ]

    operations = [
        migrations.RunPython(raise_zero_days, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name='account',
            options={'ordering': ['platform__name', 'handle'], 'permissions': [('change_account_status', 'Can suspend, reactivate or shut down (P4)'), ('verify_account_checklist', 'Can verify the P5/P13/P15 checklist'), ('view_every_account', "Can see every account's records (oversight, P3, R2)"), ('manage_every_account', 'Can act for every account as its managers do (P11)')]},
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='access_review_interval_days',
            field=models.PositiveIntegerField(default=180, help_text="P3: how often each manager's access is re-certified, in days.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1095)]),
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='appeal_ack_days',
            field=models.PositiveIntegerField(default=3, help_text='Business days to acknowledge a removal appeal (P22).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)]),
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='appeal_answer_days',
            field=models.PositiveIntegerField(default=10, help_text='Business days to answer a removal appeal (P22); the public form promises an answer within this many.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)]),
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='challenge_ack_days',
            field=models.PositiveIntegerField(default=3, help_text='Business days to acknowledge a legality challenge (P23).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)]),
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='challenge_answer_days',
            field=models.PositiveIntegerField(default=30, help_text='Business days to answer a legality challenge (P23).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)]),
        ),
        migrations.AlterField(
            model_name='cityprofile',
            name='due_soon_days',
            field=models.PositiveIntegerField(default=2, help_text='Business days before a deadline that count as due soon (0: only on the day itself).', validators=[django.core.validators.MaxValueValidator(30)]),
        ),
        migrations.AlterField(
            model_name='manageraccess',
            name='platform_mfa_confirmed',
            field=models.BooleanField(default=False, help_text='Access cannot be given without it. The product never stores platform passwords or tokens.', verbose_name='uses multi-factor sign-in on the platform'),
        ),
        migrations.AddConstraint(
            model_name='cityprofile',
            constraint=models.CheckConstraint(condition=models.Q(('access_review_interval_days__gte', 1), ('appeal_ack_days__gte', 1), ('appeal_answer_days__gte', 1), ('challenge_ack_days__gte', 1), ('challenge_answer_days__gte', 1)), name='cityprofile_days_positive'),
        ),
    ]
