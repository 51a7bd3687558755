"""Demo data for the retention app: messages read and unread, a business request
waiting for follow-up, a legal hold, a disaster period and one past purge run.

Idempotent: messages are keyed by platform id; the hold and the disaster period by
their title; the past purge runs only when no run exists yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core import clock
from core.classification import DataClassification
from retention import services
from retention.models import DisasterPeriod, LegalHold, Message, PurgeRun

# (account slug, platform id, sender, text, hours ago, read by, flag for follow-up)
PAST = [
    ("facebook", "demo-old-1", "sam.k", "Thanks for plowing our street so early!", 240),
    ("facebook", "demo-old-2", "lena_p", "Love the new summer concert series.", 230),
    ("instagram", "demo-old-3", "bikesmn", "Great photo of the lake trail!", 200),
    ("x", "demo-old-4", "riverrat", "Is the boat launch open this weekend?", 190),
]
CURRENT = [
    (
        "facebook",
        "demo-1",
        "jo.anderson",
        "When is bulk pickup on the east side?",
        30,
        None,
        False,
    ),
    (
        "facebook",
        "demo-2",
        "m.garcia",
        "The streetlight on Oak & 5th has been out for a week.",
        20,
        None,
        True,
    ),
    (
        "facebook",
        "demo-3",
        "pat_w",
        "Thanks for the quick reply about the pool hours.",
        50,
        "manager",
        False,
    ),
    (
        "instagram",
        "demo-4",
        "lakeside_runner",
        "Will the 5K route be closed to cars?",
        6,
        None,
        False,
    ),
    (
        "x",
        "demo-5",
        "hometown_dad",
        "How do I apply for a block party permit?",
        3,
        None,
        True,
    ),
    (
        "parks-facebook",
        "demo-6",
        "coach.lee",
        "Are the ball fields dry enough for practice?",
        2,
        None,
        False,
    ),
    (
        "parks-facebook",
        "demo-7",
        "amy.r",
        "Lovely new benches at Shoreline Park.",
        26,
        "parks",
        False,
    ),
]


def _message(
    account: Any, platform_id: str, sender: str, text: str, hours: int
) -> Message:
    existing = Message.objects.filter(
        account=account, platform_message_id=platform_id
    ).first()
    if existing:
        return existing
    return services.message_create(
        account=account,
        platform_message_id=platform_id,
        sender_handle=sender,
        body=text,
        received_at=clock.now() - timedelta(hours=hours),
    )


# P24: a reply the city sent, and a message holding data a statute makes private
# (welfare data, Minn. Stat. 13.46): withheld from staff who may not see it.
SENT = (
    "facebook",
    "demo-sent-1",
    "jo.anderson",
    "Bulk pickup on the east side "
    "is the first Monday of the month; put items out by 7 a.m.",
    29,
)
PRIVATE = (
    "facebook",
    "demo-private-1",
    "k.nguyen",
    "I get energy assistance and cannot pay this month's utility bill; who do I call?",
    5,
)


def seed(ctx: dict[str, Any]) -> None:
    from retention.purge import purge_run

    users = ctx["users"]
    accounts = ctx["accounts"]
    if not PurgeRun.objects.exists():
        for slug, platform_id, sender, text, hours in PAST:
            message = _message(accounts[slug], platform_id, sender, text, hours)
            if message.read_at is None:
                services.message_mark_read(message=message, by=users["manager"])
        purge_run(trigger=PurgeRun.Trigger.COMMAND, by=users["records"])
    for slug, platform_id, sender, text, hours, reader, flag in CURRENT:
        message = _message(accounts[slug], platform_id, sender, text, hours)
        if flag and message.follow_up_flagged_at is None:
            services.message_flag_follow_up(
                message=message,
                by=users["manager"],
                due_on=clock.today() + timedelta(days=3),
                reference="Service request SR-2026-0412",
            )
        if reader and message.read_at is None:
            services.message_mark_read(message=message, by=users[reader])
    slug, platform_id, to, text, hours = SENT
    if not Message.objects.filter(platform_message_id=platform_id).exists():
        services.message_create(
            account=accounts[slug],
            platform_message_id=platform_id,
            sender_handle=to,
            body=text,
            received_at=clock.now() - timedelta(hours=hours),
            direction=Message.Direction.SENT,
            by=users["manager"],
        )
    private = _message(accounts[PRIVATE[0]], *PRIVATE[1:])
    if private.classification != DataClassification.PRIVATE:
        services.message_classify(
            message=private,
            by=users["manager"],
            classification=DataClassification.PRIVATE,
            basis="Minn. Stat. 13.46",
        )
    if not LegalHold.objects.filter(title="Public data request DR-2026-031").exists():
        services.legal_hold_place(
            by=users["records"],
            title="Public data request DR-2026-031",
            reason="Data practices request for messages about the Oak Street lighting "
            "project; keep until the request is closed.",
            accounts=[accounts["facebook"]],
            date_from=clock.today() - timedelta(days=30),
        )
    if not DisasterPeriod.objects.filter(name="Spring flood emergency").exists():
        start = clock.now() - timedelta(days=120)
        services.disaster_period_declare(
            by=users["clerk"],
            name="Spring flood emergency",
            description="Sandbagging sites and road closures were announced on the "
            "city's accounts; residents reported flooding by message.",
            starts_at=start,
            ends_at=start + timedelta(days=9),
            accounts=[accounts["facebook"], accounts["x"]],
        )
