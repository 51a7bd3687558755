"""Read queries of the retention app used by views, the dashboard and the admin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.selectors import account_list_managed_by
from core import clock, followups
from core.classification import DataClassification
from retention.models import DisasterPeriod, LegalHold, Message, PurgeRun
from retention.permissions import PERM_VIEW_PRIVATE


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
    """Return flagged business requests whose follow-up is not recorded (P19),
    the soonest due first (those with no due date last)."""
    return (
        Message.objects.select_related("account__platform", "follow_up_flagged_by")
        .filter(
            followups.waiting_q(),
            account__in=account_list_managed_by(user=user).values("pk"),
        )
        .order_by(*followups.SOONEST_DUE)
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


def purge_next_run_at() -> datetime | None:
    """Return when the scheduled purge runs next: its last start plus the
    interval; None before its first run or when that moment is past (it is then
    due within one interval)."""
    last = purge_run_last()
    if last is None:
        return None
    at = last.started_at + timedelta(minutes=settings.RETENTION_PURGE_INTERVAL_MINUTES)
    return at if at > clock.now() else None


# P24: how each class of data that is not public is named when withheld.
_WITHHELD_KIND = {
    DataClassification.PRIVATE: "private data",
    DataClassification.CONFIDENTIAL: "confidential data",
    DataClassification.NONPUBLIC: "nonpublic data",
    DataClassification.PROTECTED_NONPUBLIC: "protected nonpublic data",
}


def message_withheld(*, message: Message, user: Any) -> str:
    """Return why the resident's handle and the text of ``message`` are withheld
    from ``user`` ("withheld (private data, Minn. Stat. 13.46)"), or "" when
    ``user`` may see them: public data, or ``retention.view_private_message``
    (P24; Minn. Stat. 13.02, 13.05)."""
    if message.classification == DataClassification.PUBLIC:
        return ""
    if user.has_perm(PERM_VIEW_PRIVATE):
        return ""
    kind = _WITHHELD_KIND.get(message.classification, "not public data")
    return f"withheld ({kind}, {message.classification_basis or 'Minn. Stat. ch. 13'})"


def messages_for_viewer(messages: Iterable[Message], *, user: Any) -> list[Message]:
    """Return ``messages`` with ``withheld`` set on each (see
    :func:`message_withheld`), for pages that list them."""
    shown = list(messages)
    for message in shown:
        message.withheld = message_withheld(  # type: ignore[attr-defined]
            message=message, user=user
        )
    return shown


def message_search(
    *,
    terms: list[str],
    date_from: Any = None,
    date_to: Any = None,
    accounts: Any = None,
) -> QuerySet[Message]:
    """Return the messages a person sent (sender handle), received in the date
    range, on ``accounts`` (None: every account); destroyed ones hold nothing.
    The Data Practices search."""
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
