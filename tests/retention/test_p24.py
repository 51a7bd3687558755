"""P24: messages the city sends are kept as records too, and a message's Data
Practices classification can be changed after entry and controls who sees its
private fields (Minn. Stat. ch. 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from core import audit, clock
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from retention import services
from retention.models import Message, PurgeRun
from retention.purge import purge_run
from tests.accounts.factories import ManagerAccessFactory
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db

WITHHELD = "withheld (private data, Minn. Stat. 13.43)"


def _sent(account, **kwargs):  # type: ignore[no-untyped-def]
    return services.message_create(
        account=account,
        platform_message_id=kwargs.pop("platform_message_id", "fb-sent-1"),
        received_at=clock.now() - timedelta(minutes=3),
        sender_handle="jo.resident",
        body="Thanks, the crew comes Tuesday.",
        direction=Message.Direction.SENT,
        **kwargs,
    )


def test_a_sent_message_is_recorded_read_and_purged_like_a_read_one(
    manager, managed_account
):
    message = _sent(managed_account, by=manager)
    assert message.is_sent and message.is_read and message.read_by is None
    event = audit.events_for(message).get(action="message.created")
    assert event.data["direction"] == "sent"
    with pytest.raises(InvalidTransition, match="sent by the city"):
        services.message_mark_read(message=message, by=manager)
    with pytest.raises(InvalidTransition, match="sent by the city"):
        services.message_mark_unread(message=message, by=manager)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    message.refresh_from_db()
    assert message.is_destroyed and message.body == ""


def test_a_legal_hold_keeps_sent_messages_too(
    manager, managed_account, records_officer
):
    services.legal_hold_place(
        by=records_officer, title="Hold", reason="lawsuit", accounts=[managed_account]
    )
    message = _sent(managed_account)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    message.refresh_from_db()
    assert not message.is_destroyed


def test_the_messages_page_shows_sent_messages_as_sent(
    login_as, manager, managed_account
):
    _sent(managed_account)
    content = (
        login_as(manager)
        .get(reverse("retention:messages") + "?state=read")
        .content.decode()
    )
    assert '<td data-label="Resident">to jo.resident</td>' in content
    assert '<td data-label="State">Sent</td>' in content


def test_classification_changes_after_entry_with_an_audit_event(
    manager, managed_account
):
    message = MessageFactory(account=managed_account)
    with pytest.raises(DomainError, match="Name the statute") as error:
        services.message_classify(message=message, by=manager, classification="private")
    assert error.value.field == "classification_basis"
    services.message_classify(
        message=message,
        by=manager,
        classification="private",
        basis=" Minn. Stat. 13.43 ",
    )
    message.refresh_from_db()
    assert message.classification == "private"
    assert message.classification_basis == "Minn. Stat. 13.43"
    event = audit.events_for(message).get(action="message.classified")
    assert event.actor == manager
    assert event.data["changes"]["classification"] == ["public", "private"]
    # Back to public: the basis goes with it.
    services.message_classify(message=message, by=manager, classification="public")
    message.refresh_from_db()
    assert message.classification_basis == ""


def test_classifying_needs_the_permission_and_the_account(records_officer, manager):
    message = MessageFactory()
    with pytest.raises(NotPermitted, match="classify messages"):
        services.message_classify(
            message=message, by=records_officer, classification="public"
        )
    with pytest.raises(NotPermitted, match="you do not manage it"):
        services.message_classify(
            message=message, by=manager, classification="private", basis="13.43"
        )


@pytest.fixture
def private_message(managed_account, manager):  # type: ignore[no-untyped-def]
    message = MessageFactory(
        account=managed_account,
        sender_handle="jo.private",
        body="My address is 12 Elm Street",
    )
    services.message_classify(
        message=message,
        by=manager,
        classification="private",
        basis="Minn. Stat. 13.43",
    )
    return message


def test_private_fields_are_withheld_from_staff_without_the_permission(
    login_as, city_admin, manager, managed_account, private_message
):
    """The City Administrator handles messages of every account but does not
    hold retention.view_private_message; the account's manager does."""
    ManagerAccessFactory(account=managed_account, manager=city_admin)
    services.message_record_follow_up(
        message=private_message,
        by=manager,
        channel="phone",
        note="Called jo.private about the assistance",
    )
    detail = reverse("retention:message-detail", args=[private_message.pk])
    for url in (reverse("retention:messages"), detail):
        content = login_as(city_admin).get(url).content.decode()
        assert WITHHELD in content
        assert "jo.private" not in content
        assert "12 Elm Street" not in content
        assert "about the assistance" not in content
        shown = login_as(manager).get(url).content.decode()
        assert "jo.private" in shown
        assert WITHHELD not in shown
    admin = reverse("admin:retention_message_change", args=[private_message.pk])
    content = login_as(city_admin).get(admin).content.decode()
    assert "jo.private" not in content and "12 Elm Street" not in content
    assert "jo.private" in login_as(manager).get(admin).content.decode()


def test_the_message_page_changes_the_classification(
    login_as, manager, managed_account
):
    message = MessageFactory(account=managed_account)
    url = reverse("retention:message-detail", args=[message.pk])
    client = login_as(manager)
    response = client.post(
        url, {"action": "classify", "classify-classification": "private"}
    )
    assert response.status_code == 400
    assert "Name the statute that makes this data not public" in (
        response.content.decode()
    )
    response = client.post(
        url,
        {
            "action": "classify",
            "classify-classification": "private",
            "classify-classification_basis": "Minn. Stat. 13.43",
        },
        follow=True,
    )
    content = response.content.decode()
    assert "is now classified private (data on individuals)." in content
    assert "Private (data on individuals), Minn. Stat. 13.43" in content
