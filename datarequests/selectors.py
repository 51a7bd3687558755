"""Reads of Data Practices requests, and the search across apps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

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


def request_figure_rows(
    *, start: date, end: date, today: date
) -> tuple[dict[str, int], list[tuple[str, date, date, date, int]], dict[str, int]]:
    """What the public transparency figures need of the requests received from
    ``start`` to ``end`` (exclusive), with no personal data: how many of each kind,
    ``(kind, received on, due on, answered on, n)`` for those answered (released or
    closed: the first of the two), and how many of each kind are open past their
    due date on ``today``. Three queries."""
    from django.db.models import Count
    from django.utils import timezone

    period = DataRequest.objects.filter(received_on__gte=start, received_on__lt=end)
    received = dict.fromkeys(DataRequest.Kind.values, 0)
    for row in period.order_by().values("kind").annotate(n=Count("id")):
        received[row["kind"]] = row["n"]
    answered: Counter[tuple[str, date, date, date]] = Counter()
    for kind, received_on, due_on, released_at, closed_at in period.filter(
        Q(released_at__isnull=False) | Q(closed_at__isnull=False)
    ).values_list("kind", "received_on", "due_on", "released_at", "closed_at"):
        done = min(t for t in (released_at, closed_at) if t is not None)
        answered[(kind, received_on, due_on, timezone.localdate(done))] += 1
    overdue = dict.fromkeys(DataRequest.Kind.values, 0)
    waiting = period.filter(released_at__isnull=True, closed_at__isnull=True)
    for row in (
        waiting.filter(due_on__lt=today)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
    ):
        overdue[row["kind"]] = row["n"]
    return received, [(*key, n) for key, n in answered.items()], overdue
