"""Incidents under the rules of use (P16-P18)."""

import core.clock
import core.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_oversight_permissions_and_profile_days'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Incident',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=core.clock.now, editable=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(choices=[('misuse', 'Misuse for personal or political purposes (P17)'), ('disclosure', 'Disclosure of private, confidential or sensitive data (P18)'), ('other', 'Other breach of law, regulation or policy (P16)')], max_length=20, verbose_name='what happened')),
                ('occurred_at', models.DateTimeField(help_text='As closely as known.', verbose_name='when it happened')),
                ('description', core.models.BoundedTextField(help_text='Facts only: what was posted or disclosed, where, and for how long.', max_length=10000, verbose_name='what happened, in detail')),
                ('reported_by', models.CharField(help_text="Who told the city, e.g. 'A resident, by email' or a staff name.", max_length=200, verbose_name='reported by')),
                ('recorded_at', models.DateTimeField(default=core.clock.now)),
                ('status', models.CharField(choices=[('open', 'Open: follow-up to record'), ('closed', 'Closed')], db_index=True, default='open', max_length=20)),
                ('action_taken', core.models.BoundedTextField(blank=True, help_text="E.g. post removed, manager's access revoked, data subject told.", max_length=10000, verbose_name='action taken')),
                ('action_taken_by', models.CharField(blank=True, help_text="Who took the action, e.g. 'HR Director' or a staff name.", max_length=200, verbose_name='action taken by')),
                ('action_taken_on', models.DateField(blank=True, null=True, verbose_name='action taken on')),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-occurred_at', '-pk'],
                'permissions': [('close_incident', "Can record an incident's follow-up")],
            },
        ),
        migrations.AddField(
            model_name='incident',
            name='account',
            field=models.ForeignKey(blank=True, help_text='The city account it happened on, when there is one.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='incidents', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='incident',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='incident',
            name='person',
            field=models.ForeignKey(blank=True, help_text='The member of staff who did it, when known.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='incidents', to=settings.AUTH_USER_MODEL, verbose_name='who was involved'),
        ),
        migrations.AddField(
            model_name='incident',
            name='recorded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.CheckConstraint(condition=models.Q(('person__isnull', False), ('account__isnull', False), _connector='OR'), name='incident_names_person_or_account'),
        ),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('closed_at__isnull', False), ('closed_by__isnull', False), ('action_taken_on__isnull', False), models.Q(('action_taken', ''), _negated=True)), _connector='OR'), name='incident_closure_recorded'),
        ),
    ]
