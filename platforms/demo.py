"""Demo data for the platforms app: the city's Facebook Page connected to Meta's
webhook (page id 100000000000001), and a few deliveries already captured: a
comment and its edit, a comment the page hid (a draft removal on the manager's
dashboard), a Messenger message (in the messages inbox), and two comments that
start a business request (P19): one flagged for follow-up (on the dashboard's
follow-ups), one whose follow-up is recorded.

The deliveries go through the real path: signed bodies stored as the webhook
stores them, then processed by the job's service; the follow-ups through the
services a manager's page calls. Idempotent: a body already stored is not stored
again, a comment or message already captured is not captured again, and a
comment already flagged or followed up is left as it is.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from accounts import services as accounts_services
from core import clock
from core.followups import Channel
from platforms import services
from platforms.models import CapturedComment

DEMO_PAGE_ID = "100000000000001"
POST = f"{DEMO_PAGE_ID}_200000000000001"

# P19: comments that start a business request, captured once each by comment
# number: (number, author, text, hours ago, process reference, recorded follow-up
# as (channel, note), or None while it waits).
FOLLOW_UPS = [
    (
        3,
        ("400000000000003", "Robin Ellis"),
        "How do we reserve the Lakeside Park pavilion for a family reunion in August?",
        26,
        "Park reservation PR-2026-0088",
        None,
    ),
    (
        4,
        ("400000000000004", "Alex Rivera"),
        "There is a pothole the size of a tire on Birch Ave by the school.",
        50,
        "Service request SR-2026-0415",
        (
            Channel.OTHER,
            "Replied on the post with the service request number; Public Works "
            "filled the pothole the next morning.",
        ),
    ),
]


def _feed(value: dict[str, Any], at: int) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": DEMO_PAGE_ID,
                    "time": at,
                    "changes": [{"field": "feed", "value": value}],
                }
            ],
        }
    ).encode()


def _comment_id(number: int) -> str:
    return f"200000000000001_30000000000000{number}"


def _comment(number: int, verb: str, text: str | None, who: tuple, at: int) -> bytes:
    value: dict[str, Any] = {
        "from": {"id": who[0], "name": who[1]},
        "post_id": POST,
        "comment_id": _comment_id(number),
        "parent_id": POST,
        "created_time": at,
        "item": "comment",
        "verb": verb,
        "post": {
            "id": POST,
            "permalink_url": "https://www.facebook.com/cityoflakeside/posts/200000000000001",
            "status_type": "added_photos",
            "is_published": True,
        },
    }
    if text is not None:
        value["message"] = text
    return _feed(value, at)


def seed(ctx: dict[str, Any]) -> None:
    account = ctx["accounts"]["facebook"]
    if account.platform_account_id != DEMO_PAGE_ID:
        accounts_services.account_update(
            account=account, by=ctx["users"]["clerk"], platform_account_id=DEMO_PAGE_ID
        )
    if not account.captured_comments.exists():
        _capture(now=int(clock.now().timestamp()))
    _follow_ups(account, by=ctx["users"]["manager"])
    ctx["platforms_page_id"] = DEMO_PAGE_ID


def _capture(*, now: int) -> None:
    """Capture the demo's first deliveries (once: a body made now would differ
    from one made before, so the store would not deduplicate it)."""
    resident = ("400000000000001", "Jordan Lee")
    other = ("400000000000002", "Casey Morgan")
    hours = 3600
    deliveries = [
        _comment(
            1,
            "add",
            "Will the Elm Street detour end before the farmers market?",
            resident,
            now - 5 * hours,
        ),
        _comment(
            1,
            "edited",
            "Will the Elm Street detour end before Saturday's farmers market?",
            resident,
            now - 5 * hours + 300,
        ),
        _comment(
            2,
            "add",
            "Call 555-0142 to buy cheap followers!!! Best prices in Lakeside",
            other,
            now - 3 * hours,
        ),
        _comment(2, "hide", None, other, now - 2 * hours),
        json.dumps(
            {
                "object": "page",
                "entry": [
                    {
                        "id": DEMO_PAGE_ID,
                        "time": now - hours,
                        "messaging": [
                            {
                                "sender": {"id": "500000000000001"},
                                "recipient": {"id": DEMO_PAGE_ID},
                                "timestamp": (now - hours) * 1000,
                                "message": {
                                    "mid": "m_demo-messenger-1",
                                    "text": "Hi! Is the city pool open on the Fourth?",
                                },
                            }
                        ],
                    }
                ],
            }
        ).encode(),
    ]
    for body in deliveries:
        services.meta_delivery_store(body=body)
    services.meta_deliveries_process()


def _follow_ups(account: Any, *, by: Any) -> None:
    """Capture the comments of :data:`FOLLOW_UPS` not captured yet, then flag
    each for follow-up and record those followed up (P19), through the services."""
    now = int(clock.now().timestamp())
    captured = set(account.captured_comments.values_list("comment_id", flat=True))
    missing = [row for row in FOLLOW_UPS if _comment_id(row[0]) not in captured]
    for number, who, text, hours, *_ in missing:
        services.meta_delivery_store(
            body=_comment(number, "add", text, who, now - hours * 3600)
        )
    if missing:
        services.meta_deliveries_process()
    for number, _who, _text, _hours, reference, recorded in FOLLOW_UPS:
        comment = CapturedComment.objects.get(
            account=account, comment_id=_comment_id(number)
        )
        if comment.is_redacted:
            continue  # destroyed under the schedule: nothing to follow up
        if comment.follow_up_flagged_at is None and comment.follow_up_at is None:
            comment = services.comment_flag_follow_up(
                comment=comment,
                by=by,
                due_on=clock.today() + timedelta(days=3),
                reference=reference,
            )
        if recorded and comment.follow_up_at is None:
            channel, note = recorded
            services.comment_record_follow_up(
                comment=comment, by=by, channel=channel, note=note
            )
