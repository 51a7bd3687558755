"""Read queries about appeals and legality challenges used in more than one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from appeals.models import Appeal, Correspondence, Filing, LegalityChallenge
from core import calendar


@dataclass(frozen=True)
class DeadlineItem:
    """An open filing whose next step is overdue or due soon."""

    filing: Filing
    step: str  # "acknowledgment" or "written answer"
    due_on: date
    days_left: int  # business days; negative once overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def kind_label(self) -> str:
        return "Appeal" if isinstance(self.filing, Appeal) else "Legality challenge"


def can_view(user: Any, kind: type[Filing] | Filing) -> bool:
    """Return whether ``user`` may see filings of this kind (an Appeal or a
    LegalityChallenge, the model or one record), with their letters, history
    and correspondence.

    The one rule of the staff pages and the admin: a Social Media Manager sees
    appeals (P22) but not legality challenges (P23), in either place.
    """
    model = kind if isinstance(kind, type) else type(kind)
    return bool(user.has_perm(f"appeals.view_{model._meta.model_name}"))


def correspondence_visible_to(*, user: Any) -> QuerySet[Correspondence]:
    """Return the letters of the filings ``user`` may see (:func:`can_view`)."""
    visible = Q(pk__in=[])
    if can_view(user, Appeal):
        visible |= Q(appeal__isnull=False)
    if can_view(user, LegalityChallenge):
        visible |= Q(challenge__isnull=False)
    return Correspondence.objects.filter(visible)


def appeal_list_open() -> QuerySet[Appeal]:
    return Appeal.objects.filter(status__in=Filing.OPEN_STATUSES).select_related(
        "reviewer", "account__platform"
    )


def challenge_list_open() -> QuerySet[LegalityChallenge]:
    return LegalityChallenge.objects.filter(
        status__in=Filing.OPEN_STATUSES
    ).select_related("reviewer")


def deadline_items(
    *, today: date, reviewer: Any = None, due_soon_days: int | None = None
) -> list[DeadlineItem]:
    """Return the open filings whose next step is overdue or due within the city's
    due-soon window (business days), most urgent first. Three queries."""
    from appeals.services import city_days

    soon = city_days("due_soon_days") if due_soon_days is None else due_soon_days
    horizon = calendar.add_business_days(today, soon)
    filings: list[Filing] = []
    for queryset in (appeal_list_open(), challenge_list_open()):
        if reviewer is not None:
            queryset = queryset.filter(reviewer=reviewer)
        filings.extend(
            f
            for f in queryset
            if f.next_due_on is not None and f.next_due_on <= horizon
        )
    if not filings:
        return []
    earliest = min(f.next_due_on for f in filings)
    off = calendar.holidays_between(min(earliest, today), horizon + timedelta(days=1))
    items = [
        DeadlineItem(
            filing=f,
            step=f.next_step,
            due_on=f.next_due_on,
            days_left=calendar.business_days_between(
                today, f.next_due_on, holidays=off
            ),
        )
        for f in filings
    ]
    return sorted(items, key=lambda i: (i.due_on, i.filing.reference))


def removal_ids_under_open_appeal() -> set[int]:
    """Return the ids of removal decisions with an appeal not yet answered or
    withdrawn: the retention purge must keep them and their evidence (R3, P22)."""
    if not _has_removal_link():
        return set()
    return set(
        Appeal.objects.filter(
            status__in=Filing.OPEN_STATUSES, removal__isnull=False
        ).values_list("removal_id", flat=True)
    )


def _has_removal_link() -> bool:
    return any(f.name == "removal" for f in Appeal._meta.get_fields())


#: The audit events of filings residents sent from the public forms.
WEB_FILING_ACTIONS = ("appeal.received", "challenge.received")


def filing_nth_latest_from_address(
    *, ip: str | None, since: datetime, nth: int
) -> datetime | None:
    """Return when the ``nth`` latest appeal or challenge filed from ``ip`` (None:
    from no known address) since ``since`` was received, or None when fewer
    were: the public forms' limit (``appeals.limits``). One query, one row.

    Read from the audit trail, where each filing's received event records the
    address it came from; filings staff enter from letters are not counted, and
    failed attempts leave no event, so they never count.
    """
    from core.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            action__in=WEB_FILING_ACTIONS,
            actor__isnull=True,
            ip_address=ip,
            occurred_at__gte=since,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)[nth - 1 : nth]
        .first()
    )


def filing_by_token(token: str) -> Filing | None:
    """Return the filing whose private status link carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    appeal = Appeal.objects.filter(status_token=token).first()
    if appeal is not None:
        return appeal
    return LegalityChallenge.objects.filter(status_token=token).first()


REMOVAL_SEARCH_DAYS = 7


def removal_candidates(
    *,
    account: Any = None,
    around: date | None = None,
    author: str = "",
    comment_url: str = "",
    limit: int = 20,
) -> list[Any]:
    """Propose the removal decisions an appeal may be about: the same comment URL
    first, then those matching the account, a week either side of the date, and
    the author's name or handle. Two queries at most."""
    from moderation.models import RemovalDecision

    base = RemovalDecision.objects.select_related(
        "account__platform", "removed_by"
    ).order_by("-removed_at", "-id")
    exact = list(base.filter(comment_url=comment_url)[:limit]) if comment_url else []
    qs = base
    if account is not None:
        qs = qs.filter(account=account)
    if around is not None:
        # A date a week from the ends of the calendar (a resident's "0001-01-01")
        # searches up to the end, not past it (an OverflowError, a 500).
        window = timedelta(days=REMOVAL_SEARCH_DAYS)
        low = around - window if around - date.min > window else date.min
        high = around + window if date.max - around > window else date.max
        qs = qs.filter(
            Q(posted_at__date__gte=low, posted_at__date__lte=high)
            | Q(removed_at__date__gte=low, removed_at__date__lte=high)
        )
    author = (author or "").strip().lstrip("@")
    if author:
        qs = qs.filter(
            Q(author_name__icontains=author) | Q(author_handle__icontains=author)
        )
    if account is None and around is None and not author:
        return exact
    seen = {d.pk for d in exact}
    return exact + [d for d in qs[:limit] if d.pk not in seen]


def filing_search(
    *,
    terms: list[str],
    date_from: date | None = None,
    date_to: date | None = None,
    accounts: Any = None,
) -> tuple[QuerySet[Appeal], QuerySet[LegalityChallenge]]:
    """Return the appeals and the legality challenges filed by a person (name or
    email), received in the date range; appeals on ``accounts`` only when given
    (a challenge is on no account: none then). Their correspondence comes
    prefetched. The Data Practices search (issue #19)."""
    from core.search import search_q

    fields = ("name", "email")
    dates = {"date_field": "received_on", "date_is_day": True}
    q_appeal = search_q(
        fields=fields,
        terms=terms,
        date_from=date_from,
        date_to=date_to,
        account_field="account",
        accounts=accounts,
        **dates,  # type: ignore[arg-type]
    )
    q_challenge = (
        None
        if accounts is not None
        else search_q(
            fields=fields,
            terms=terms,
            date_from=date_from,
            date_to=date_to,
            **dates,  # type: ignore[arg-type]
        )
    )
    appeals = (
        Appeal.objects.filter(q_appeal).prefetch_related("correspondence")
        if q_appeal is not None
        else Appeal.objects.none()
    )
    challenges = (
        LegalityChallenge.objects.filter(q_challenge).prefetch_related("correspondence")
        if q_challenge is not None
        else LegalityChallenge.objects.none()
    )
    return appeals.order_by("received_on", "pk"), challenges.order_by(
        "received_on", "pk"
    )
