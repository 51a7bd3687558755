"""Demo data for the transparency page: a year of removals.

The moderation demo logs a dozen removals from the last two months; the appeals
demo files appeals and challenges from the last few weeks. This adds about 120
removals spread over the rest of the past year, on the demo accounts, through
``moderation.services`` (as their managers would log them), with a plausible mix
of categories (mostly spam, P21) and a few restorations, so the page's charts by
month, account and category show a year. Run once: a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from core import clock

MARK = "9026"  # comment ids of this demo's removals start with it
COUNT = 120

# (category numbers, weight, comment, facts, reasoning)
KINDS = [
    (
        [7],
        50,
        "Cheap sunglasses 80% off today only, DM me",
        "The comment advertises sunglasses, unrelated to the post.",
        "A commercial promotion (category 7).",
    ),
    (
        [7, 8],
        14,
        "Earn $500 a day from home, sign up here",
        "The comment sells a work-from-home scheme and links to it.",
        "A commercial promotion (category 7) with a link to it (category 8).",
    ),
    (
        [4],
        10,
        "[a resident's home address and phone number]",
        "The comment gave a named resident's home address and phone number.",
        "Private information published without consent (category 4).",
    ),
    (
        [1],
        9,
        "[obscene image]",
        "The comment was a sexually explicit image.",
        "Obscene content (category 1).",
    ),
    (
        [2],
        8,
        "[a threat to damage a named business]",
        "The comment threatened to damage a named local business.",
        "A direct threat to property (category 2).",
    ),
    (
        [3],
        4,
        "[a full copyrighted article pasted in]",
        "The comment pasted a newspaper article whose publisher asked for removal.",
        "Material asserted to violate intellectual property (category 3).",
    ),
    (
        [5],
        3,
        "[the door code of the public works garage]",
        "The comment posted the door code of a city building.",
        "It compromises a public safety security system (category 5).",
    ),
    (
        [6],
        2,
        "[a juvenile's court record]",
        "The comment quoted a juvenile court record.",
        "Data that is private by statute (category 6).",
    ),
]
# (account slug, user who manages it, weight)
WHERE = [
    ("facebook", "manager", 50),
    ("parks-facebook", "parks", 25),
    ("instagram", "manager", 15),
    ("x", "manager", 10),
]


def seed(ctx: dict[str, Any]) -> None:
    from moderation import services
    from moderation.models import RemovalCategory, RemovalDecision

    users = ctx.get("users") or {}
    accounts = ctx.get("accounts") or {}
    where = [
        (accounts[slug], users[user], weight)
        for slug, user, weight in WHERE
        if slug in accounts and user in users
    ]
    if not where:
        return
    if RemovalDecision.objects.filter(comment_id__startswith=MARK).exists():
        return
    categories = {c.number: c for c in RemovalCategory.objects.all()}
    rng = random.Random(18)  # noqa: S311  # nosec B311 (demo data, not a secret)
    now = clock.now()
    made = []
    for i in range(COUNT):
        account, by, _w = rng.choices(where, [w for *_, w in where])[0]
        numbers, _w2, text, facts, reasoning = rng.choices(
            KINDS, [k[1] for k in KINDS]
        )[0]
        # Older than the moderation demo's removals (at most 55 days), and within
        # the page's default period (the last 12 calendar months).
        removed_at = now - timedelta(
            days=rng.randrange(60, 330), hours=rng.randrange(0, 10)
        )
        comment_id = f"{MARK}{i:06d}"
        made.append(
            services.removal_create(
                by=by,
                account=account,
                comment_url=f"{account.url.rstrip('/')}/posts/{comment_id}"
                f"?comment_id={comment_id}",
                comment_id=comment_id,
                comment_text=text,
                author_name=f"Demo commenter {i + 1}",
                author_handle=f"@demo_commenter_{i + 1}",
                posted_at=removed_at - timedelta(minutes=rng.randrange(5, 600)),
                removed_at=removed_at,
                categories=[categories[n] for n in numbers],
                link_to_material="https://offers.example/" if 8 in numbers else "",
                facts=facts,
                reasoning=reasoning,
            )
        )
    for decision in made[3::30]:  # a few restored on second thought
        services.removal_restore(
            decision=decision,
            by=decision.removed_by,
            reason="On a second look the comment was a complaint about a "
            "business, not an advertisement: restored.",
        )
