"""Demo data for the platforms app: the city's Facebook Page connected to Meta's
webhook (page id 100000000000001), and a few deliveries already captured: a
comment and its edit, a comment the page hid (a draft removal on the manager's
dashboard), and a Messenger message (in the messages inbox).

The deliveries go through the real path: signed bodies stored as the webhook
stores them, then processed by the job's service. Idempotent: a body already
stored is not stored again, and a comment or message already captured is not
captured again.
"""

from __future__ import annotations

import json
from typing import Any

from accounts import services as accounts_services
from core import clock
from platforms import services

DEMO_PAGE_ID = "100000000000001"
POST = f"{DEMO_PAGE_ID}_200000000000001"


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


def _comment(number: int, verb: str, text: str | None, who: tuple, at: int) -> bytes:
    value: dict[str, Any] = {
        "from": {"id": who[0], "name": who[1]},
        "post_id": POST,
        "comment_id": f"200000000000001_30000000000000{number}",
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
    if account.captured_comments.exists():
        return  # captured already (a body made now would differ: not deduplicated)
    now = int(clock.now().timestamp())
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
    ctx["platforms_page_id"] = DEMO_PAGE_ID
