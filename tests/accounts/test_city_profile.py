"""The city profile refuses settings the product cannot keep:
a deadline of 0 business days would be promised to residents as "within 0
business days" (P22, P23)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from accounts.models import CityProfile
from accounts.models.city import MAX_BUSINESS_DAYS

pytestmark = pytest.mark.django_db

TARGETS = (
    "appeal_ack_days",
    "appeal_answer_days",
    "challenge_ack_days",
    "challenge_answer_days",
)


@pytest.mark.parametrize("field", [*TARGETS, "access_review_interval_days"])
def test_a_target_of_zero_days_is_refused_by_the_model(city_profile, field):
    setattr(city_profile, field, 0)
    with pytest.raises(ValidationError) as refused:
        city_profile.full_clean()
    assert field in refused.value.message_dict


@pytest.mark.parametrize("field", TARGETS)
def test_a_target_of_zero_days_is_refused_by_the_database(city_profile, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        CityProfile.objects.filter(pk=city_profile.pk).update(**{field: 0})


def test_a_target_beyond_the_calendar_is_refused(city_profile):
    city_profile.appeal_answer_days = MAX_BUSINESS_DAYS + 1
    with pytest.raises(ValidationError) as refused:
        city_profile.full_clean()
    assert "appeal_answer_days" in refused.value.message_dict


def test_an_acknowledgment_due_after_the_answer_is_refused(city_profile):
    city_profile.appeal_ack_days = 12
    city_profile.appeal_answer_days = 10
    with pytest.raises(ValidationError) as refused:
        city_profile.full_clean()
    assert refused.value.message_dict["appeal_ack_days"] == [
        "Acknowledge an appeal no later than it is answered: at most 10 business days."
    ]


def _admin_form_data(profile, **changes):
    data = {
        key: value
        for key, value in model_to_dict(profile).items()
        if value is not None and key not in ("id", "singleton")
    }
    data["councilmember_accounts_covered"] = (
        "on" if profile.councilmember_accounts_covered else ""
    )
    data.update(changes)
    return data


def test_the_admin_says_why_zero_answer_days_are_refused_and_saves_nothing(
    login_as, city_admin, city_profile, client
):
    url = reverse("admin:accounts_cityprofile_change", args=[city_profile.pk])
    response = login_as(city_admin).post(
        url, _admin_form_data(city_profile, appeal_answer_days=0)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["appeal_answer_days"] == [
        "Ensure this value is greater than or equal to 1."
    ]
    city_profile.refresh_from_db()
    assert city_profile.appeal_answer_days == 10
    # The public form still promises what the profile says, never "0 days".
    html = client.get(reverse("appeals:appeal-new")).content.decode()
    assert "within 10 business days" in html
    assert "within 0 business days" not in html


def test_the_admin_saves_a_valid_change(login_as, city_admin, city_profile):
    url = reverse("admin:accounts_cityprofile_change", args=[city_profile.pk])
    response = login_as(city_admin).post(
        url, _admin_form_data(city_profile, appeal_answer_days=15)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    city_profile.refresh_from_db()
    assert city_profile.appeal_answer_days == 15
