"""Offboarding hands over the open work a person leaves (P3):
accounts left with no manager, and every other app's work through the
``accounts.handover`` registry (here a test provider), before it completes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts import handover, services
from accounts.models import ManagerAccess, Offboarding, User
from core.audit import events_for
from core.exceptions import DomainError, InvalidTransition
from tests.accounts.factories import CompliantAccountFactory, ManagerAccessFactory

pytestmark = pytest.mark.django_db


class Chores:
    """A provider as another app writes one: open items a person holds."""

    key = "chores"
    title = "Chores to do"
    to_label = "New owner"
    confirm = ""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}  # item key -> holder's pk

    def items(self, *, person: Any) -> list[handover.Item]:
        return [
            handover.Item(key=key, label=f"Chore {key}", url="/chores/", note="Soon")
            for key, holder in sorted(self.held.items())
            if holder == person.pk
        ]

    def candidates(self, *, person: Any, item: handover.Item) -> Any:
        return User.objects.filter(is_active=True, is_staff=True).exclude(pk=person.pk)

    def hand_over(self, *, person: Any, item: handover.Item, to: Any, by: Any) -> None:
        self.held[item.key] = to.pk


@pytest.fixture
def chores():
    provider = Chores()
    handover.register(provider)
    yield provider
    handover.unregister(provider.key)


def _covered(manager):
    """An account ``manager`` manages with someone else."""
    grant = ManagerAccessFactory(manager=manager, account=CompliantAccountFactory())
    ManagerAccessFactory(account=grant.account)
    return grant


def _do_steps(offboarding, by):
    for step in offboarding.steps.all():
        services.offboarding_step_complete(step=step, by=by)
    offboarding.refresh_from_db()


def test_an_account_left_with_no_manager_holds_the_offboarding_until_handed_over(
    city_admin, manager, make_staff, city_profile
):
    alone = ManagerAccessFactory(manager=manager).account
    successor = make_staff()
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left the city."
    )
    _do_steps(offboarding, city_admin)
    # Every platform step is done, but the account would be left unmanaged.
    assert offboarding.status == Offboarding.Status.OPEN
    manager.refresh_from_db()
    assert manager.is_active
    ((source, items),) = handover.open_work(person=manager)
    assert source.key == "accounts"
    assert [item.key for item in items] == [str(alone.pk)]

    services.offboarding_hand_over(
        offboarding=offboarding,
        provider="accounts",
        item=str(alone.pk),
        to=successor,
        by=city_admin,
    )
    new = ManagerAccess.objects.current().get(account=alone)
    assert (new.manager, new.granted_by) == (successor, city_admin)
    assert events_for(new).get().action == "manager_access.granted"
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED
    actions = [e.action for e in events_for(offboarding)]
    assert actions[-2:] == ["offboarding.handed_over", "offboarding.completed"]
    manager.refresh_from_db()
    assert not manager.is_active


def test_an_account_someone_else_manages_is_no_open_work(
    city_admin, manager, city_profile
):
    _covered(manager)
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    assert handover.open_work(person=manager) == []
    _do_steps(offboarding, city_admin)
    assert offboarding.status == Offboarding.Status.COMPLETED


def test_every_providers_open_work_holds_the_offboarding_open(
    city_admin, manager, make_staff, city_profile, chores
):
    _covered(manager)
    chores.held = {"7": manager.pk, "8": make_staff().pk}
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    _do_steps(offboarding, city_admin)
    assert offboarding.status == Offboarding.Status.OPEN
    ((source, items),) = handover.open_work(person=manager)
    assert (source.key, [i.label for i in items]) == ("chores", ["Chore 7"])

    successor = make_staff()
    services.offboarding_hand_over(
        offboarding=offboarding,
        provider="chores",
        item="7",
        to=successor,
        by=city_admin,
    )
    assert chores.held["7"] == successor.pk
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED


def test_someone_with_open_work_but_no_access_can_be_offboarded(
    city_admin, manager, make_staff, city_profile, chores
):
    chores.held = {"1": manager.pk}
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    assert not offboarding.steps.exists()
    services.offboarding_hand_over(
        offboarding=offboarding,
        provider="chores",
        item="1",
        to=make_staff(),
        by=city_admin,
    )
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED


def test_a_handover_to_someone_not_offered_changes_nothing(
    city_admin, manager, city_profile, chores
):
    chores.held = {"1": manager.pk}
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    with pytest.raises(DomainError) as refused:
        services.offboarding_hand_over(
            offboarding=offboarding,
            provider="chores",
            item="1",
            to=manager,
            by=city_admin,
        )
    assert refused.value.field == "to"
    assert chores.held == {"1": manager.pk}
    assert "offboarding.handed_over" not in {e.action for e in events_for(offboarding)}


def test_work_no_longer_held_cannot_be_handed_over(
    city_admin, manager, make_staff, city_profile, chores
):
    chores.held = {"1": manager.pk, "2": manager.pk}
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    chores.held["1"] = make_staff().pk  # taken over meanwhile
    with pytest.raises(InvalidTransition, match="no longer theirs"):
        services.offboarding_hand_over(
            offboarding=offboarding,
            provider="chores",
            item="1",
            to=make_staff(),
            by=city_admin,
        )


def test_only_whoever_grants_access_hands_work_over(
    city_admin, manager, records_officer, make_staff, city_profile, chores
):
    from core.exceptions import NotPermitted

    chores.held = {"1": manager.pk}
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    with pytest.raises(NotPermitted):
        services.offboarding_hand_over(
            offboarding=offboarding,
            provider="chores",
            item="1",
            to=make_staff(),
            by=records_officer,
        )
    assert chores.held == {"1": manager.pk}


def test_a_person_being_offboarded_is_not_offboarded_twice(
    city_admin, manager, city_profile, chores
):
    chores.held = {"1": manager.pk}
    services.offboarding_start(person=manager, by=city_admin, reason="Left.")
    with pytest.raises(InvalidTransition, match="already being offboarded"):
        services.offboarding_start(person=manager, by=city_admin, reason="Again.")
    assert Offboarding.objects.count() == 1


# --- the offboarding page -------------------------------------------------------------


def test_the_page_lists_each_providers_work_and_hands_it_over(
    login_as, city_admin, manager, make_staff, city_profile, chores
):
    alone = ManagerAccessFactory(
        manager=manager, account=CompliantAccountFactory(display_name="Parks Page")
    ).account
    chores.held = {"9": manager.pk}
    successor = make_staff(first_name="Sam", last_name="Berg")
    offboarding = services.offboarding_start(
        person=manager, by=city_admin, reason="Left."
    )
    _do_steps(offboarding, city_admin)
    client = login_as(city_admin)
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert "Open work to hand over" in html
    assert "Accounts left with no manager" in html and "Parks Page" in html
    assert "Chores to do" in html and "Chore 9" in html
    assert "The new manager signs in to the platform with multi-factor sign-in" in html

    url = reverse(
        "accounts:offboarding-hand-over", args=[offboarding.pk, "accounts", alone.pk]
    )
    # The statement about multi-factor sign-in must be ticked: nothing is granted.
    refused = client.post(url, {"to": successor.pk})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    assert not ManagerAccess.objects.current().filter(account=alone).exists()

    response = client.post(url, {"to": successor.pk, "confirmed": "on"}, follow=True)
    assert "Handed over to Sam Berg" in response.content.decode()
    assert ManagerAccess.objects.current().get(account=alone).manager == successor
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.OPEN  # the chore is left

    url = reverse("accounts:offboarding-hand-over", args=[offboarding.pk, "chores", 9])
    response = client.post(url, {"to": successor.pk}, follow=True)
    html = response.content.decode()
    assert f"{offboarding} is complete." in html
    assert "Open work to hand over" not in html


def test_an_unknown_kind_of_work_is_not_found(login_as, city_admin, grant):
    offboarding = services.offboarding_start(
        person=grant.manager, by=city_admin, reason="Left."
    )
    url = reverse("accounts:offboarding-hand-over", args=[offboarding.pk, "nope", 1])
    assert login_as(city_admin).post(url, {}).status_code == 404
