"""Reads of Data Practices requests (issue #19), and the search across apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from core import calendar
from datarequests.models import DataRequest

DUE_SOON_BUSINESS_DAYS = 2


def request_list_open() -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(status__in=DataRequest.OPEN_STATUSES).order_by(
        "due_on", "pk"
    )


def request_list_recent(*, limit: int = 50) -> QuerySet[DataRequest]:
    return DataRequest.objects.order_by("-received_on", "-pk")[:limit]


def request_by_token(token: str) -> DataRequest | None:
    """Return the request whose private status link carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    return DataRequest.objects.filter(status_token=token).first()


@dataclass(frozen=True)
class DeadlineItem:
    request: DataRequest
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def deadline_items(*, today: date) -> list[DeadlineItem]:
    """Open requests (not paused: their clock stands still) overdue or due within
    two business days, most urgent first."""
    items = []
    running = request_list_open().exclude(status__in=DataRequest.PAUSED_STATUSES)
    for request in running:
        left = calendar.business_days_between(today, request.due_on)
        if left <= DUE_SOON_BUSINESS_DAYS:
            items.append(DeadlineItem(request=request, days_left=left))
    return sorted(items, key=lambda i: (i.days_left, i.request.pk))


def request_nth_latest_from_address(
    *, ip: str | None, since: datetime, nth: int
) -> datetime | None:
    """When the ``nth`` latest request from ``ip`` on the web form since
    ``since`` was received (the form's limit, as ``appeals.limits`` counts
    filings), or None when fewer were."""
    from core.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            action="datarequest.received",
            actor__isnull=True,
            ip_address=ip,
            occurred_at__gte=since,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)[nth - 1 : nth]
        .first()
    )


@dataclass
class SearchResults:
    """What the search found, by kind of record (``datarequests.sources``)."""

    groups: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.groups.values())


SEARCH_LIMIT = 200


def search_accounts_for(user: Any) -> Any:
    """The accounts ``user`` may search: every account for whoever handles
    requests (None), those they manage for a manager asked to search (P11)."""
    from accounts.selectors import account_list_managed_by

    if user.has_perm("datarequests.handle_datarequest"):
        return None
    return list(account_list_managed_by(user=user))


def records_search(
    *,
    user: Any,
    terms: list[str],
    date_from: date | None = None,
    date_to: date | None = None,
    accounts: Any = None,
) -> SearchResults:
    """Search every kind of record the product keeps for a person: each app's
    own selector (names, handles, emails; dates; accounts). A manager's search
    covers the accounts they manage only, and no audit events."""
    from appeals.selectors import filing_search
    from core.audit import audit_event_search
    from moderation.selectors import removal_search
    from platforms.selectors import comment_search
    from retention.selectors import message_search

    allowed = search_accounts_for(user)
    if allowed is not None:
        wanted = {getattr(a, "pk", a) for a in accounts} if accounts else None
        accounts = [a for a in allowed if wanted is None or a.pk in wanted]
    args: dict[str, Any] = {"terms": terms, "date_from": date_from, "date_to": date_to}
    scoped: dict[str, Any] = {**args, "accounts": accounts}
    results = SearchResults()
    removals = list(removal_search(**scoped)[:SEARCH_LIMIT])
    results.groups["removal_decision"] = removals
    results.groups["removal_amendment"] = [
        a for r in removals for a in r.amendments.all()
    ]
    appeals, challenges = filing_search(**scoped)
    appeals_l = list(appeals[:SEARCH_LIMIT])
    challenges_l = list(challenges[:SEARCH_LIMIT])
    results.groups["appeal"] = appeals_l
    results.groups["legality_challenge"] = challenges_l
    filings: list[Any] = [*appeals_l, *challenges_l]
    results.groups["correspondence"] = [
        c for f in filings for c in f.correspondence.all()
    ]
    results.groups["message"] = list(message_search(**scoped)[:SEARCH_LIMIT])
    results.groups["captured_comment"] = list(comment_search(**scoped)[:SEARCH_LIMIT])
    if allowed is None and accounts is None:
        results.groups["audit_event"] = list(audit_event_search(**args)[:SEARCH_LIMIT])
    return results


@dataclass(frozen=True)
class RequestFigures:
    """Counts and response times of one year's requests, for the transparency
    figures (issue #19 item 7): no personal data."""

    year: int
    received: dict[str, int]
    answered: int
    answered_on_time: int
    median_business_days: float | None


def request_figures(*, year: int) -> RequestFigures:
    """Return the year's requests by kind, how many were answered (released or
    closed) and on time, and the median business days from receipt to answer."""
    from statistics import median

    from django.utils import timezone

    rows = list(
        DataRequest.objects.filter(received_on__year=year).values_list(
            "kind", "received_on", "due_on", "released_at", "closed_at"
        )
    )
    received = dict.fromkeys(DataRequest.Kind.values, 0)
    days = []
    on_time = 0
    for kind, received_on, due_on, released_at, closed_at in rows:
        received[kind] += 1
        answered_at = released_at or closed_at
        if answered_at is None:
            continue
        answered_on = timezone.localdate(answered_at)
        days.append(calendar.business_days_between(received_on, answered_on))
        on_time += answered_on <= due_on
    return RequestFigures(
        year=year,
        received=received,
        answered=len(days),
        answered_on_time=on_time,
        median_business_days=float(median(days)) if days else None,
    )
