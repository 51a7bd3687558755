"""The deadline defaults live in one place: the city profile's fields (P22,
P23). Before the city fills in its profile, the appeals read those defaults."""

from __future__ import annotations

import pytest

from accounts.models import CityProfile
from appeals import selectors

pytestmark = pytest.mark.django_db


def test_without_a_profile_the_deadlines_are_the_profile_fields_defaults():
    assert not CityProfile.objects.exists()
    assert selectors.deadline_days() == {
        "appeal_ack_days": 3,
        "appeal_answer_days": 10,
        "challenge_ack_days": 3,
        "challenge_answer_days": 30,
        "due_soon_days": 2,
    }
    assert selectors.deadline_days() == {
        name: CityProfile._meta.get_field(name).default  # type: ignore[union-attr]
        for name in selectors.DEADLINE_FIELDS
    }


def test_with_a_profile_the_deadlines_are_the_citys(city_profile):
    city_profile.appeal_answer_days = 7
    city_profile.save()
    assert selectors.city_days("appeal_answer_days") == 7
