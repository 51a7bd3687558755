"""Demo data for the moderation app: a spread of realistic removals (P20, P21).

Logged through the services, so each has its audit events; idempotent (a removal
whose comment id is already logged on its account is skipped).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core import clock
from moderation import services
from moderation.models import RemovalCategory, RemovalDecision

# (account slug, remover, days ago, comment id, author, handle, text, categories,
#  link, facts, reasoning, hidden/deleted, told?)
REMOVALS: list[tuple[Any, ...]] = [
    (
        "facebook",
        "manager",
        2,
        "1029384756102938",
        "Deals Daily",
        "",
        "🔥 Make $500 a day from home!!! No experience needed. Message me now or "
        "visit quick-cash-remote.example for details 🔥",
        [7, 8],
        "https://quick-cash-remote.example/join",
        "The comment advertises a paid work-from-home scheme and links to its "
        "sign-up page; it was posted under the snow emergency announcement.",
        "It is a commercial promotion unrelated to the post (category 7) and links "
        "to the promotion's page (category 8).",
        "deleted",
        False,
    ),
    (
        "facebook",
        "manager",
        5,
        "1029384756109999",
        "Gary Pfeiffer",
        "",
        "Whoever approved this parking ban should watch their back. I know where "
        "the public works director parks his truck and it won't be in one piece.",
        [2],
        "",
        "The comment says the public works director should 'watch their back' and "
        "that his truck 'won't be in one piece'.",
        "This is a direct threat to a person and to his property (category 2), not "
        "criticism of the parking ban, which other comments make and which stay up.",
        "hidden",
        True,
    ),
    (
        "instagram",
        "manager",
        9,
        "17923456789012345",
        "mn.neighbor.watch",
        "@mn.neighbor.watch",
        "FYI the crossing guard at Lincoln Elementary is Karen S., she lives at "
        "1432 Birch Lane and her cell is 555-0199, call her and tell her what you "
        "think.",
        [4],
        "",
        "The comment gives a named crossing guard's home address and mobile number "
        "and invites people to call her.",
        "A private person's home address and phone number were posted without "
        "her consent (category 4).",
        "deleted",
        True,
    ),
    (
        "x",
        "manager",
        14,
        "1866554433221100",
        "Lakeside Truth",
        "@lakeside_truth",
        "Here's the door code for the police evidence room back entrance: 4471#. "
        "Anyone can walk in after 6pm.",
        [5],
        "",
        "The reply posts what it says is the access code of a police building's "
        "rear door and when it is unattended.",
        "Publishing an access code for a police facility compromises a public "
        "safety security system (category 5).",
        "deleted",
        False,
    ),
    (
        "parks-facebook",
        "parks",
        20,
        "5566778899001122",
        "Sunny Acres Realty",
        "",
        "Looking for a home near Lakeside Park? Sunny Acres Realty has 12 new "
        "listings! Call today 555-0142 #realestate #lakeside",
        [7],
        "",
        "The comment is an advertisement for a real estate agency with its phone "
        "number, posted on the summer camp registration post.",
        "It is a commercial promotion (category 7) with no bearing on the camp "
        "registration post it was left under.",
        "hidden",
        True,
    ),
    (
        "parks-facebook",
        "parks",
        33,
        "5566778899003344",
        "Tom Becker",
        "",
        "Here is the full PDF of the new band shell design, copied from the "
        "architect's paid portfolio site so you don't have to pay for it.",
        [3],
        "",
        "The architecture firm wrote to the city saying the attached PDF is its "
        "copyrighted design portfolio, shared without permission.",
        "The rights holder asserts the material violates its copyright "
        "(category 3); the city's own summary of the design remains posted.",
        "deleted",
        True,
    ),
    (
        "nextdoor",
        "manager",
        41,
        "982341",
        "Deb L.",
        "",
        "My neighbor's kid was arrested last week, here is the juvenile court "
        "record number and the police report I got: JV-2026-0412.",
        [6],
        "",
        "The post shares a juvenile court record number and describes a police "
        "report about a named minor.",
        "Juvenile records are not public under Minnesota law; posting them shares "
        "data that statute makes private (category 6).",
        "hidden",
        False,
    ),
    (
        "x",
        "manager",
        63,
        "1866554433229911",
        "hot singles nearby",
        "@hotsingles_mn",
        "[attached image: sexually explicit photo] 😘 more at "
        "hot-singles-nearby.example",
        [1, 8],
        "https://hot-singles-nearby.example/",
        "The reply attached a sexually explicit photograph and linked to an adult "
        "site; the image was captured in the screenshot kept by the manager.",
        "The photograph is pornographic (category 1) and the link leads to more of "
        "the same (category 8).",
        "deleted",
        False,
    ),
    (
        "instagram",
        "manager",
        55,
        "17923456789055555",
        "free.followers.now",
        "@free.followers.now",
        "Get 10k followers FREE 👉 link in bio 👈 #follow4follow",
        [7],
        "",
        "Automated-looking comment selling followers, posted on six city posts "
        "within a minute.",
        "Spam (category 7): repeated commercial promotion unrelated to the posts.",
        "deleted",
        False,
    ),
]


def seed(ctx: dict[str, Any]) -> None:
    users = ctx.get("users") or {}
    accounts = ctx.get("accounts") or {}
    if not users or not accounts:
        return
    categories = {c.number: c for c in RemovalCategory.objects.all()}
    now = clock.now()
    made: list[RemovalDecision] = []
    for (
        slug,
        username,
        days,
        comment_id,
        author,
        handle,
        text,
        numbers,
        link,
        facts,
        reasoning,
        action,
        told,
    ) in REMOVALS:
        account = accounts.get(slug)
        if (
            account is None
            or RemovalDecision.objects.filter(
                account=account, comment_id=comment_id
            ).exists()
        ):
            continue
        removed_at = now - timedelta(days=days, hours=3)
        base = account.url.rstrip("/")
        decision = services.removal_create(
            by=users[username],
            account=account,
            comment_url=f"{base}/posts/{comment_id}?comment_id={comment_id}",
            comment_id=comment_id,
            comment_text=text,
            author_name=author,
            author_handle=handle,
            posted_at=removed_at - timedelta(minutes=47),
            removed_at=removed_at,
            categories=[categories[n] for n in numbers],
            link_to_material=link,
            facts=facts,
            reasoning=reasoning,
            platform_action=action,
        )
        if told:
            from moderation.notifications import removal_notification_text

            services.removal_notify_author(
                decision=decision,
                by=users[username],
                via="message",
                text=removal_notification_text(decision=decision),
                notified_at=removed_at + timedelta(minutes=20),
            )
        made.append(decision)
    if len(made) == len(REMOVALS):
        # One correction and one restoration, so the demo shows amendments.
        services.removal_amend(
            decision=made[5],
            by=users["parks"],
            field="platform_action",
            value="hidden",
            reason="The comment was hidden, not deleted: Facebook still shows it "
            "to its author and friends.",
        )
        services.removal_restore(
            decision=made[6],
            by=users["clerk"],
            reason="The court number turned out to refer to the poster's own "
            "public civil case; the comment does not share private data.",
        )
