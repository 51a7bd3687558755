"""The text offered to send to the author (N6, P22): categories, explanations and
the city's appeal instructions, with a fallback while no online form exists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import notifications
from moderation.models import RemovalCategory
from tests.moderation.factories import RemovalDecisionFactory

pytestmark = pytest.mark.django_db


def test_text_names_each_category_and_how_to_appeal(city_profile):
    RemovalCategory.objects.filter(number=2).update(
        local_explanation="This includes threats against city staff."
    )
    decision = RemovalDecisionFactory(categories=[2, 7], author_name="Pat Doe")
    text = notifications.removal_notification_text(decision=decision)
    assert text.startswith("Hello Pat Doe,")
    assert decision.reference in text
    assert decision.account.handle in text
    assert "these categories:" in text
    assert "- 2. Direct threats to people or property:" in text
    assert "This includes threats against city staff." in text
    assert "- 7. Commercial promotions or spam:" in text
    assert f"By email: {city_profile.appeal_email}" in text
    assert "By mail: City Clerk, 1 Main St, Maple Falls, MN 55001" in text
    assert f"Your appeal goes to the {city_profile.appeal_contact}" in text
    assert "in writing" in text


def test_text_links_the_online_appeal_form(city_profile, rf):
    decision = RemovalDecisionFactory()
    text = notifications.removal_notification_text(
        decision=decision, request=rf.get("/")
    )
    assert f"Online: http://testserver{reverse('appeals:appeal-new')}" in text


def test_text_falls_back_to_email_and_post_without_the_online_form(
    city_profile, monkeypatch
):
    monkeypatch.setattr(notifications, "appeal_form_url", lambda request=None: "")
    decision = RemovalDecisionFactory(categories=[7])
    text = notifications.removal_notification_text(decision=decision)
    assert "Online:" not in text
    assert "this category:" in text
    assert f"By email: {city_profile.appeal_email}" in text


def test_text_uses_corrected_categories(city_profile, city_admin):
    from moderation import services

    decision = RemovalDecisionFactory(categories=[7])
    services.removal_amend(
        decision=decision,
        by=city_admin,
        field="categories",
        value=[4],
        reason="Wrong box.",
    )
    text = notifications.removal_notification_text(decision=decision)
    assert "4. Someone's private information" in text
    assert "7. Commercial" not in text
