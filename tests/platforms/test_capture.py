"""What a processed delivery becomes: comments with their
versions, states and drafts, messages in the retention inbox (R1), deliveries for
unknown ids kept, and every record made once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.models import AuditEvent
from platforms.models import (
    CapturedComment,
    CommentVersion,
    Connection,
    DraftRemoval,
    MetaDelivery,
)
from retention.models import Message
from tests.accounts.factories import AccountFactory, platform
from tests.platforms.conftest import PAGE_ID, payload, payload_json

pytestmark = pytest.mark.django_db

ORIGINAL = "Will the Elm Street detour end before the farmers market?"
EDITED = "Will the Elm Street detour end before Saturday's farmers market?"


def comment() -> CapturedComment:
    return CapturedComment.objects.get(comment_id="200000000000001_300000000000001")


def test_a_new_comment_is_captured_as_the_removal_log_needs_it(
    deliver, city_page, process
):
    deliver(payload("feed_comment_add.json"))
    assert process() == {"processed": 1}
    captured = comment()
    assert captured.account == city_page
    assert captured.text == ORIGINAL
    assert captured.author_name == "Jordan Lee"
    assert captured.author_id == "400000000000001"
    assert captured.posted_at == datetime.fromtimestamp(1764539940, tz=UTC)
    assert captured.url == (
        "https://www.facebook.com/cityoflakeside/posts/200000000000001"
        "?comment_id=300000000000001"
    )
    assert captured.state == CapturedComment.State.VISIBLE
    assert list(captured.versions.values_list("verb", "text")) == [("add", ORIGINAL)]
    delivery = MetaDelivery.objects.get()
    assert delivery.status == MetaDelivery.Status.PROCESSED
    # What it carried now lives where its retention schedule governs it.
    assert bytes(delivery.body) == b""
    assert AuditEvent.objects.filter(
        action="platforms.comment.captured", target_id=str(captured.pk)
    ).exists()
    assert Connection.objects.get(account=city_page).last_delivery_at == (
        delivery.received_at
    )


def test_an_edit_keeps_the_earlier_text_as_a_version(deliver, city_page, process):
    deliver(payload("feed_comment_add.json"))
    deliver(payload("feed_comment_edited.json"))
    process()
    captured = comment()
    assert captured.text == EDITED
    assert list(captured.versions.values_list("number", "verb", "text")) == [
        (1, "add", ORIGINAL),
        (2, "edited", EDITED),
    ]
    event = AuditEvent.objects.get(action="platforms.comment.edited")
    assert event.data["version"] == 2


def test_an_edit_that_arrives_before_the_comment_keeps_both_texts(
    deliver, city_page, process
):
    deliver(payload("feed_comment_edited.json"))
    process()
    deliver(payload("feed_comment_add.json"))
    process()
    captured = comment()
    assert captured.text == EDITED
    assert sorted(captured.versions.values_list("text", flat=True)) == sorted(
        [ORIGINAL, EDITED]
    )


def test_the_page_hiding_a_comment_opens_a_draft_removal(deliver, city_page, process):
    deliver(payload("feed_comment_add.json"))
    deliver(payload("feed_comment_hide.json"))
    process()
    captured = comment()
    assert captured.state == CapturedComment.State.HIDDEN
    draft = DraftRemoval.objects.get()
    assert (draft.comment, draft.account) == (captured, city_page)
    assert draft.action == DraftRemoval.Action.HIDDEN
    assert draft.status == DraftRemoval.Status.PENDING
    assert draft.detected_at == datetime.fromtimestamp(1764543600, tz=UTC)
    # The hide says nothing of the text: the captured text stays.
    assert captured.text == ORIGINAL


def test_unhiding_shows_the_comment_again_and_leaves_the_draft_to_the_manager(
    deliver, city_page, process
):
    for name in ("add", "hide", "unhide"):
        deliver(payload(f"feed_comment_{name}.json"))
    process()
    assert comment().state == CapturedComment.State.VISIBLE
    assert DraftRemoval.objects.get().status == DraftRemoval.Status.PENDING
    assert AuditEvent.objects.filter(action="platforms.comment.unhidden").exists()


def test_a_removal_opens_a_draft_for_a_deleted_comment(deliver, city_page, process):
    deliver(payload("feed_comment_add.json"))
    deliver(payload("feed_comment_remove.json"))
    process()
    assert comment().state == CapturedComment.State.REMOVED
    assert DraftRemoval.objects.get().action == DraftRemoval.Action.DELETED


def test_hidden_then_deleted_is_one_draft_saying_deleted(deliver, city_page, process):
    for name in ("add", "hide", "remove"):
        deliver(payload(f"feed_comment_{name}.json"))
    process()
    draft = DraftRemoval.objects.get()
    assert draft.action == DraftRemoval.Action.DELETED


def test_a_hide_of_a_comment_never_captured_still_opens_a_draft(
    deliver, city_page, process
):
    deliver(payload("feed_comment_hide.json"))
    process()
    captured = comment()
    assert captured.text == ""
    assert captured.author_name == "Jordan Lee"
    assert DraftRemoval.objects.get().comment == captured
    # Its text, when it comes, completes the record.
    deliver(payload("feed_comment_add.json"))
    process()
    assert comment().text == ORIGINAL


def test_the_page_removing_its_own_comment_is_not_a_removal(
    deliver, city_page, process
):
    data = payload_json("feed_comment_add.json")
    value = data["entry"][0]["changes"][0]["value"]
    value["from"] = {"id": PAGE_ID, "name": "City of Lakeside"}
    deliver(json.dumps(data).encode())
    value["verb"] = "remove"
    deliver(json.dumps(data).encode())
    process()
    assert comment().by_account
    assert comment().state == CapturedComment.State.REMOVED
    assert not DraftRemoval.objects.exists()


def test_one_comment_in_three_different_deliveries_is_one_record(
    deliver, city_page, process
):
    data = payload_json("feed_comment_add.json")
    for time in (1, 2, 3):  # three bodies (Meta batched them differently)
        data["entry"][0]["time"] = 1764540000 + time
        deliver(json.dumps(data).encode())
    assert MetaDelivery.objects.count() == 3
    assert process() == {"processed": 3}
    assert CapturedComment.objects.count() == 1
    assert CommentVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="platforms.comment.captured").count() == 1


def test_processing_twice_records_nothing_more(deliver, city_page, process):
    for name in ("add", "edited", "hide"):
        deliver(payload(f"feed_comment_{name}.json"))
    process()
    MetaDelivery.objects.update(status=MetaDelivery.Status.RECEIVED)
    before = AuditEvent.objects.filter(action__startswith="platforms.comment").count()
    process()
    assert CommentVersion.objects.count() == 2
    assert DraftRemoval.objects.count() == 1
    after = AuditEvent.objects.filter(action__startswith="platforms.comment").count()
    assert after == before


def test_an_instagram_comment_is_captured_for_the_instagram_account(deliver, process):
    account = AccountFactory(
        platform=platform("instagram"), platform_account_id="17841400000000001"
    )
    deliver(payload("instagram_comment.json"))
    process()
    captured = CapturedComment.objects.get()
    assert captured.account == account
    assert captured.source == CapturedComment.Source.INSTAGRAM
    assert captured.text == "Love the new trail map!"
    assert captured.author_handle == "lakeside.runner"
    assert captured.post_id == "17900000000000001"


def test_a_messenger_message_goes_to_the_retention_inbox_unread(
    deliver, city_page, process
):
    deliver(payload("messenger_message.json"))
    process()
    message = Message.objects.get()  # the page's echo and the read receipt are not
    assert message.account == city_page
    assert message.body == "Hi! Is the city pool open on the Fourth?"
    assert message.sender_handle == "500000000000001"
    assert message.received_at == datetime.fromtimestamp(1764539999.876, tz=UTC)
    assert message.platform_message_id.startswith("m_AG5Hz2Uq7")
    assert message.read_at is None
    assert MetaDelivery.objects.get().summary == {
        "comments": 0,
        "messages": 1,
        "ignored": 2,
    }
    # The same message again, in another delivery: still one.
    data = payload_json("messenger_message.json")
    data["entry"][0]["time"] += 1
    deliver(json.dumps(data).encode())
    process()
    assert Message.objects.count() == 1


def test_a_delivery_for_an_unknown_page_is_kept_and_processed_once_the_id_is_set(
    deliver, city_page, process, city_admin, login_as
):
    deliver(payload("feed_comment_unknown_page.json"))
    assert process() == {"unmatched": 1}
    delivery = MetaDelivery.objects.get()
    assert delivery.unmatched_ids == ["facebook:199999999999999"]
    # The known page's comment is captured; the unknown one is kept, never dropped.
    assert list(CapturedComment.objects.values_list("author_name", flat=True)) == [
        "Sam Ortiz"
    ]
    assert bytes(delivery.body) == payload("feed_comment_unknown_page.json")
    # Staff see it...
    client = login_as(city_admin)
    html = client.get("/platforms/deliveries/").content.decode()
    assert "facebook:199999999999999" in html
    assert "For an id on no account" in html
    dashboard = client.get("/staff/").content.decode()
    assert "for an id on no account" in dashboard
    # ...set the id on the registry, and have it processed again.
    library = AccountFactory(platform=platform("facebook"))
    library.platform_account_id = "199999999999999"
    library.save()
    response = client.post(f"/platforms/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    assert process() == {"processed": 1}
    assert CapturedComment.objects.filter(account=library).get().text == (
        "Is the library open late on Thursdays?"
    )
    assert CapturedComment.objects.count() == 2


def test_a_reaction_or_a_post_is_ignored_without_an_account_to_match(deliver, process):
    deliver(payload("feed_reaction.json"))
    assert process() == {"processed": 1}
    assert MetaDelivery.objects.get().summary["ignored"] == 1
    assert not CapturedComment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b'{"object": "page", "entry": [{"id": "100000000000001", "changes": '
        b'[{"field": "feed", "value": {"item": "comment", "verb": "add"}}]}]}',
    ],
    ids=["not JSON", "comment without id"],
)
def test_a_delivery_that_cannot_be_read_is_kept_and_tried_again_later(
    deliver, city_page, process, body, time_machine
):
    deliver(body)
    assert process() == {"failed": 1}
    delivery = MetaDelivery.objects.get()
    assert delivery.status == MetaDelivery.Status.FAILED
    assert bytes(delivery.body) == body
    assert delivery.last_error
    assert delivery.next_attempt_at > delivery.received_at
    assert process() == {}  # not due yet
    time_machine.move_to(delivery.next_attempt_at, tick=False)
    assert process() == {"failed": 1}
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_failure_half_way_keeps_nothing_of_the_delivery(
    deliver, city_page, process, monkeypatch
):
    from platforms.services import capture

    data = payload_json("messenger_message.json")
    data["entry"][0]["changes"] = payload_json("feed_comment_add.json")["entry"][0][
        "changes"
    ]
    deliver(json.dumps(data).encode())

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(capture, "message_create", broken)
    assert process() == {"failed": 1}
    assert not CapturedComment.objects.exists()
    assert not Message.objects.exists()
    assert "the database went away" in MetaDelivery.objects.get().last_error
