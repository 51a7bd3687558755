"""A reviewer is told ("Assigned to me" and an email on assignment, P22,
P23): the dashboard lists every open filing assigned to them, and the
assignment writes them an email through the outbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals import services
from core import roles
from core.models import OutboxMessage
from tests.appeals.factories import (
    AppealAcknowledgedFactory,
    AppealAnsweredFactory,
    ChallengeAcknowledgedFactory,
)

pytestmark = pytest.mark.django_db


def test_assigning_a_reviewer_emails_them_through_the_outbox(
    city_profile, city_admin, make_staff
):
    reviewer = make_staff(roles.SOCIAL_MEDIA_MANAGER, email="parks@example.gov")
    appeal = AppealAcknowledgedFactory()
    services.filing_assign_reviewer(filing=appeal, reviewer=reviewer, by=city_admin)
    message = OutboxMessage.objects.get(topic="appeal.reviewer_assigned")
    assert message.to == "parks@example.gov"
    assert message.subject == f"You review {appeal.reference}"
    assert appeal.get_absolute_url() in message.body
    assert "did not make the removal (P22)" in message.body
    # Staff email: the resident's name and words stay out of it.
    assert appeal.name not in message.body
    assert appeal.explanation not in message.body
    assert message.audience == OutboxMessage.Audience.STAFF


def test_assigning_oneself_writes_no_email(city_profile, manager):
    appeal = AppealAcknowledgedFactory()
    services.filing_assign_reviewer(filing=appeal, reviewer=manager, by=manager)
    assert not OutboxMessage.objects.filter(topic="appeal.reviewer_assigned").exists()


def test_assigned_to_me_lists_my_open_filings_only(
    city_profile, login_as, manager, make_staff
):
    client = login_as(manager)
    empty = client.get(reverse("core:dashboard")).content.decode()
    assert "Assigned to me" not in empty
    mine = AppealAcknowledgedFactory(reviewer=manager)
    done = AppealAnsweredFactory(reviewer=manager)
    theirs = AppealAcknowledgedFactory(reviewer=make_staff(roles.SOCIAL_MEDIA_MANAGER))
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "Assigned to me (1)" in html
    assert mine.reference in html
    assert done.reference not in html
    assert theirs.reference not in html


def test_assigned_to_me_shows_challenges_too(city_profile, login_as, attorney):
    challenge = ChallengeAcknowledgedFactory(reviewer=attorney)
    html = login_as(attorney).get(reverse("core:dashboard")).content.decode()
    assert "Assigned to me (1)" in html
    assert f"{challenge.reference}</a> (legality challenge, acknowledged)" in html


def test_assigned_to_me_costs_the_same_queries_for_one_filing_or_ten(
    city_profile, login_as, city_admin, dashboard_queries
):
    AppealAcknowledgedFactory(reviewer=city_admin)
    client = login_as(city_admin)
    dashboard_queries(client)  # warm the session
    one, html = dashboard_queries(client)
    assert "Assigned to me (1)" in html
    filings = [
        *AppealAcknowledgedFactory.create_batch(5, reviewer=city_admin),
        *ChallengeAcknowledgedFactory.create_batch(4, reviewer=city_admin),
    ]
    ten, html = dashboard_queries(client)
    assert "Assigned to me (10)" in html
    assert all(f"{f.reference}</a> (" in html for f in filings)
    assert ten == one
