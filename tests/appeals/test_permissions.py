"""Who may do what with appeals and challenges is decided by permissions
(appeals/permissions.py), never by a group's name: a permission given to a
person with no role works as it does for a role (P22, P23)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from appeals import selectors, services
from core.exceptions import NotPermitted
from tests.appeals.factories import (
    AppealFactory,
    AppealUnderReviewFactory,
    ChallengeAcknowledgedFactory,
)

pytestmark = pytest.mark.django_db

REASONED = "The comment repeated a threat against a named person, so it stays removed."


def _grant(user: Any, *perms: str) -> Any:
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # Django caches a user's permissions on the object: read them again.
    return type(user).objects.get(pk=user.pk)


def test_a_person_with_no_role_given_handle_appeal_handles_appeals(
    city_profile, make_staff
):
    person = make_staff()  # staff, in no role group
    appeal = AppealFactory()
    with pytest.raises(NotPermitted, match="You may not handle appeals"):
        services.filing_acknowledge(filing=appeal, by=person)
    person = _grant(person, "appeals.handle_appeal")
    services.filing_acknowledge(filing=appeal, by=person)
    assert appeal.acknowledged_by == person
    assert person in selectors.reviewer_list_for(filing=appeal)


def test_a_person_with_no_role_given_oversee_appeal_answers_any_appeal(
    city_profile, make_staff, manager
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    person = _grant(make_staff(), "appeals.handle_appeal")
    with pytest.raises(NotPermitted, match="only its assigned reviewer"):
        services.appeal_answer(
            appeal=appeal, by=person, outcome="upheld", response=REASONED
        )
    person = _grant(person, "appeals.oversee_appeal")
    services.appeal_answer(
        appeal=appeal, by=person, outcome="upheld", response=REASONED
    )
    assert appeal.answered_by == person
    assert person in selectors.overseer_list()


def test_the_attorney_consulted_is_whoever_holds_the_advice_permission(
    city_profile, city_admin, make_staff
):
    challenge = ChallengeAcknowledgedFactory()
    counsel = make_staff()
    with pytest.raises(NotPermitted, match="is not the City Attorney"):
        services.challenge_record_consultation(
            challenge=challenge, by=city_admin, attorney=counsel, notes="Advice."
        )
    assert counsel not in selectors.attorney_list()
    counsel = _grant(counsel, "appeals.advise_on_legalitychallenge")
    assert counsel in selectors.attorney_list()
    services.challenge_record_consultation(
        challenge=challenge, by=city_admin, attorney=counsel, notes="Advice."
    )
    assert challenge.consultations.get().attorney == counsel


def test_the_rules_scope_answering_to_the_reviewer_or_an_overseer(
    city_profile, manager, make_staff, city_admin
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    other = make_staff("Social Media Manager")
    assert manager.has_perm("appeals.answer_filing", appeal)
    assert not other.has_perm("appeals.answer_filing", appeal)
    assert city_admin.has_perm("appeals.answer_filing", appeal)
