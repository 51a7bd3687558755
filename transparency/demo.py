"""Demo data for the transparency page: a year of removals, appeals and challenges.

The moderation demo logs a dozen removals from the last two months; the appeals
demo files appeals and challenges from the last few weeks. This adds about 120
removals spread over the rest of the past year, on the demo accounts, through
``moderation.services`` (as their managers would log them), with a plausible mix
of categories (mostly spam, P21) and a few restorations, so the page's charts by
month, account and category show a year.

The appeals and challenges of those earlier months come in as a city's own log of
them would (``appeals.services.earlier``, what ``manage.py import_filings`` runs):
the services record each step at the moment it happens, so an import is how a
filing answered months ago gets its own days received, acknowledged and answered,
and the page its times to acknowledge and answer (P22, P23). Run once: a second
run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from core import calendar, clock

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
    from moderation.models import RemovalDecision

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
    made = _removals(where)
    _earlier_filings(made, users=users, rng=random.Random(22))  # noqa: S311  # nosec B311


def _removals(where: list[Any]) -> list[Any]:
    from moderation import services
    from moderation.models import RemovalCategory

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
    restored = made[3::30]  # a few restored on second thought
    for decision in restored:
        services.removal_restore(
            decision=decision,
            by=decision.removed_by,
            reason="On a second look the comment was a complaint about a "
            "business, not an advertisement: restored.",
        )
    restored_ids = {d.pk for d in restored}
    return [d for d in made if d.pk not in restored_ids]


#: The earlier appeals: (weight, outcome, business days to acknowledge, to answer).
#: The profile's targets are 3 and 10 business days by default: a few are late.
APPEAL_KINDS = [
    (50, "upheld", (0, 1, 1, 2), (4, 6, 8, 9)),
    (15, "reversed", (1, 1, 2), (5, 7, 10)),
    (10, "modified", (1, 2, 3), (8, 12)),
    (10, "withdrawn", (1,), (3, 5)),
    (5, "upheld", (3, 4), (13, 15)),
]
EARLIER_APPEALS = 30
ANSWERS = {
    "upheld": "We reconsidered the removal. The comment promoted a business and "
    "linked to it, a commercial promotion (category 7); the removal stands.",
    "reversed": "We reconsidered the removal. Read in full, the comment criticised a "
    "city decision and falls into none of the eight categories: it is restored.",
    "modified": "We reconsidered the removal. The comment was not spam, but it gave "
    "a resident's home address without consent (category 4), so it stays removed.",
    "stands": "The city attorney reviewed your challenge. The categories follow the "
    "model policy and are viewpoint-neutral; the policy stands as written.",
}
DEMO_SOURCE = "demo: the city's appeals log before this system"


def _earlier_filings(made: list[Any], *, users: dict[str, Any], rng: Any) -> None:
    """Import a year of appeals of the demo removals, and a few legality
    challenges, as the city's log of them would have them."""
    from appeals.services.earlier import filings_import

    clerk, attorney = users.get("clerk"), users.get("attorney")
    if not (clerk and attorney and made):
        return
    today = clock.today()
    records: list[dict[str, Any]] = []
    appealed = rng.sample(made, min(EARLIER_APPEALS, len(made)))
    for i, removal in enumerate(appealed, start=1):
        _w, outcome, ack, answer = rng.choices(
            APPEAL_KINDS, [k[0] for k in APPEAL_KINDS]
        )[0]
        received = calendar.add_business_days(
            timezone.localdate(removal.removed_at), rng.randrange(1, 6)
        )
        acknowledged = calendar.add_business_days(received, rng.choice(ack))
        closed = calendar.add_business_days(received, rng.choice(answer))
        if closed > today:
            continue
        record = {
            "kind": "appeal",
            "received_on": received.isoformat(),
            "name": f"Demo appellant {i}",
            "email": f"appellant{i}@example.net",
            "account": removal.account.slug,
            "comment_url": removal.comment_url,
            "removal": str(removal.pk),
            "explanation": "My comment was about a city decision and is in none "
            "of the eight categories; I ask the city to reconsider.",
            "acknowledged_on": acknowledged.isoformat(),
        }
        if outcome == "withdrawn":
            record |= {
                "withdrawn_on": closed.isoformat(),
                "withdrawal_note": "The resident emailed to withdraw it.",
            }
        else:
            record |= {
                "answered_on": closed.isoformat(),
                "outcome": outcome,
                "response": ANSWERS[outcome],
                "categories": "4" if outcome == "modified" else "",
            }
        records.append(record)
    for i, days_ago in enumerate((300, 210, 150), start=1):
        received = calendar.add_business_days(today - timedelta(days=days_ago), 0)
        records.append(
            {
                "kind": "challenge",
                "received_on": received.isoformat(),
                "name": f"Demo challenger {i}",
                "email": f"challenger{i}@example.net",
                "section": "The categories of comments the city removes",
                "basis": "The category of commercial promotion is too broad and "
                "could reach a resident's complaint about a business.",
                "acknowledged_on": calendar.add_business_days(received, 1).isoformat(),
                "consulted_on": calendar.add_business_days(received, 8).isoformat(),
                "answered_on": calendar.add_business_days(received, 15).isoformat(),
                "outcome": "stands",
                "response": ANSWERS["stands"],
            }
        )
    result = filings_import(
        records=enumerate(records, start=1),
        by=clerk,
        attorney=attorney,
        source=DEMO_SOURCE,
    )
    if result.errors:  # the demo's own rows: a bug here, not bad input
        raise RuntimeError("; ".join(str(e) for e in result.errors))
    # A reversed appeal asked the managers to put the comment back (P22); they
    # confirm it was back, as they would on the dashboard.
    from moderation import services
    from moderation.models import RestorationTask

    for task in RestorationTask.objects.filter(
        decision__in=appealed, status=RestorationTask.Status.OPEN
    ).select_related("decision__removed_by", "decision__account"):
        services.restoration_complete(
            task=task,
            by=task.decision.removed_by,
            note="Unhidden on the platform the day the appeal was answered.",
        )
