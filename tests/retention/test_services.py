"""Messages (R1, P19), legal holds (R3) and disaster periods (P2, R5): services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from core import audit, clock, followups
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from core.roles import RECORDS_OFFICER
from retention import services
from retention.models import Message, PurgeRun, Series
from retention.purge import purge_run
from tests.accounts.factories import AccountFactory
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_marking_read_records_who_and_when(manager, managed_account, time_machine):
    time_machine.move_to("2026-05-04 09:30:00-05:00", tick=False)
    message = MessageFactory(account=managed_account)
    services.message_mark_read(message=message, by=manager)
    message.refresh_from_db()
    assert message.read_by == manager
    assert message.read_at == clock.now()
    assert audit.events_for(message).filter(action="message.read").exists()


def test_reading_a_message_twice_is_refused_and_says_when(
    manager, managed_account, time_machine
):
    time_machine.move_to("2026-11-27 15:05:00-06:00", tick=False)
    message = MessageFactory(account=managed_account)
    services.message_mark_read(message=message, by=manager)
    with pytest.raises(
        InvalidTransition, match=r"already read on Nov\. 27, 2026, 3:05 p\.m\. by"
    ):
        services.message_mark_read(message=message, by=manager)


def test_a_destroyed_message_cannot_be_marked_read(manager, managed_account):
    message = MessageFactory(account=managed_account)
    services.message_mark_read(message=message, by=manager)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    Message.objects.filter(pk=message.pk).update(read_at=None, read_by=None)
    with pytest.raises(InvalidTransition, match="“Destroyed”"):
        services.message_mark_read(message=message, by=manager)


def test_only_a_manager_of_the_account_marks_it_read(manager):
    message = MessageFactory()
    with pytest.raises(NotPermitted):
        services.message_mark_read(message=message, by=manager)
    message.refresh_from_db()
    assert message.read_at is None


def test_bulk_read_marks_unread_and_counts_the_rest(manager, managed_account):
    unread = MessageFactory.create_batch(2, account=managed_account)
    already = MessageFactory(account=managed_account)
    services.message_mark_read(message=already, by=manager)
    result = services.message_mark_read_bulk(
        message_ids=[m.pk for m in [*unread, already]], by=manager
    )
    assert result == {"marked": 2, "already_read": 1, "destroyed": 0}
    assert Message.objects.filter(read_at__isnull=True).count() == 0


def test_bulk_read_refuses_a_selection_with_an_unmanaged_account(
    manager, managed_account
):
    mine = MessageFactory(account=managed_account)
    theirs = MessageFactory()
    with pytest.raises(NotPermitted):
        services.message_mark_read_bulk(message_ids=[mine.pk, theirs.pk], by=manager)
    assert Message.objects.filter(read_at__isnull=False).count() == 0


def test_bulk_read_of_nothing_or_unknown_ids_is_refused(manager):
    with pytest.raises(DomainError, match="at least one"):
        services.message_mark_read_bulk(message_ids=[], by=manager)
    with pytest.raises(DomainError, match="do not exist"):
        services.message_mark_read_bulk(message_ids=[999999], by=manager)


def test_follow_up_flag_then_record(manager, managed_account, time_machine):
    time_machine.move_to("2026-11-27 12:00:00-06:00", tick=False)
    message = MessageFactory(account=managed_account)
    services.message_flag_follow_up(
        message=message, by=manager, due_on=date(2026, 12, 4), reference=" SR-41 "
    )
    with pytest.raises(InvalidTransition, match="already flagged"):
        services.message_flag_follow_up(
            message=message, by=manager, due_on=date(2026, 12, 4)
        )
    services.message_record_follow_up(
        message=message,
        by=manager,
        channel=followups.Channel.EMAIL,
        note="Wrote back with the permit form.",
    )
    message.refresh_from_db()
    assert message.follow_up_channel == "email"
    assert message.follow_up_by == manager
    assert message.follow_up_due_on == date(2026, 12, 4)
    assert message.follow_up_reference == "SR-41"
    assert message.follow_up_note == "Wrote back with the permit form."
    flagged = audit.events_for(message).get(action="message.follow_up_flagged")
    assert flagged.data["due_on"] == "2026-12-04"
    recorded = audit.events_for(message).get(action="message.follow_up_recorded")
    assert recorded.personal == {"note": "Wrote back with the permit form."}
    with pytest.raises(
        InvalidTransition,
        match=rf"already recorded on Nov\. 27, 2026, noon by {manager}\.$",
    ):
        services.message_record_follow_up(
            message=message, by=manager, channel="phone", note="again"
        )


def test_a_follow_up_due_in_the_past_is_refused(manager, managed_account):
    message = MessageFactory(account=managed_account)
    with pytest.raises(DomainError, match="in the past") as error:
        services.message_flag_follow_up(
            message=message, by=manager, due_on=clock.today() - timedelta(days=1)
        )
    assert error.value.field == "follow_up_due_on"


def test_follow_up_needs_a_known_channel_and_a_note(manager, managed_account):
    message = MessageFactory(account=managed_account)
    with pytest.raises(DomainError, match="phone, email or other"):
        services.message_record_follow_up(
            message=message, by=manager, channel="fax", note="x"
        )
    with pytest.raises(DomainError, match="Say what was done") as error:
        services.message_record_follow_up(
            message=message, by=manager, channel="phone", note="  "
        )
    assert error.value.field == "follow_up_note"


def test_the_purge_clears_the_follow_up_note_and_keeps_the_reference(
    manager, managed_account
):
    message = MessageFactory(account=managed_account)
    services.message_flag_follow_up(
        message=message, by=manager, due_on=clock.today(), reference="SR-7"
    )
    services.message_record_follow_up(
        message=message, by=manager, channel="phone", note="Called Jo Doe at home."
    )
    services.message_mark_read(message=message, by=manager)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    message.refresh_from_db()
    assert message.is_destroyed
    assert message.follow_up_note == ""
    assert message.follow_up_reference == "SR-7"
    recorded = audit.events_for(message).get(action="message.follow_up_recorded")
    assert recorded.personal is None


def test_message_create_refuses_duplicates_and_bad_values(manager):
    account = AccountFactory()
    when = clock.now() - timedelta(minutes=5)
    services.message_create(account=account, platform_message_id="x1", received_at=when)
    with pytest.raises(DomainError, match="already recorded"):
        services.message_create(
            account=account, platform_message_id="x1", received_at=when
        )
    with pytest.raises(ValidationError) as error:
        services.message_create(
            account=account,
            platform_message_id=" ",
            received_at=clock.now() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"platform_message_id", "received_at"}


# --- Legal holds -----------------------------------------------------------------


def test_a_hold_needs_a_scope(records_officer):
    with pytest.raises(DomainError, match="scope"):
        services.legal_hold_place(by=records_officer, title="Hold", reason="lawsuit")


def test_a_hold_names_its_dates_in_the_house_style(records_officer):
    hold = services.legal_hold_place(
        by=records_officer,
        title="Flood claims",
        reason="Claims against the city",
        date_from=date(2026, 9, 1),
    )
    assert hold.scope_text() == "dated Sept. 1, 2026 to any time"
    hold.date_to = date(2026, 11, 27)
    assert hold.scope_text() == "dated Sept. 1, 2026 to Nov. 27, 2026"


def test_a_hold_needs_a_reason_and_an_ordered_range(records_officer):
    with pytest.raises(DomainError, match="why"):
        services.legal_hold_place(
            by=records_officer, title="Hold", reason=" ", sender_handle="x"
        )
    with pytest.raises(DomainError, match="ends before it starts"):
        services.legal_hold_place(
            by=records_officer,
            title="Hold",
            reason="request",
            date_from=date(2026, 2, 2),
            date_to=date(2026, 2, 1),
        )
    with pytest.raises(DomainError, match="Unknown record series"):
        services.legal_hold_place(
            by=records_officer, title="Hold", reason="request", series=["tweets"]
        )


def test_only_the_records_officer_places_holds(manager):
    with pytest.raises(NotPermitted):
        services.legal_hold_place(
            by=manager, title="Hold", reason="lawsuit", sender_handle="x"
        )


def test_place_and_release_a_hold(records_officer, make_staff):
    account = AccountFactory()
    hold = services.legal_hold_place(
        by=records_officer,
        title="Data request 2026-14",
        reason="Data practices request",
        accounts=[account],
        sender_handle=" Jo.Doe ",
        series=[Series.MESSAGES],
    )
    assert hold.sender_handle == "Jo.Doe"
    assert list(hold.accounts.all()) == [account]
    assert hold.scope_text() == (
        f"accounts {account}; sender Jo.Doe; series Social media messages"
    )
    placed = audit.events_for(hold).get(action="legal_hold.placed")
    assert placed.personal == {"sender_handle": "Jo.Doe"}
    assert "Jo.Doe" not in str(placed.data)
    with pytest.raises(DomainError, match="why"):
        services.legal_hold_release(hold=hold, by=records_officer, reason="")
    other_officer = make_staff(RECORDS_OFFICER)
    services.legal_hold_release(hold=hold, by=other_officer, reason="Request closed")
    hold.refresh_from_db()
    assert hold.released_by == other_officer
    assert hold.release_reason == "Request closed"
    with pytest.raises(InvalidTransition, match="“Released”"):
        services.legal_hold_release(hold=hold, by=records_officer, reason="again")


# --- Disaster periods ------------------------------------------------------------


def test_a_disaster_period_ending_before_it_starts_is_refused(city_admin):
    start = clock.now()
    with pytest.raises(DomainError, match="ends before it starts"):
        services.disaster_period_declare(
            by=city_admin,
            name="Flood",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            accounts=[AccountFactory()],
        )
    with pytest.raises(DomainError, match="ends before it starts"):
        services.disaster_period_declare(
            by=city_admin,
            name="Flood",
            starts_at=start,
            ends_at=start,
            accounts=[AccountFactory()],
        )


def test_a_disaster_period_needs_accounts_and_the_city_administrator(
    city_admin, records_officer
):
    with pytest.raises(DomainError, match="accounts"):
        services.disaster_period_declare(
            by=city_admin, name="Flood", starts_at=clock.now(), accounts=[]
        )
    with pytest.raises(NotPermitted):
        services.disaster_period_declare(
            by=records_officer,
            name="Flood",
            starts_at=clock.now(),
            accounts=[AccountFactory()],
        )


def test_declare_and_end_a_disaster_period(city_admin):
    start = clock.now() - timedelta(days=2)
    period = services.disaster_period_declare(
        by=city_admin, name="Ice storm", starts_at=start, accounts=[AccountFactory()]
    )
    assert period.is_active()
    with pytest.raises(DomainError, match="ends before"):
        services.disaster_period_end(
            period=period, by=city_admin, ends_at=start - timedelta(hours=1)
        )
    services.disaster_period_end(period=period, by=city_admin, ends_at=clock.now())
    period.refresh_from_db()
    assert not period.is_active()
    with pytest.raises(InvalidTransition, match="“Ended”"):
        services.disaster_period_end(period=period, by=city_admin, ends_at=clock.now())
