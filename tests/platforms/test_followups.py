"""P19 follow-ups of captured public comments: flagged and followed
up as a message is (core.followups), by the comment's account's managers, listed
on the dashboard until done, kept by the purge until then (R2, R4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from core import clock
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from core.models import AuditEvent
from platforms import services
from platforms.models import CapturedComment
from retention.models import PurgeRun, RetentionSchedule, Series
from retention.purge import purge_run
from tests.accounts.factories import ManagerAccessFactory
from tests.platforms.factories import CapturedCommentFactory, MetaPageFactory
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(page_manager, city_page):
    return CapturedCommentFactory(account=city_page, text="Can I get a permit?")


def test_service_flags_and_records_with_one_audit_event_each(comment, page_manager):
    due = clock.today() + timedelta(days=5)
    services.comment_flag_follow_up(
        comment=comment, by=page_manager, due_on=due, reference=" SR-9 "
    )
    comment.refresh_from_db()
    assert comment.waiting_for_follow_up
    assert (comment.follow_up_due_on, comment.follow_up_reference) == (due, "SR-9")
    assert comment.follow_up_flagged_by == page_manager
    with pytest.raises(InvalidTransition, match="already flagged"):
        services.comment_flag_follow_up(comment=comment, by=page_manager, due_on=due)
    with pytest.raises(DomainError, match="Choose phone, email or other"):
        services.comment_record_follow_up(
            comment=comment, by=page_manager, channel="fax", note="Faxed."
        )
    services.comment_record_follow_up(
        comment=comment, by=page_manager, channel="email", note=" Sent the form. "
    )
    comment.refresh_from_db()
    assert not comment.waiting_for_follow_up
    assert (comment.follow_up_channel, comment.follow_up_note) == (
        "email",
        "Sent the form.",
    )
    assert comment.follow_up_reference == "SR-9"  # kept when none is given
    actions = list(
        AuditEvent.objects.filter(
            target_id=str(comment.pk), action__contains="follow_up"
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "platforms.comment.follow_up_flagged",
        "platforms.comment.follow_up_recorded",
    ]
    with pytest.raises(InvalidTransition, match="already recorded"):
        services.comment_record_follow_up(
            comment=comment, by=page_manager, channel="phone", note="Again."
        )


def test_a_due_date_in_the_past_is_refused(comment, page_manager):
    with pytest.raises(DomainError, match="due date is in the past"):
        services.comment_flag_follow_up(
            comment=comment,
            by=page_manager,
            due_on=clock.today() - timedelta(days=1),
        )
    comment.refresh_from_db()
    assert comment.follow_up_flagged_at is None


def test_a_manager_of_another_account_is_refused(comment, make_staff):
    from core import roles

    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    ManagerAccessFactory(account=MetaPageFactory(), manager=other)
    with pytest.raises(NotPermitted):
        services.comment_flag_follow_up(
            comment=comment, by=other, due_on=clock.today() + timedelta(days=1)
        )
    with pytest.raises(NotPermitted):
        services.comment_record_follow_up(
            comment=comment, by=other, channel="phone", note="Called."
        )
    comment.refresh_from_db()
    assert comment.follow_up_flagged_at is None and comment.follow_up_at is None


def test_the_comment_page_flags_and_records_the_follow_up(
    login_as, comment, page_manager, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    client = login_as(page_manager)
    url = reverse("platforms:comment", args=[comment.pk])
    page = client.get(url).content.decode()
    assert "<dd>Not flagged</dd>" in page
    assert "Flag for follow-up" in page
    # Bad input is shown on the form, the page rendered again with a 400.
    response = client.post(url, {"action": "flag", "flag-follow_up_due_on": ""})
    assert response.status_code == 400
    assert "Follow-up due: This field is required." in response.content.decode()
    response = client.post(
        url, {"action": "flag", "flag-follow_up_due_on": "2026-11-20"}
    )
    assert response.status_code == 400
    assert "The follow-up due date is in the past." in response.content.decode()
    response = client.post(
        url,
        {
            "action": "flag",
            "flag-follow_up_due_on": "2026-12-04",
            "flag-follow_up_reference": "SR-2026-77",
        },
        follow=True,
    )
    content = response.content.decode()
    assert "flagged for follow-up (P19), due Dec. 4, 2026." in content
    assert "follow-up not recorded yet, so the comment is kept" in content
    assert "<dt>Process reference</dt><dd>SR-2026-77</dd>" in content
    assert "Flag for follow-up" not in content
    response = client.post(
        url, {"action": "follow_up", "record-follow_up_channel": "phone"}
    )
    assert response.status_code == 400
    assert "Follow-up note: This field is required." in response.content.decode()
    response = client.post(
        url,
        {
            "action": "follow_up",
            "record-follow_up_channel": "phone",
            "record-follow_up_note": "Called back; sent the permit form.",
        },
        follow=True,
    )
    content = response.content.decode()
    assert f"Followed up by phone on Nov. 27, 2026, 3:05 p.m. by {page_manager}" in (
        content
    )
    assert (
        "<dt>Follow-up note</dt><dd>Called back; sent the permit form.</dd>" in content
    )
    assert "Record follow-up" not in content


@pytest.mark.parametrize(
    "data",
    [
        {"action": "flag", "flag-follow_up_due_on": "2099-12-04"},
        {
            "action": "follow_up",
            "record-follow_up_channel": "phone",
            "record-follow_up_note": "Called back.",
        },
    ],
    ids=["flag", "follow_up"],
)
def test_the_page_refuses_a_viewer_who_does_not_manage_the_account(
    login_as, comment, records_officer, data
):
    """The Records Officer sees every account's comments but acts for none (P11):
    a follow-up they post is the 403 page (core.exceptions), as on a message's."""
    client = login_as(records_officer)
    url = reverse("platforms:comment", args=[comment.pk])
    page = client.get(url).content.decode()
    assert "Business request (P19)" in page
    assert "Flag for follow-up" not in page
    response = client.post(url, data)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    comment.refresh_from_db()
    assert comment.follow_up_flagged_at is None and comment.follow_up_at is None


def test_the_dashboard_lists_waiting_comments_with_messages_until_done(
    login_as, comment, page_manager, city_page, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    from retention import services as retention_services

    message = MessageFactory(account=city_page)
    retention_services.message_flag_follow_up(
        message=message, by=page_manager, due_on=clock.today() + timedelta(days=6)
    )
    services.comment_flag_follow_up(
        comment=comment,
        by=page_manager,
        due_on=clock.today() + timedelta(days=2),
        reference="SR-5",
    )
    client = login_as(page_manager)
    content = client.get(reverse("core:dashboard")).content.decode()
    assert "2 business requests waiting for follow-up" in content
    url = reverse("platforms:comment", args=[comment.pk])
    first = f'<a href="{url}">{comment}</a>, {city_page}, SR-5: due Nov. 29, 2026'
    second = f"{message}</a>, {city_page}: due Dec. 3, 2026"
    assert first in content and second in content
    assert content.index(first) < content.index(second)
    waiting = client.get(reverse("retention:follow-ups")).content.decode()
    assert "Public comments waiting for follow-up" in waiting
    assert f'<td data-label="Record"><a href="{url}">{comment}</a></td>' in waiting
    assert '<td data-label="Process reference">SR-5</td>' in waiting
    assert '<td data-label="Due">Nov. 29, 2026</td>' in waiting
    services.comment_record_follow_up(
        comment=comment, by=page_manager, channel="phone", note="Called."
    )
    content = client.get(reverse("core:dashboard")).content.decode()
    assert "1 business request waiting for follow-up" in content
    assert url not in content
    waiting = client.get(reverse("retention:follow-ups")).content.decode()
    assert "Public comments waiting for follow-up" not in waiting


def test_the_purge_keeps_a_flagged_comment_then_destroys_it_clearing_the_note(
    comment, page_manager
):
    services.comment_flag_follow_up(
        comment=comment,
        by=page_manager,
        due_on=clock.today() + timedelta(days=1),
        reference="SR-8",
    )
    CapturedComment.objects.filter(pk=comment.pk).update(
        last_seen_at=clock.now() - timedelta(days=800)
    )
    RetentionSchedule.objects.filter(series=Series.CAPTURED_COMMENTS).update(
        years=1, schedule_item="GS-SM-02", destruction_enabled=True
    )
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.counts.get(Series.CAPTURED_COMMENTS, 0) == 0
    comment.refresh_from_db()
    assert comment.redacted_at is None
    services.comment_record_follow_up(
        comment=comment, by=page_manager, channel="email", note="Wrote to Ann."
    )
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.counts[Series.CAPTURED_COMMENTS] == 1
    comment.refresh_from_db()
    assert comment.redacted_at is not None
    assert (comment.text, comment.follow_up_note) == ("", "")
    assert (comment.follow_up_reference, comment.follow_up_channel) == ("SR-8", "email")
    assert not AuditEvent.objects.filter(
        target_id=str(comment.pk),
        action="platforms.comment.follow_up_recorded",
        personal__isnull=False,
    ).exists()
    with pytest.raises(InvalidTransition, match="destroyed"):
        services.comment_flag_follow_up(
            comment=comment, by=page_manager, due_on=clock.today()
        )


def test_the_follow_ups_panel_costs_the_same_queries_for_one_or_ten_of_each(
    login_as, page_manager, city_page, dashboard_queries
):
    from retention import services as retention_services
    from tests.accounts.factories import AccountFactory

    # Two accounts the manager manages, on two platforms.
    other = AccountFactory()
    ManagerAccessFactory(account=other, manager=page_manager)
    due = clock.today() + timedelta(days=3)

    def flag_both(n: int) -> None:
        account = city_page if n % 2 else other
        message: Any = MessageFactory(account=account)
        retention_services.message_flag_follow_up(
            message=message, by=page_manager, due_on=due
        )
        comment: Any = CapturedCommentFactory(account=account)
        services.comment_flag_follow_up(
            comment=comment,
            by=page_manager,
            due_on=due,
            reference=f"SR-{n}",
        )

    flag_both(0)
    client = login_as(page_manager)
    dashboard_queries(client)  # warm the session
    one, html = dashboard_queries(client)
    assert "2 business requests waiting for follow-up" in html
    for n in range(1, 10):
        flag_both(n)
    ten, html = dashboard_queries(client)
    assert "20 business requests waiting for follow-up" in html
    assert f"{city_page}, SR-" in html and f"{other}, SR-" in html
    assert ten == one
