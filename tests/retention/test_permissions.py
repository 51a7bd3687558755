"""Who may do what in retention comes from permissions, never a group's name:
a permission granted to a person with no role works as it does for
a role, and a role without it is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core import clock
from core.exceptions import NotPermitted
from retention import services
from retention.models import LegalHold, Message, PurgeRun
from retention.permissions import ROLE_PERMISSIONS
from retention.purge import purge_run
from tests.accounts.factories import AccountFactory, ManagerAccessFactory
from tests.retention.factories import MessageFactory, ReadMessageFactory

pytestmark = pytest.mark.django_db


def _grant(user, *perms: str):  # type: ignore[no-untyped-def]
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # Django caches permissions on the user object.
    return type(user).objects.get(pk=user.pk)


def test_add_legalhold_granted_to_a_person_with_no_role_places_a_hold(make_staff):
    """The case a review found: the service used to check the group's name."""
    clerk = make_staff()
    with pytest.raises(NotPermitted, match="You may not place legal holds"):
        services.legal_hold_place(
            by=clerk, title="Request 14", reason="Data request", sender_handle="jo"
        )
    clerk = _grant(clerk, "retention.add_legalhold")
    hold = services.legal_hold_place(
        by=clerk, title="Request 14", reason="Data request", sender_handle="jo"
    )
    assert hold.placed_by == clerk
    assert hold.is_open


def test_the_holds_page_follows_the_permission_not_the_role(login_as, make_staff):
    clerk = make_staff()
    assert login_as(clerk).get(reverse("retention:holds")).status_code == 403
    clerk = _grant(clerk, "retention.add_legalhold")
    client = login_as(clerk)
    response = client.post(
        reverse("retention:holds"),
        {"title": "Lawsuit", "reason": "Smith v. City", "sender_handle": "smith"},
        follow=True,
    )
    assert response.status_code == 200
    assert "placed. Nothing in its scope is destroyed" in response.content.decode()
    assert LegalHold.objects.get().title == "Lawsuit"


def test_handling_messages_needs_the_permission_and_the_account(make_staff):
    account = AccountFactory()
    message = MessageFactory(account=account)
    person = make_staff()
    ManagerAccessFactory(account=account, manager=person)
    with pytest.raises(NotPermitted, match="You may not mark read messages"):
        services.message_mark_read(message=message, by=person)
    person = _grant(person, "retention.handle_message")
    services.message_mark_read(message=message, by=person)
    assert Message.objects.get(pk=message.pk).read_by == person
    other = MessageFactory()
    with pytest.raises(NotPermitted, match="you do not manage it"):
        services.message_mark_read(message=other, by=person)


def test_running_the_purge_by_hand_needs_run_purge(make_staff, city_admin):
    ReadMessageFactory()
    with pytest.raises(NotPermitted, match="run the purge by hand"):
        purge_run(trigger=PurgeRun.Trigger.STAFF, by=city_admin)
    assert not Message.objects.filter(destroyed_at__isnull=False).exists()
    clerk = _grant(make_staff(), "retention.run_purge")
    outcome = purge_run(trigger=PurgeRun.Trigger.STAFF, by=clerk)
    assert outcome.destroyed == 1


def test_declaring_a_disaster_needs_add_disasterperiod(make_staff):
    clerk = make_staff()
    with pytest.raises(NotPermitted, match="declare disaster periods"):
        services.disaster_period_declare(
            by=clerk, name="Flood", starts_at=clock.now(), accounts=[AccountFactory()]
        )
    clerk = _grant(clerk, "retention.add_disasterperiod")
    period = services.disaster_period_declare(
        by=clerk, name="Flood", starts_at=clock.now(), accounts=[AccountFactory()]
    )
    assert period.declared_by == clerk


def test_the_records_officer_holds_retentions_permissions_from_retention():
    from core.roles import role_permissions

    assert "retention.add_legalhold" in ROLE_PERMISSIONS["Records Officer"]
    assert "retention.add_legalhold" in role_permissions()["Records Officer"]
