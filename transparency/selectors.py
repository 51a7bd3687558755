"""The aggregate reads behind the transparency figures.

The transparency app only reads other apps' tables, through the ORM, and only in
aggregate: every function here is one ``GROUP BY`` (or one aggregate) query whose
result has a size bounded by the period (months, days, accounts, categories), never
by the number of removals or filings. Nothing here selects a personal column
(``author_name``, ``author_handle``, ``comment_text``, a filer's name, email or
address): the public figures cannot show what they never read.

The one exception is :func:`staff_removers` and :func:`staff_reviewers`, the staff
view's per-person counts (who removed, who reviewed), which read staff names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from accounts.models import Account
from appeals.models import Appeal, AttorneyConsultation, Filing, LegalityChallenge
from core import clock
from core.models import AuditEvent
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
)
from retention.models import DestructionRecord, LegalHold

S = Filing.Status
OPEN = [s.value for s in Filing.OPEN_STATUSES]


def bounds(start: date, end: date) -> tuple[datetime | None, datetime | None]:
    """The moments that bound the days ``start`` (inclusive) to ``end`` (exclusive)
    in the city's time zone."""
    return clock.day_start(start), clock.day_start(end)


def _in(field: str, start: date, end: date) -> Q:
    low, high = bounds(start, end)
    q = Q()
    if low is not None:
        q &= Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lt": high})
    return q


# --- removals (P21) -----------------------------------------------------------------


def removal_decisions_in(start: date, end: date) -> QuerySet[RemovalDecision]:
    return RemovalDecision.objects.filter(_in("removed_at", start, end))


def month_starts(start: date, end: date) -> list[date]:
    """The first day of each calendar month from ``start``'s to the one before
    ``end`` (exclusive)."""
    out, month = [], start.replace(day=1)
    while month < end:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def _month_of(field: str, start: date, end: date) -> Case:
    """Which month of the period (0, 1, ...) a moment in ``field`` falls in, in
    the city's time zone: compared with each month's first moment, computed once
    here, rather than converted row by row (``TruncMonth``'s time zone conversion
    is most of the cost of a scan of a million removals; bench/README.md)."""
    months = month_starts(start, end)
    whens = []
    for i, month in enumerate(months[1:]):
        bound = clock.day_start(month)
        if bound is not None:
            whens.append(When(**{f"{field}__lt": bound}, then=Value(i)))
    return Case(*whens, default=Value(len(months) - 1), output_field=IntegerField())


def removal_scan_by_month_account(start: date, end: date) -> QuerySet[Any]:
    """The scan of the period's removals per (month index, account), ``n`` each:
    one of the two the figures cannot avoid (bench/transparency.py times it)."""
    return (
        removal_decisions_in(start, end)
        .annotate(m=_month_of("removed_at", start, end))
        .values("m", "account_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def removal_counts_by_month_account(start: date, end: date) -> list[Any]:
    """Removals per (month, account): one query; each removal counted once.
    ``month`` is the month's first day."""
    months = month_starts(start, end)
    rows = removal_scan_by_month_account(start, end)
    return [
        {"month": months[r["m"]], "account_id": r["account_id"], "n": r["n"]}
        for r in rows
    ]


def removal_counts_by_month_account_category(
    start: date, end: date
) -> Iterator[dict[str, Any]]:
    """Removals per (month, account, category) (P21): a removal with several
    categories counts once under each. One query, streamed; ``month`` is the
    month's first day."""
    months = month_starts(start, end)
    rows = (
        RemovalDecisionCategory.objects.filter(_in("decision__removed_at", start, end))
        .annotate(
            m=_month_of("decision__removed_at", start, end),
            account_id=F("decision__account_id"),
        )
        .values("m", "account_id", "category_id")
        .annotate(n=Count("id"))
        .order_by("m", "account_id", "category_id")
    )
    for r in rows.iterator(chunk_size=5000):
        yield {
            "month": months[r["m"]],
            "account_id": r["account_id"],
            "category_id": r["category_id"],
            "n": r["n"],
        }


def removal_scan_by_category(start: date, end: date) -> QuerySet[Any]:
    """The scan of the period's category links per category, ``n`` each (P21): a
    semi-join grouped by category alone (no month or account to compute per row,
    which halves its cost at a million removals; bench/README.md). The other
    scan the figures cannot avoid."""
    return (
        RemovalDecisionCategory.objects.filter(
            decision__in=removal_decisions_in(start, end).values("id")
        )
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def removal_counts_by_category(start: date, end: date) -> dict[int, int]:
    """Category links of the period's removals per category: one query."""
    rows = removal_scan_by_category(start, end)
    return {r["category_id"]: r["n"] for r in rows}


def restoration_counts(start: date, end: date) -> dict[str, int]:
    """Comments restored in the period, and how many of them after an appeal."""
    return RemovalAmendment.objects.filter(
        _in("made_at", start, end), kind=RemovalAmendment.Kind.RESTORATION
    ).aggregate(
        total=Count("id"),
        after_appeal=Count("id", filter=Q(appeal_id__isnull=False)),
    )


def categories() -> list[Any]:
    return list(
        RemovalCategory.objects.order_by("number").values(
            "id", "number", "code", "name"
        )
    )


def account_labels(ids: set[int] | None = None) -> dict[int, str]:
    """The city accounts' public labels ("Parks and Recreation (Facebook)"):
    the city's own accounts, never a resident's."""
    qs = Account.objects.all()
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return {
        row["id"]: f"{row['display_name']} ({row['platform__name']})"
        for row in qs.values("id", "display_name", "platform__name")
    }


# --- appeals and legality challenges (P22, P23) -------------------------------------


def filing_model(kind: str) -> type[Appeal] | type[LegalityChallenge]:
    return Appeal if kind == "appeal" else LegalityChallenge


def filings_in(kind: str, start: date, end: date) -> QuerySet[Any]:
    return filing_model(kind).objects.filter(
        received_on__gte=start, received_on__lt=end
    )


def filing_outcome_counts(
    kind: str, start: date, end: date, today: date
) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Filings received in the period per (status, outcome), and how many open
    ones are past their acknowledgment or answer date today: one query."""
    rows = (
        filings_in(kind, start, end)
        .values("status", "outcome")
        .annotate(
            n=Count("id"),
            ack_overdue=Count("id", filter=Q(status=S.RECEIVED, ack_due_on__lt=today)),
            answer_overdue=Count(
                "id", filter=Q(status__in=OPEN, answer_due_on__lt=today)
            ),
        )
        .order_by()
    )
    counts, overdue = {}, {"ack": 0, "answer": 0}
    for r in rows:
        counts[(r["status"], r["outcome"])] = r["n"]
        overdue["ack"] += r["ack_overdue"]
        overdue["answer"] += r["answer_overdue"]
    return counts, overdue


def filing_step_buckets(
    kind: str, start: date, end: date, step: str
) -> list[tuple[date, date, date, int]]:
    """(received on, due on, done on, how many) for the filings received in the
    period that took ``step`` ("ack" or "answer"): one GROUP BY query, whose size
    is bounded by days x days, not by the number of filings."""
    at, due = (
        ("acknowledged_at", "ack_due_on")
        if step == "ack"
        else ("answered_at", "answer_due_on")
    )
    rows = (
        filings_in(kind, start, end)
        .filter(**{f"{at}__isnull": False})
        .annotate(done_on=TruncDate(at))
        .values_list("received_on", due, "done_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def challenge_consultation_counts(start: date, end: date) -> dict[str, int]:
    """Challenges received in the period: acknowledged, answered, and answered
    after the City Attorney was consulted (P23)."""
    # Consulted on or before the day of the answer (the answer came after it).
    consulted = AttorneyConsultation.objects.filter(
        challenge=OuterRef("pk"), consulted_on__lte=OuterRef("answered_on")
    )
    return (
        filings_in("challenge", start, end)
        .annotate(answered_on=TruncDate("answered_at"))
        .annotate(consulted=Exists(consulted))
        .aggregate(
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            answered=Count("id", filter=Q(status=S.ANSWERED)),
            answered_consulted=Count("id", filter=Q(status=S.ANSWERED, consulted=True)),
        )
    )


def filing_rows(kind: str, start: date, end: date) -> Iterator[dict[str, Any]]:
    """One row per filing received in the period, with only its dates, status,
    outcome and account: no name, address, email or text. Streams (iterator)."""
    fields = [
        "id",
        "received_on",
        "ack_due_on",
        "answer_due_on",
        "acknowledged_at",
        "answered_at",
        "withdrawn_at",
        "status",
        "outcome",
        "channel",
    ]
    if kind == "appeal":
        fields.append("account_id")
    else:
        fields.append("section_anchor")
    return (
        filings_in(kind, start, end)
        .order_by("received_on", "id")
        .values(*fields)
        .iterator(chunk_size=2000)
    )


# --- records (R3, R4) and accounts (P4, P7) -----------------------------------------


def destroyed_by_series(start: date, end: date) -> dict[str, int]:
    """Items destroyed per record series in the period, from the destruction log
    (R4): one query."""
    rows = (
        DestructionRecord.objects.filter(_in("recorded_at", start, end))
        .values("series")
        .annotate(n=Sum("item_count"))
        .order_by()
    )
    return {r["series"]: r["n"] or 0 for r in rows}


def legal_holds_in_force(at: datetime | None) -> int:
    """Legal holds placed before ``at`` and not released by then (R3): a count."""
    if at is None:
        return LegalHold.objects.filter(released_at__isnull=True).count()
    return LegalHold.objects.filter(
        Q(placed_at__lt=at), Q(released_at__isnull=True) | Q(released_at__gte=at)
    ).count()


ACCOUNT_ACTIONS = {"account.suspended": "suspended", "account.shut_down": "shut_down"}


def account_counts(start: date, end: date) -> dict[str, int]:
    """Accounts opened (registered), suspended and shut down in the period (P4,
    P7): two queries (the registry, and the audit trail's status changes)."""
    opened = Account.objects.filter(_in("created_at", start, end)).count()
    rows = (
        AuditEvent.objects.filter(
            _in("occurred_at", start, end), action__in=list(ACCOUNT_ACTIONS)
        )
        .values("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {"opened": opened, "suspended": 0, "shut_down": 0}
    for r in rows:
        counts[ACCOUNT_ACTIONS[r["action"]]] = r["n"]
    return counts


# --- the staff view (names) ---------------------------------------------------------


def staff_removers(start: date, end: date) -> list[Any]:
    """Removals per staff member who made them (internal review only)."""
    return list(
        removal_decisions_in(start, end)
        .values(
            "removed_by_id",
            "removed_by__username",
            "removed_by__first_name",
            "removed_by__last_name",
        )
        .annotate(n=Count("id"))
        .order_by("-n", "removed_by__username")
    )


def staff_reviewers(kind: str, start: date, end: date) -> list[dict[str, Any]]:
    """Answered filings per reviewer and outcome (internal review only)."""
    return list(
        filings_in(kind, start, end)
        .filter(status=S.ANSWERED)
        .values(
            "reviewer_id",
            "reviewer__username",
            "reviewer__first_name",
            "reviewer__last_name",
            "outcome",
        )
        .annotate(n=Count("id"))
        .order_by("reviewer__username", "outcome")
    )
