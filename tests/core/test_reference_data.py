"""The rows the data migrations seed survive a flush (manage.py flush, and the end of
every transactional test): core.reference_data restores them on post_migrate."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Platform
from core import roles
from moderation.models import RemovalCategory
from retention.models import RetentionSchedule


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_platforms_roles_categories_and_schedule_in_place():
    call_command("flush", interactive=False, verbosity=0)
    assert Platform.objects.filter(slug="facebook").exists()
    assert Platform.objects.count() >= 11
    assert RemovalCategory.objects.count() == 8
    assert RetentionSchedule.objects.exists()
    admin = Group.objects.get(name=roles.CITY_ADMINISTRATOR)
    assert admin.permissions.filter(codename="change_cityprofile").exists()
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
