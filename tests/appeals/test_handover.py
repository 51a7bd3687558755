"""Offboarding hands over the appeals and challenges a person was to review
(P3, P22, P23): shown on the offboarding page, reassigned there, and the
offboarding completes only once none is left."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import handover
from accounts import services as accounts_services
from accounts.models import Offboarding
from core import roles
from core.exceptions import DomainError
from tests.appeals.factories import (
    AppealAnsweredFactory,
    AppealUnderReviewFactory,
    ChallengeAcknowledgedFactory,
    RemovalFactory,
)

pytestmark = pytest.mark.django_db


def _work(person):
    found = {p.key: items for p, items in handover.open_work(person=person)}
    return found.get("appeals", [])


def test_open_filings_a_person_reviews_are_their_open_work(
    city_profile, manager, attorney
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    AppealAnsweredFactory(reviewer=manager)  # answered: nothing left to do
    items = _work(manager)
    assert [i.label for i in items] == [f"Appeal {appeal.reference}"]
    assert items[0].url == appeal.get_absolute_url()
    assert items[0].note.startswith("Written answer due ")
    challenge = ChallengeAcknowledgedFactory(reviewer=attorney)
    assert [i.key for i in _work(attorney)] == [f"challenge-{challenge.pk}"]


def test_the_new_reviewer_is_offered_only_who_may_review_it(
    city_profile, manager, make_staff, records_officer
):
    remover = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    AppealUnderReviewFactory(
        reviewer=manager, removal=RemovalFactory(removed_by=remover)
    )
    provider = handover.provider("appeals")
    (item,) = provider.items(person=manager)
    offered = set(provider.candidates(person=manager, item=item))
    assert other in offered
    assert manager not in offered  # the person leaving
    assert remover not in offered  # P22: not who made the removal
    assert records_officer not in offered  # does not handle appeals


def test_offboarding_completes_once_the_appeal_is_handed_over(
    city_profile, city_admin, manager, make_staff
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    successor = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    offboarding = accounts_services.offboarding_start(
        person=manager, by=city_admin, reason="Left the city."
    )
    assert offboarding.status == Offboarding.Status.OPEN
    with pytest.raises(DomainError):
        accounts_services.offboarding_hand_over(
            offboarding=offboarding,
            provider="appeals",
            item=f"appeal-{appeal.pk}",
            to=manager,  # not offered: the person leaving
            by=city_admin,
        )
    accounts_services.offboarding_hand_over(
        offboarding=offboarding,
        provider="appeals",
        item=f"appeal-{appeal.pk}",
        to=successor,
        by=city_admin,
    )
    appeal.refresh_from_db()
    offboarding.refresh_from_db()
    assert appeal.reviewer == successor
    assert offboarding.status == Offboarding.Status.COMPLETED


def test_the_offboarding_page_shows_and_hands_over_the_appeal(
    city_profile, login_as, city_admin, manager, make_staff
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    successor = make_staff(
        roles.SOCIAL_MEDIA_MANAGER, first_name="Sam", last_name="Berg"
    )
    offboarding = accounts_services.offboarding_start(
        person=manager, by=city_admin, reason="Left the city."
    )
    client = login_as(city_admin)
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert "Appeals and legality challenges to review" in html
    assert f"Appeal {appeal.reference}" in html
    url = reverse(
        "accounts:offboarding-hand-over",
        args=[offboarding.pk, "appeals", f"appeal-{appeal.pk}"],
    )
    response = client.post(url, {"to": successor.pk}, follow=True)
    assert "Handed over to Sam Berg" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.reviewer == successor
