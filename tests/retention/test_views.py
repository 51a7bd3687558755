"""Staff pages: messages, follow-ups, holds, disasters, purge, the log export and
the dashboard panel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import ManagerAccess
from accounts.services import access_revoke
from core import audit, clock
from retention import services
from retention.models import DestructionRecord, DisasterPeriod, LegalHold, Message
from tests.accounts.factories import AccountFactory
from tests.retention.factories import MessageFactory, ReadMessageFactory

pytestmark = pytest.mark.django_db


def test_the_inbox_shows_only_managed_accounts_unread(
    login_as, manager, managed_account
):
    mine = MessageFactory(account=managed_account, body="Park question")
    MessageFactory(body="Someone else's account")
    ReadMessageFactory(account=managed_account, body="Already read")
    response = login_as(manager).get(reverse("retention:messages"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Park question" in content
    assert "Someone else" not in content
    assert "Already read" not in content
    assert f'value="{mine.pk}"' in content


@pytest.mark.parametrize("account", ["abc", "-1", "²", str(2**63), "9" * 40])
def test_the_inbox_filtered_by_an_account_that_is_no_record_id_shows_all(
    login_as, manager, managed_account, account
):
    message = MessageFactory(account=managed_account, body="Hello city")
    response = login_as(manager).get("/retention/messages/", {"account": account})
    assert response.status_code == 200
    assert message.body in response.content.decode()


def test_bulk_mark_read_from_the_inbox(login_as, manager, managed_account):
    messages = MessageFactory.create_batch(2, account=managed_account)
    client = login_as(manager)
    response = client.post(
        reverse("retention:messages-mark-read"),
        {"message": [m.pk for m in messages], "next": "/retention/messages/"},
        follow=True,
    )
    content = response.content.decode()
    assert "2 messages marked read. The next purge run destroys them" in content
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_bulk_mark_read_of_garbage_changes_nothing(login_as, manager, managed_account):
    message = MessageFactory(account=managed_account)
    response = login_as(manager).post(
        reverse("retention:messages-mark-read"), {"message": ["x"]}, follow=True
    )
    assert "not understood" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is None


def test_message_page_marks_read_flags_and_records_follow_up(
    login_as, manager, managed_account, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    message = MessageFactory(account=managed_account)  # received an hour ago
    client = login_as(manager)
    url = reverse("retention:message-detail", args=[message.pk])
    # Bad input is shown on the form, the page rendered again (P19).
    response = client.post(url, {"action": "flag", "flag-follow_up_due_on": ""})
    assert response.status_code == 400
    assert "Follow-up due: This field is required." in response.content.decode()
    response = client.post(
        url, {"action": "flag", "flag-follow_up_due_on": "2026-11-20"}
    )
    assert response.status_code == 400
    assert "The follow-up due date is in the past." in response.content.decode()
    message.refresh_from_db()
    assert message.follow_up_flagged_at is None
    response = client.post(
        url,
        {
            "action": "flag",
            "flag-follow_up_due_on": "2026-12-04",
            "flag-follow_up_reference": "SR-2026-77",
        },
        follow=True,
    )
    assert "flagged for follow-up (P19), due Dec. 4, 2026." in response.content.decode()
    client.post(url, {"action": "read"})
    response = client.post(url, {"action": "read"}, follow=True)
    assert "already read" in response.content.decode()
    waiting = client.get(reverse("retention:follow-ups")).content.decode()
    assert url in waiting
    assert '<td data-label="Flagged">Nov. 27, 2026</td>' in waiting
    assert '<td data-label="Due">Dec. 4, 2026</td>' in waiting
    assert '<td data-label="Process reference">SR-2026-77</td>' in waiting
    assert '<td data-label="Received">Nov. 27, 2026, 2:05 p.m.</td>' in waiting
    response = client.post(
        url, {"action": "follow_up", "record-follow_up_channel": "phone"}
    )
    assert response.status_code == 400
    assert "Follow-up note: This field is required." in response.content.decode()
    client.post(
        url,
        {
            "action": "follow_up",
            "record-follow_up_channel": "phone",
            "record-follow_up_note": "Called back; sent the permit form.",
        },
    )
    message.refresh_from_db()
    assert message.read_by == manager
    assert message.follow_up_channel == "phone"
    detail = client.get(url).content.decode()
    assert "<dt>Received</dt><dd>Nov. 27, 2026, 2:05 p.m.</dd>" in detail
    assert f"read Nov. 27, 2026, 3:05 p.m. by {manager}" in detail
    assert f"Followed up by phone on Nov. 27, 2026, 3:05 p.m. by {manager}" in detail
    assert (
        "<dt>Follow-up note</dt><dd>Called back; sent the permit form.</dd>" in detail
    )
    assert "<dt>Process reference</dt><dd>SR-2026-77</dd>" in detail
    assert url not in client.get(reverse("retention:follow-ups")).content.decode()


@pytest.mark.parametrize(
    ("service", "data"),
    [
        (
            "message_flag_follow_up",
            {"action": "flag", "flag-follow_up_due_on": "2099-12-04"},
        ),
        (
            "message_record_follow_up",
            {
                "action": "follow_up",
                "record-follow_up_channel": "phone",
                "record-follow_up_note": "Called back.",
            },
        ),
        ("message_mark_read", {"action": "read"}),
        (
            "message_classify",
            {
                "action": "classify",
                "classify-classification": "private",
                "classify-classification_basis": "Minn. Stat. 13.43",
            },
        ),
    ],
    ids=["flag", "follow_up", "read", "classify"],
)
def test_the_message_page_refuses_a_step_with_the_403_page(
    login_as, manager, managed_account, city_admin, monkeypatch, service, data
):
    """A step by someone who does not manage the message's account (P11, P19,
    P24) is the 403 page, as on a captured comment's page, not an error on the
    form. The page shows a manager only their accounts' messages, so the
    refusal comes when their access is revoked while the request is handled:
    after the page found the message, before the service checks."""
    message = MessageFactory(account=managed_account)
    client = login_as(manager)
    act = getattr(services, service)

    def revoked_meanwhile(**kwargs):
        grant = ManagerAccess.objects.get(manager=manager, account=managed_account)
        access_revoke(grant=grant, by=city_admin, reason="Moved to another team.")
        return act(**kwargs)

    monkeypatch.setattr(services, service, revoked_meanwhile)
    url = reverse("retention:message-detail", args=[message.pk])
    response = client.post(url, data)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    message.refresh_from_db()
    assert message.follow_up_flagged_at is None and message.follow_up_at is None
    assert message.read_at is None and message.classification == "public"


def test_a_destroyed_message_page_shows_no_content(login_as, manager, managed_account):
    from retention.models import PurgeRun
    from retention.purge import purge_run

    message = ReadMessageFactory(account=managed_account, body="secret words")
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    response = login_as(manager).get(
        reverse("retention:message-detail", args=[message.pk])
    )
    content = response.content.decode()
    assert "Destroyed" in content
    assert "secret words" not in content


def test_message_pages_need_the_role(login_as, records_officer, client):
    assert (
        login_as(records_officer).get(reverse("retention:messages")).status_code == 403
    )
    client.logout()
    response = client.get(reverse("retention:messages"))
    assert response.status_code == 302


def test_records_officer_places_and_releases_a_hold(
    login_as, records_officer, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    account = AccountFactory()
    client = login_as(records_officer)
    response = client.post(
        reverse("retention:holds"),
        {"title": "Smith v. City", "reason": "Litigation", "accounts": [account.pk]},
        follow=True,
    )
    assert "placed" in response.content.decode()
    hold = LegalHold.objects.get()
    client.post(reverse("retention:hold-release", args=[hold.pk]), {"reason": "Done"})
    hold.refresh_from_db()
    assert hold.released_by == records_officer
    page = client.get(reverse("retention:holds")).content.decode()
    assert f'<td data-label="Placed">Nov. 27, 2026 by {records_officer}</td>' in page
    assert f"Released Nov. 27, 2026 by {records_officer}: Done" in page


def test_a_hold_without_scope_shows_the_error(login_as, records_officer):
    response = login_as(records_officer).post(
        reverse("retention:holds"), {"title": "Hold", "reason": "Litigation"}
    )
    assert response.status_code == 200
    assert "Give the hold a scope" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_holds_page_is_for_the_records_officer(login_as, manager):
    assert login_as(manager).get(reverse("retention:holds")).status_code == 403


def test_city_administrator_declares_a_disaster_period(
    login_as, city_admin, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    account = AccountFactory()
    response = login_as(city_admin).post(
        reverse("retention:disasters"),
        {
            "name": "Spring flood",
            "starts_at": "2026-04-01T08:00",
            "ends_at": "2026-03-01T08:00",
            "accounts": [account.pk],
        },
    )
    assert "ends before it starts" in response.content.decode()
    assert not DisasterPeriod.objects.exists()
    login_as(city_admin).post(
        reverse("retention:disasters"),
        {
            "name": "Spring flood",
            "starts_at": "2026-04-01T08:00",
            "accounts": [account.pk],
        },
    )
    assert DisasterPeriod.objects.get().ends_at is None
    page = login_as(city_admin).get(reverse("retention:disasters")).content.decode()
    assert '<td data-label="Period">April 1, 2026, 8 a.m. to (continuing)' in page
    assert f'<td data-label="Declared">Nov. 27, 2026 by {city_admin}</td>' in page


@pytest.mark.parametrize("moment", ["9999-12-31T23:30", "9999-12-31T18:00"])
def test_a_disaster_time_past_the_end_of_the_calendar_in_utc_is_refused(
    login_as, city_admin, moment
):
    # 9999-12-31 late evening in Chicago is year 10000 in UTC, which the
    # database stores: refused as a date and time, not a 500.
    account = AccountFactory()
    client = login_as(city_admin)
    response = client.post(
        reverse("retention:disasters"),
        {"name": "Flood", "starts_at": moment, "accounts": [account.pk]},
    )
    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert not DisasterPeriod.objects.exists()
    client.post(
        reverse("retention:disasters"),
        {"name": "Flood", "starts_at": "2026-04-01T08:00", "accounts": [account.pk]},
    )
    period = DisasterPeriod.objects.get()
    response = client.post(
        reverse("retention:disaster-end", args=[period.pk]), {"ends_at": moment}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.ends_at is None


def test_records_officer_sees_but_cannot_declare_disasters(login_as, records_officer):
    client = login_as(records_officer)
    assert client.get(reverse("retention:disasters")).status_code == 200
    client.post(
        reverse("retention:disasters"),
        {
            "name": "X",
            "starts_at": "2026-04-01T08:00",
            "accounts": [AccountFactory().pk],
        },
    )
    assert not DisasterPeriod.objects.exists()


def test_purge_page_previews_and_runs_after_confirming(
    login_as, records_officer, time_machine
):
    time_machine.move_to("2026-11-27 15:05:09 -06:00", tick=False)
    ReadMessageFactory.create_batch(2)
    client = login_as(records_officer)
    content = client.get(reverse("retention:purge")).content.decode()
    assert "What the next run would destroy" in content
    assert "Run the purge now…" in content
    # R3, R4: the confirm page says what will go, and nothing goes without a tick.
    confirm = client.get(reverse("retention:purge-run")).content.decode()
    assert "Run the purge now?" in confirm
    assert "2: list them" in confirm
    assert "2 records" in confirm
    response = client.post(reverse("retention:purge-run"), {})
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert Message.objects.filter(destroyed_at__isnull=True).count() == 2
    response = client.post(
        reverse("retention:purge-run"), {"confirm": "on"}, follow=True
    )
    assert "destroyed 2 records." in response.content.decode()
    assert Message.objects.filter(destroyed_at__isnull=True).count() == 0
    # Past runs keep their seconds.
    run_times = "Nov. 27, 2026, 3:05:09 p.m.</td>"
    assert response.content.decode().count(run_times) == 2  # started, finished
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert ", Nov. 27, 2026, 3:05 p.m.: 2 destroyed" in dashboard


def test_the_purge_page_no_longer_destroys_on_a_bare_post(login_as, records_officer):
    ReadMessageFactory()
    response = login_as(records_officer).post(reverse("retention:purge"))
    assert response.status_code == 405
    assert not Message.objects.filter(destroyed_at__isnull=False).exists()


def test_the_dry_run_lists_which_records_page_by_page(
    login_as, city_admin, time_machine
):
    time_machine.move_to("2026-11-27 15:05:09 -06:00", tick=False)
    messages = ReadMessageFactory.create_batch(52)
    held_back = MessageFactory(body="Unread stays")
    client = login_as(city_admin)
    url = reverse("retention:purge-records") + "?series=messages"
    content = client.get(url).content.decode()
    assert "Due for destruction: Social media messages" in content
    assert f'<th scope="row">{messages[0]}</th>' in content
    assert f'<td data-label="Account">{messages[0].account}</td>' in content
    assert f'<td data-label="Id">{messages[0].pk}</td>' in content
    assert "Page 1 of 2 (52 in all)" in content
    assert messages[0].body not in content  # never the content (R4)
    assert str(held_back) not in content
    second = client.get(url + "&page=2").content.decode()
    assert f'<th scope="row">{messages[-1]}</th>' in second
    assert not Message.objects.filter(destroyed_at__isnull=False).exists()


def test_the_dry_run_of_a_series_with_destruction_off_lists_nothing(
    login_as, records_officer
):
    content = (
        login_as(records_officer)
        .get(reverse("retention:purge-records") + "?series=appeals")
        .content.decode()
    )
    assert "The next run would destroy no record of this series." in content


def test_purge_page_says_when_destruction_is_paused(
    login_as, records_officer, settings
):
    settings.RETENTION_PURGE_PAUSED = True
    ReadMessageFactory()
    client = login_as(records_officer)
    content = client.get(reverse("retention:purge")).content.decode()
    assert "Destruction is paused" in content
    assert "Run the purge now" not in content
    response = client.post(
        reverse("retention:purge-run"), {"confirm": "on"}, follow=True
    )
    assert "nothing can be destroyed now" in response.content.decode()
    assert not Message.objects.filter(destroyed_at__isnull=False).exists()


def test_city_administrator_cannot_run_the_purge(login_as, city_admin):
    ReadMessageFactory()
    client = login_as(city_admin)
    assert (
        "Run the purge now"
        not in client.get(reverse("retention:purge")).content.decode()
    )
    response = client.post(reverse("retention:purge-run"), {"confirm": "on"})
    assert response.status_code == 403
    assert not Message.objects.filter(destroyed_at__isnull=False).exists()


def test_mark_read_warns_and_can_be_undone_until_the_purge_runs(
    login_as, manager, managed_account, time_machine
):
    time_machine.move_to("2026-11-27 15:00:00 -06:00", tick=False)
    from retention.models import PurgeRun
    from retention.purge import purge_run

    purge_run(trigger=PurgeRun.Trigger.COMMAND)  # the last run: 3:00 p.m.
    message = MessageFactory(account=managed_account, body="When is pickup?")
    client = login_as(manager)
    url = reverse("retention:message-detail", args=[message.pk])
    page = client.get(url).content.decode()
    assert "Once read, a message is destroyed" in page
    assert "The next purge run destroys it, by Nov. 27, 2026, 3:15 p.m." in page
    response = client.post(url, {"action": "read"}, follow=True)
    content = response.content.decode()
    assert "marked read. The next purge run destroys it, by Nov. 27, 2026, 3:15" in (
        content
    )
    assert "Read: to be destroyed." in content
    assert "Undo: mark unread" in content
    response = client.post(url, {"action": "unread"}, follow=True)
    assert "marked unread: the purge keeps it again" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is None and message.read_by is None
    assert audit.events_for(message).filter(action="message.unread").exists()
    # Once destroyed, there is nothing to undo.
    client.post(url, {"action": "read"})
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    page = client.get(url).content.decode()
    assert "Undo: mark unread" not in page
    response = client.post(url, {"action": "unread"}, follow=True)
    assert "cannot be marked unread" in response.content.decode()


def test_a_read_message_a_hold_keeps_says_it_is_kept(
    login_as, manager, managed_account, records_officer
):
    message = MessageFactory(account=managed_account)
    services.message_mark_read(message=message, by=manager)
    services.legal_hold_place(
        by=records_officer, title="Hold", reason="lawsuit", accounts=[managed_account]
    )
    page = login_as(manager).get(reverse("retention:message-detail", args=[message.pk]))
    content = page.content.decode()
    assert "Read, but kept for now" in content
    assert "Undo: mark unread" in content


def test_destruction_log_csv(login_as, records_officer, manager, time_machine):
    from retention.models import PurgeRun
    from retention.purge import purge_run

    time_machine.move_to("2026-11-27 15:05:09 -06:00", tick=False)
    ReadMessageFactory.create_batch(3)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    response = login_as(records_officer).get(reverse("retention:destruction-log-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    record = DestructionRecord.objects.get()
    assert rows[0][:3] == ["record", "run", "series"]
    assert rows[1][0] == str(record.pk)
    assert rows[1][5] == "3"
    assert rows[1][8] == record.ids_sha256
    # The city's time with its offset, as the pages show it (3:05:09 p.m.).
    assert rows[1][9:12] == ["2026-11-27T15:05:09-06:00"] * 3
    assert (
        login_as(manager).get(reverse("retention:destruction-log-csv")).status_code
        == 403
    )


def test_dashboard_panel(
    login_as, manager, managed_account, records_officer, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    MessageFactory.create_batch(2, account=managed_account)
    overdue = MessageFactory(
        account=managed_account,
        follow_up_flagged_at=clock.now() - timedelta(days=9),
        follow_up_flagged_by=manager,
        follow_up_due_on=clock.today() - timedelta(days=2),
        follow_up_reference="SR-12",
    )
    soon = MessageFactory(account=managed_account)
    services.message_flag_follow_up(
        message=soon, by=manager, due_on=clock.today() + timedelta(days=3)
    )
    content = login_as(manager).get(reverse("core:dashboard")).content.decode()
    assert "Messages and retention" in content
    assert "4 unread messages" in content
    # P19: the open follow-ups with their due dates, soonest first.
    assert "2 business requests waiting for follow-up" in content
    first = f"{overdue}</a>, {managed_account}, SR-12: due Nov. 25, 2026 "
    first += "<strong>(overdue)</strong>"
    second = f"{soon}</a>, {managed_account}: due Nov. 30, 2026</li>"
    assert first in content and second in content
    assert content.index(first) < content.index(second)
    officer = login_as(records_officer).get(reverse("core:dashboard")).content.decode()
    assert "0 open legal holds" in officer
    assert "Last run: none yet" in officer


def test_admin_pages_of_the_destruction_log_are_read_only(login_as, records_officer):
    from retention.models import PurgeRun
    from retention.purge import purge_run

    ReadMessageFactory()
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    record = DestructionRecord.objects.get()
    client = login_as(records_officer)
    url = reverse("admin:retention_destructionrecord_change", args=[record.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"item_count": 0}).status_code == 403
    delete = reverse("admin:retention_destructionrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DestructionRecord.objects.get().item_count == 1


def test_admin_add_message_goes_through_the_service(login_as, manager, managed_account):
    from core.models import AuditEvent

    response = login_as(manager).post(
        reverse("admin:retention_message_add"),
        {
            "account": managed_account.pk,
            "direction": "received",
            "platform_message_id": "fb-admin-1",
            "sender_handle": "walk.in",
            "body": "Typed in from a screenshot",
            "received_at_0": "2026-01-05",
            "received_at_1": "10:00:00",
            "classification": "public",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get(platform_message_id="fb-admin-1")
    event = AuditEvent.objects.get(action="message.created", target_id=str(message.pk))
    assert event.actor == manager
    assert event.personal == {"sender_handle": "walk.in"}


def test_the_beat_runs_the_purge_task_at_the_configured_interval(settings):
    from config.celery import app
    from retention.tasks import retention_purge_task

    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    assert entry["task"] == retention_purge_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.RETENTION_PURGE_INTERVAL_MINUTES * 60
    assert settings.RETENTION_PURGE_INTERVAL_MINUTES == 15  # the documented default
    ReadMessageFactory()
    result = retention_purge_task.delay().get()
    assert result["status"] == "finished"
    assert result["destroyed"] == 1


def test_destruction_log_csv_neutralises_formulas(login_as, records_officer, schedule):
    from retention.models import PurgeRun, Series
    from retention.purge import purge_run

    schedule(Series.MESSAGES, schedule_item="=HYPERLINK(1)")
    ReadMessageFactory()
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    response = login_as(records_officer).get(reverse("retention:destruction-log-csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][3] == "'=HYPERLINK(1)"


def test_admin_add_message_in_the_future_is_refused_with_a_message(
    login_as, manager, managed_account
):
    future = clock.now() + timedelta(days=2)
    response = login_as(manager).post(
        reverse("admin:retention_message_add"),
        {
            "account": managed_account.pk,
            "platform_message_id": "fb-admin-2",
            "received_at_0": future.strftime("%Y-%m-%d"),
            "received_at_1": "10:00:00",
            "classification": "public",
        },
    )
    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    assert not Message.objects.filter(platform_message_id="fb-admin-2").exists()


def test_admin_add_private_message_without_its_statute_is_refused_beside_the_field(
    login_as, manager, managed_account
):
    """P24: what is not public names its statute; the admin's add form says so
    beside the field, as the message page and the import do."""
    response = login_as(manager).post(
        reverse("admin:retention_message_add"),
        {
            "account": managed_account.pk,
            "direction": "received",
            "platform_message_id": "fb-admin-3",
            "received_at_0": "2026-01-05",
            "received_at_1": "10:00:00",
            "classification": "private",
            "classification_basis": "  ",
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["classification_basis"] == [
        "Name the statute that makes this data not public, e.g. “Minn. Stat. 13.46”."
    ]
    assert not Message.objects.filter(platform_message_id="fb-admin-3").exists()


def test_bulk_mark_read_can_be_undone_from_the_read_list(
    login_as, manager, managed_account
):
    first, second = MessageFactory.create_batch(2, account=managed_account)
    client = login_as(manager)
    response = client.post(
        reverse("retention:messages-mark-read"),
        {"message": [first.pk, second.pk]},
        follow=True,
    )
    assert "select them and press “Mark selected unread”" in (response.content.decode())
    read_list = client.get(reverse("retention:messages") + "?state=read")
    content = read_list.content.decode()
    assert "Mark selected unread" in content
    assert f'value="{first.pk}"' in content
    response = client.post(
        reverse("retention:messages-mark-unread"),
        {"message": [first.pk], "next": "/retention/messages/?state=read"},
        follow=True,
    )
    assert "1 message marked unread: the purge keeps them again." in (
        response.content.decode()
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is None and second.read_at is not None
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="message.unread_bulk").exists()


def test_bulk_undo_cannot_bring_back_a_destroyed_message(
    login_as, manager, managed_account
):
    from retention.models import PurgeRun
    from retention.purge import purge_run

    message = ReadMessageFactory(account=managed_account)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    response = login_as(manager).post(
        reverse("retention:messages-mark-unread"),
        {"message": [message.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "0 messages marked unread" in content
    assert "1 was already destroyed: destruction cannot be undone." in content
    message.refresh_from_db()
    assert message.is_destroyed


def test_bulk_undo_refuses_messages_of_unmanaged_accounts(login_as, manager):
    other = ReadMessageFactory()
    response = login_as(manager).post(
        reverse("retention:messages-mark-unread"), {"message": [other.pk]}, follow=True
    )
    assert "you do not manage it" in response.content.decode()
    other.refresh_from_db()
    assert other.read_at is not None
