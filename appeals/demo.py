"""Demo data for the appeals app: appeals and legality challenges in every state.

Filed and moved through ``appeals.services`` (so each has its audit trail and its
correspondence); appeals are linked to the demo removals the moderation demo
logged. Idempotent: a demo filing whose resident email already exists is skipped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from appeals import services
from appeals.models import Appeal, LegalityChallenge
from core import calendar, clock

logger = logging.getLogger(__name__)

REASONS = {
    "upheld": (
        "We reconsidered the removal. The comment offered paid work from home and "
        "linked to the sign-up page; that is a commercial promotion (category 7), "
        "so the removal stands. You are welcome to comment on the post itself."
    ),
    "modified": (
        "We reconsidered the removal. The comment was not spam, as it was first "
        "logged, but it linked to a page publishing a resident's home address "
        "without consent, so it stays removed under category 8 (a link to "
        "category 4 material)."
    ),
    "reversed": (
        "We reconsidered the removal. Read in full, your comment criticised the "
        "parking ban sharply but did not threaten anyone. It falls into none of the "
        "eight categories, so we are putting it back. We apologise."
    ),
    "stands": (
        "The city attorney reviewed your challenge. The categories follow the "
        "model policy and are viewpoint-neutral; the policy stands as written."
    ),
    "amended": (
        "The city attorney reviewed your challenge and agreed the notice should "
        "say how to appeal by mail. The notice has been amended: see the new "
        "version linked here."
    ),
}

# (email, name, business days ago received, final state, outcome)
# Those that need a removal come first, so the demo removals go to them. Each
# step is taken now, so the days are short enough for the steps to be on time
# (the profile's targets), except Kim's, left overdue on purpose; the months
# before are the transparency demo's, imported with their own days.
APPEALS = [
    ("quinn.demo@example.net", "Quinn Demo", 3, "answered", "reversed"),
    ("ash.demo@example.net", "Ash Demo", 2, "answered", "upheld"),
    ("rowan.demo@example.net", "Rowan Demo", 3, "answered", "modified"),
    ("lee.demo@example.net", "Lee Demo", 3, "under_review", ""),
    ("kim.demo@example.net", "Kim Demo", 16, "overdue", ""),
    ("sky.demo@example.net", "Sky Demo", 2, "acknowledged", ""),
    ("drew.demo@example.net", "Drew Demo", 12, "withdrawn", ""),
    ("river.demo@example.net", "River Demo", 1, "received", ""),
]
NEEDS_REMOVAL = {"answered", "under_review", "overdue"}
# Residents who asked for the answer by mail: their letters wait in the mail
# queue (P22) until staff print them and mark them mailed.
BY_MAIL = {"sky.demo@example.net": "12 Lake Street\nRiverton, MN 55001"}
CHALLENGES = [
    ("morgan.challenge@example.net", "Morgan Challenger", 2, "received", ""),
    ("tay.challenge@example.net", "Tay Challenger", 2, "acknowledged", ""),
    ("jo.challenge@example.net", "Jo Challenger", 3, "under_review", ""),
    ("cam.challenge@example.net", "Cam Challenger", 3, "answered", "stands"),
    ("val.challenge@example.net", "Val Challenger", 3, "answered", "amended"),
    ("ari.challenge@example.net", "Ari Challenger", 20, "withdrawn", ""),
]


def seed(ctx: dict[str, Any]) -> None:
    from core.broker import ensure_broker_folders

    ensure_broker_folders()
    users = ctx.get("users") or {}
    clerk, parks, attorney = (
        users.get("clerk"),
        users.get("parks"),
        users.get("attorney"),
    )
    if not (clerk and parks and attorney):
        logger.warning("appeals demo skipped: the demo users are missing")
        return
    removals = _free_removals(not_by=parks)
    for email, name, days, state, outcome in APPEALS:
        if Appeal.objects.filter(email=email).exists():
            continue
        removal = removals.pop(0) if removals and state in NEEDS_REMOVAL else None
        _appeal(email, name, days, state, outcome, removal, clerk=clerk, parks=parks)
    for email, name, days, state, outcome in CHALLENGES:
        if LegalityChallenge.objects.filter(email=email).exists():
            continue
        _challenge(email, name, days, state, outcome, clerk=clerk, attorney=attorney)


def _free_removals(*, not_by: Any) -> list[Any]:
    """Demo removals not yet appealed or restored, made by someone else."""
    from moderation.models import RemovalAmendment, RemovalDecision

    return list(
        RemovalDecision.objects.filter(appeals__isnull=True)
        .exclude(removed_by=not_by)
        .exclude(
            pk__in=RemovalAmendment.objects.filter(
                kind=RemovalAmendment.Kind.RESTORATION
            ).values("decision_id")
        )
        .select_related("account")
        .order_by("removed_at")
    )


def _received_on(days: int) -> Any:
    return calendar.add_business_days(clock.today(), -days) if days else clock.today()


def _appeal(email, name, days, state, outcome, removal, *, clerk, parks) -> None:  # type: ignore[no-untyped-def]
    appeal = services.appeal_submit(
        name=name,
        email=email,
        postal_address=BY_MAIL.get(email, ""),
        reply_by="mail" if email in BY_MAIL else "email",
        account=removal.account if removal else None,
        account_other="" if removal else "The city's Facebook page",
        comment_posted_on=(
            removal.posted_at.date() if removal else clock.today() - timedelta(days=2)
        ),
        comment_url=removal.comment_url if removal else "",
        comment_text="" if removal else "I asked why the pool closes early.",
        explanation=(
            "My comment was about a city decision. It is not in any of the eight "
            "categories, and I ask the city to reconsider."
        ),
        received_on=_received_on(days),
    )
    if state == "received":
        return
    if state == "withdrawn":
        services.filing_withdraw(
            filing=appeal, by=clerk, note="The resident emailed to withdraw it."
        )
        return
    if state == "overdue":
        # Acknowledged but never reviewed: its answer date has passed.
        services.filing_acknowledge(filing=appeal, by=clerk)
        if removal:
            services.appeal_link_removal(appeal=appeal, removal=removal, by=clerk)
        return
    services.filing_acknowledge(filing=appeal, by=clerk)
    if state == "acknowledged":
        return
    if removal:
        services.appeal_link_removal(appeal=appeal, removal=removal, by=clerk)
    services.filing_assign_reviewer(filing=appeal, reviewer=parks, by=clerk)
    services.filing_start_review(filing=appeal, by=parks)
    if state == "under_review" or removal is None:
        return
    from moderation.models import RemovalCategory

    categories = (
        RemovalCategory.objects.filter(number=8) if outcome == "modified" else []
    )
    services.appeal_answer(
        appeal=appeal,
        by=parks,
        outcome=outcome,
        response=REASONS[outcome],
        categories=categories,
    )


def _challenge(email, name, days, state, outcome, *, clerk, attorney) -> None:  # type: ignore[no-untyped-def]
    challenge = services.challenge_submit(
        name=name,
        email=email,
        section_anchor="other",
        section_title="The notice's instructions for appeals",
        basis=(
            "The notice tells people to appeal in writing but gives only an email "
            "address; residents without email cannot appeal, which I believe "
            "denies them a fair process."
        ),
        received_on=_received_on(days),
    )
    if state == "received":
        return
    if state == "withdrawn":
        services.filing_withdraw(
            filing=challenge, by=clerk, note="Withdrawn by letter."
        )
        return
    services.filing_acknowledge(filing=challenge, by=clerk)
    if state == "acknowledged":
        return
    services.filing_assign_reviewer(filing=challenge, reviewer=attorney, by=clerk)
    services.filing_start_review(filing=challenge, by=attorney)
    services.challenge_record_consultation(
        challenge=challenge,
        by=attorney,
        attorney=attorney,
        notes="Privileged: the notice should add the postal address; low risk.",
    )
    if state == "under_review":
        return
    version = None
    if outcome == "amended":
        from notices.models import DocumentVersion

        version = DocumentVersion.objects.public().order_by("-published_at").first()
        if version is None:
            outcome = "stands"
    services.challenge_answer(
        challenge=challenge,
        by=attorney,
        outcome=outcome,
        response=REASONS[outcome],
        amended_version=version,
    )
