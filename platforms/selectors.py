"""Reads of the platforms app used by its pages and its dashboard panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import Account
from accounts.permissions import scope_to_visible_accounts
from accounts.selectors import account_list_managed_by
from core import followups
from platforms.models import CapturedComment, DraftRemoval, MetaDelivery


def account_list_connected(*, user: Any) -> QuerySet[Account]:
    """The accounts the product captures from (an id on the platform, or a
    connection) that ``user`` may see, with their connection and counts."""
    accounts = Account.objects.filter(
        ~Q(platform_account_id="") | Q(connection__isnull=False)
    )
    return (
        scope_to_visible_accounts(accounts, user, account_path="")
        .select_related("platform", "connection")
        .annotate(
            drafts_waiting=Count(
                "captured_comments__drafts",
                filter=Q(captured_comments__drafts__status=DraftRemoval.Status.PENDING),
            )
        )
        .order_by("platform__name", "handle")
    )


def draft_list_visible(*, user: Any, status: str = "") -> QuerySet[DraftRemoval]:
    """Draft removals of the accounts ``user`` may see, newest first."""
    drafts = DraftRemoval.objects.select_related(
        "comment", "account__platform", "closed_by", "decision"
    )
    if status:
        drafts = drafts.filter(status=status)
    return scope_to_visible_accounts(drafts, user)


def draft_count_waiting_for(*, user: Any) -> int:
    """Draft removals waiting on the accounts ``user`` manages (all of them for
    the City Administrator): the ones they are to complete."""
    from accounts.selectors import account_list_managed_by

    return DraftRemoval.objects.filter(
        status=DraftRemoval.Status.PENDING,
        account__in=account_list_managed_by(user=user).values("pk"),
    ).count()


def comment_list_visible(*, user: Any) -> QuerySet[CapturedComment]:
    return scope_to_visible_accounts(
        CapturedComment.objects.select_related("account__platform"), user
    )


def comment_list_waiting_follow_up(*, user: Any) -> QuerySet[CapturedComment]:
    """Captured comments flagged as business requests whose follow-up is not
    recorded (P19), on the accounts ``user`` manages, the soonest due first."""
    if not user.has_perm("platforms.view_capturedcomment"):
        return CapturedComment.objects.none()
    return (
        CapturedComment.objects.select_related(
            "account__platform", "follow_up_flagged_by"
        )
        .filter(
            followups.waiting_q(),
            account__in=account_list_managed_by(user=user).values("pk"),
        )
        .order_by(*followups.SOONEST_DUE)
    )


def delivery_list_attention() -> QuerySet[MetaDelivery]:
    """Deliveries that need staff: for an id on no account, or failing."""
    return MetaDelivery.objects.filter(
        status__in=[MetaDelivery.Status.UNMATCHED, MetaDelivery.Status.FAILED]
    ).defer("body")


def delivery_counts() -> dict[str, int]:
    rows = dict(
        MetaDelivery.objects.filter(
            status__in=[
                MetaDelivery.Status.UNMATCHED,
                MetaDelivery.Status.FAILED,
                MetaDelivery.Status.RECEIVED,
            ]
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: rows.get(status, 0) for status in MetaDelivery.Status.values}


def comment_search(
    *,
    terms: list[str],
    date_from: Any = None,
    date_to: Any = None,
    accounts: Any = None,
) -> QuerySet[CapturedComment]:
    """Return the captured comments a person wrote (author's name or handle),
    posted in the date range, on ``accounts`` (None: every account); redacted
    ones hold nothing. The Data Practices search."""
    from core.search import search_q

    q = search_q(
        fields=("author_name", "author_handle"),
        terms=terms,
        date_field="posted_at",
        date_from=date_from,
        date_to=date_to,
        account_field="account",
        accounts=accounts,
    )
    if q is None:
        return CapturedComment.objects.none()
    return (
        CapturedComment.objects.filter(q, redacted_at__isnull=True)
        .select_related("account__platform")
        .order_by("posted_at", "pk")
    )
