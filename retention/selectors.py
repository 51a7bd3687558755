"""Read queries of the retention app used by views, the dashboard and the admin."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.selectors import account_list_managed_by
from core import clock
from retention.models import DisasterPeriod, LegalHold, Message, PurgeRun


def message_list_for(
    *, user: Any, state: str = "unread", account_id: int | None = None
) -> QuerySet[Message]:
    """Return the messages of the accounts ``user`` manages, newest first."""
    qs = Message.objects.select_related("account__platform", "read_by").filter(
        account__in=account_list_managed_by(user=user).values("pk")
    )
    if state == "unread":
        qs = qs.filter(read_at__isnull=True, destroyed_at__isnull=True)
    elif state == "read":
        qs = qs.filter(read_at__isnull=False, destroyed_at__isnull=True)
    elif state == "destroyed":
        qs = qs.filter(destroyed_at__isnull=False)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-received_at", "-id")


def message_list_waiting_follow_up(*, user: Any) -> QuerySet[Message]:
    """Return flagged business requests whose follow-up is not recorded (P19)."""
    return (
        Message.objects.select_related("account__platform", "follow_up_flagged_by")
        .filter(
            account__in=account_list_managed_by(user=user).values("pk"),
            follow_up_flagged_at__isnull=False,
            follow_up_at__isnull=True,
        )
        .order_by("follow_up_flagged_at", "id")
    )


def legal_hold_list_open() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(released_at__isnull=True).select_related(
        "placed_by"
    )


def disaster_period_list_active() -> QuerySet[DisasterPeriod]:
    now = clock.now()
    return DisasterPeriod.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now
    )


def purge_run_last() -> PurgeRun | None:
    return PurgeRun.objects.order_by("-started_at", "-id").first()


def message_search(
    *,
    terms: list[str],
    date_from: Any = None,
    date_to: Any = None,
    accounts: Any = None,
) -> QuerySet[Message]:
    """Return the messages a person sent (sender handle), received in the date
    range, on ``accounts`` (None: every account); destroyed ones hold nothing.
    The Data Practices search (issue #19)."""
    from core.search import search_q

    q = search_q(
        fields=("sender_handle",),
        terms=terms,
        date_field="received_at",
        date_from=date_from,
        date_to=date_to,
        account_field="account",
        accounts=accounts,
    )
    if q is None:
        return Message.objects.none()
    return (
        Message.objects.filter(q, destroyed_at__isnull=True)
        .select_related("account__platform")
        .order_by("received_at", "pk")
    )
