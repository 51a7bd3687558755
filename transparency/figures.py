"""The public transparency figures for a period (P4, P7, P21-P23, R3, R4).

:func:`figures_for` returns one JSON-ready dict (the page, the open data and the
frozen yearly report all show this one dict) with:

* removals (P21): the total, by category (a removal with several categories counts
  under each, and the figures say how many categories were ticked in all), by
  account and by month, and the comments restored;
* appeals (P22): filed, outcomes (upheld, upheld on different grounds, reversed,
  withdrawn, still open), time to acknowledge and to answer in business days
  (median and 90th percentile, ``core.calendar``'s weekends and city holidays)
  against the city's targets (``CityProfile``), and how many were late;
* legality challenges (P23): filed, acknowledged, answered, answered after the City
  Attorney was consulted, outcomes, the same times;
* records destroyed per series (R4), legal holds in force (R3, a count only), and
  accounts opened, suspended and shut down (P4, P7).

**Small-count rule.** At the finest breakdown (each category, account, month,
outcome, series) a count of 1 or 2 is published as "fewer than 3" (``count`` is
``None`` and ``fewer_than_3`` true); 0 stays 0 and totals stay exact. The exact
value never leaves :func:`cell`.

**Cost.** Every figure is an aggregate in the database: the number of queries is
fixed (``QUERIES``), whatever the data. Business-day times come from one
``GROUP BY (received on, due on, done on)`` query per step, whose size is bounded by
the days in the period, turned into a histogram of durations in Python; the
median and 90th percentile are read from the histogram (nearest rank).

**More figures.** Another app's figures (Data Practices requests, when it
exists) are added as a section with :func:`register` (a provider returning a
JSON-ready dict for a period, and its template), from ``TransparencyConfig.ready``;
the page, the open data and the report show every registered section.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from appeals.models import Appeal, Filing, LegalityChallenge
from appeals.selectors import deadline_days
from core import calendar, clock
from datarequests.selectors import request_figure_rows
from datarequests.services import answer_days
from retention.models import Series
from transparency import selectors

SCHEMA_VERSION = "1.1"
SMALL = 3  # counts below this (1 or 2) are shown as "fewer than 3"
FEWER_THAN = f"fewer than {SMALL}"

# The queries :func:`figures_for` makes, whatever the data (tests check it).
QUERIES = 24  # 19 of its own, 5 of the Data Practices requests section

S = Filing.Status


# --- the period ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date
    year: int | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def months(self) -> list[date]:
        return selectors.month_starts(self.start, self.end)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.last_day.isoformat(),
            "year": self.year,
        }


def period_for_year(year: int) -> Period:
    return Period(start=date(year, 1, 1), end=date(year + 1, 1, 1), year=year)


def period_last_12_months(today: date | None = None) -> Period:
    """The twelve calendar months up to and including today's month (so each month
    in the breakdown is a whole month, the current one up to today)."""
    today = today or clock.today()
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(start=first, end=today + timedelta(days=1))


# --- the small-count rule -----------------------------------------------------------


def cell(n: int) -> dict[str, Any]:
    """A count at the finest breakdown: exact when 0 or 3 or more; otherwise
    ``None`` and ``fewer_than_3``."""
    if 0 < n < SMALL:
        return {"count": None, "fewer_than_3": True}
    return {"count": n, "fewer_than_3": False}


def shown(item: dict[str, Any]) -> str:
    """How a cell reads on a page: "1,234", "0" or "fewer than 3"."""
    return FEWER_THAN if item["fewer_than_3"] else f"{item['count']:,}"


# --- business-day times -------------------------------------------------------------


class BusinessDays:
    """Business days between dates, from one holiday query for the whole span."""

    def __init__(self, low: date, high: date) -> None:
        self.low = low
        off = calendar.holidays_between(low, high)
        self._ordinal: dict[date, int] = {}
        count, day = 0, low
        while day <= high:
            if calendar.is_business_day(day, off):
                count += 1
            self._ordinal[day] = count
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        """``core.calendar.business_days_between(start, end)``, without a query."""
        return self._ordinal[end] - self._ordinal[start]

    @classmethod
    def covering(cls, days: Iterable[date], today: date) -> BusinessDays:
        days = [d for d in days if d is not None]
        return cls(min([*days, today]), max([*days, today]))


def percentile(histogram: Counter[int], p: float) -> int | None:
    """The nearest-rank ``p``-th percentile of the durations in ``histogram``:
    the smallest duration that at least ``p`` percent of them do not exceed."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return None  # pragma: no cover (rank <= total)


def _step(
    buckets: list[tuple[date, date, date, int]],
    bd: BusinessDays,
    *,
    target: int | None,
    overdue_open: int,
) -> dict[str, Any]:
    histogram: Counter[int] = Counter()
    late_done = 0
    for received, due, done, n in buckets:
        histogram[bd.between(received, done)] += n
        if done > due:
            late_done += n
    return {
        "target_days": target,
        "done": sum(histogram.values()),
        "median_days": percentile(histogram, 50),
        "p90_days": percentile(histogram, 90),
        "late_done": late_done,
        "overdue_open": overdue_open,
        "late": late_done + overdue_open,
    }


# --- the figures --------------------------------------------------------------------

APPEAL_OUTCOMES = [
    ("upheld", Appeal.Outcome.UPHELD.label),
    ("modified", Appeal.Outcome.MODIFIED.label),
    ("reversed", Appeal.Outcome.REVERSED.label),
    ("withdrawn", "Withdrawn by the resident"),
    ("open", "Not answered yet"),
]
CHALLENGE_OUTCOMES = [
    ("stands", LegalityChallenge.Outcome.STANDS.label),
    ("amended", LegalityChallenge.Outcome.AMENDED.label),
    ("withdrawn", "Withdrawn by the resident"),
    ("open", "Not answered yet"),
]


def _outcomes(
    counts: dict[tuple[str, str], int], keys: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    tally: Counter[str] = Counter()
    for (status, outcome), n in counts.items():
        if status == S.ANSWERED:
            tally[outcome] += n
        elif status == S.WITHDRAWN:
            tally["withdrawn"] += n
        else:
            tally["open"] += n
    return [{"key": k, "label": label, **cell(tally[k])} for k, label in keys]


def _filings(
    kind: str, period: Period, today: date, targets: dict[str, Any]
) -> dict[str, Any]:
    counts, overdue = selectors.filing_outcome_counts(
        kind, period.start, period.end, today
    )
    ack = selectors.filing_step_buckets(kind, period.start, period.end, "ack")
    answer = selectors.filing_step_buckets(kind, period.start, period.end, "answer")
    days = [d for b in (*ack, *answer) for d in (b[0], b[2])]
    bd = BusinessDays.covering([period.start, *days], today)
    keys = APPEAL_OUTCOMES if kind == "appeal" else CHALLENGE_OUTCOMES
    return {
        "filed": sum(counts.values()),
        "outcomes": _outcomes(counts, keys),
        "acknowledge": _step(
            ack, bd, target=targets[f"{kind}_ack_days"], overdue_open=overdue["ack"]
        ),
        "answer": _step(
            answer,
            bd,
            target=targets[f"{kind}_answer_days"],
            overdue_open=overdue["answer"],
        ),
    }


def _removals(period: Period) -> dict[str, Any]:
    cats = selectors.categories()
    per_month_account = selectors.removal_counts_by_month_account(
        period.start, period.end
    )
    per_cat = Counter(selectors.removal_counts_by_category(period.start, period.end))
    by_month: Counter[date] = Counter()
    by_account: Counter[int] = Counter()
    for row in per_month_account:
        by_month[row["month"]] += row["n"]
        by_account[row["account_id"]] += row["n"]
    labels = selectors.account_labels(set(by_account))
    accounts = [
        {"account": labels.get(a, f"Account {a}"), **cell(n)}
        for a, n in by_account.items()
    ]
    # Largest first; the "fewer than 3" rows last, by name (their order must not
    # tell a 2 from a 1).
    accounts.sort(key=lambda r: (-(r["count"] or 0), r["account"]))
    restored = selectors.restoration_counts(period.start, period.end)
    return {
        "total": sum(by_account.values()),
        # P21: a removal falls into one or more categories; the categories ticked
        # add up to this (at least the total).
        "category_mentions": sum(per_cat.values()),
        "by_category": [
            {
                "number": c["number"],
                "code": c["code"],
                "category": c["name"],
                **cell(per_cat[c["id"]]),
            }
            for c in cats
        ],
        "by_account": accounts,
        "by_month": [
            {"month": m.strftime("%Y-%m"), **cell(by_month[m])} for m in period.months
        ],
        "restored": restored["total"],
        "restored_after_appeal": restored["after_appeal"],
    }


def figures_for(period: Period) -> dict[str, Any]:
    """Return every public figure for ``period`` (see the module docstring)."""
    today = clock.today()
    # The due dates' own rule: the profile's days, or their defaults (P22, P23).
    targets = deadline_days()
    challenges = _filings("challenge", period, today, targets)
    challenges.update(selectors.challenge_consultation_counts(period.start, period.end))
    destroyed = selectors.destroyed_by_series(period.start, period.end)
    _low, high = selectors.bounds(period.start, period.end)
    now = clock.now()
    holds_at = high if high is not None and high < now else None
    figures = {
        "schema_version": SCHEMA_VERSION,
        "period": period.as_dict(),
        "computed_at": now.isoformat(),
        "removals": _removals(period),
        "appeals": _filings("appeal", period, today, targets),
        "challenges": challenges,
        "records": {
            "destroyed_total": sum(destroyed.values()),
            "destroyed_by_series": [
                {"series": s.value, "label": s.label, **cell(destroyed.get(s, 0))}
                for s in Series
            ],
            "legal_holds_in_force": selectors.legal_holds_in_force(holds_at),
        },
        "accounts": selectors.account_counts(period.start, period.end),
    }
    figures["data_requests"] = data_request_figures(period)
    return figures


# --- the staff view (names: internal review only, never public) ---------------------


def _person(row: dict[str, Any], prefix: str) -> str:
    full = f"{row[prefix + '__first_name']} {row[prefix + '__last_name']}".strip()
    return full or row[prefix + "__username"] or "(nobody recorded)"


def staff_figures_for(period: Period) -> dict[str, Any]:
    """The exact counts with the names of who removed and who reviewed (P22: the
    reviewer is not the remover), for the City Administrator."""
    removers = [
        {"name": _person(r, "removed_by"), "count": r["n"]}
        for r in selectors.staff_removers(period.start, period.end)
    ]
    reviewers: dict[str, Any] = {}
    for kind, keys in (("appeal", APPEAL_OUTCOMES), ("challenge", CHALLENGE_OUTCOMES)):
        per: dict[str, Counter[str]] = {}
        for r in selectors.staff_reviewers(kind, period.start, period.end):
            per.setdefault(_person(r, "reviewer"), Counter())[r["outcome"]] += r["n"]
        # Each outcome by its label, in the public figures' order.
        reviewers[kind] = [
            {
                "name": name,
                "count": sum(c.values()),
                "outcomes": {label: c[key] for key, label in keys if c[key]},
            }
            for name, c in sorted(per.items())
        ]
    return {"removers": removers, "reviewers": reviewers}


# --- Data Practices requests (P24; Minn. Stat. 13.03, 13.04) -------------------------

DATA_REQUEST_KINDS = [
    ("data_subject", "Data about the person asking (data subject)"),
    ("public", "Public data (anyone)"),
]


def data_request_figures(period: Period) -> dict[str, Any]:
    """Requests received in the period by kind, and the time to answer each kind
    (released or closed) in business days against its deadline: 10 business days
    for a data subject (13.04 subd. 3), the city's own target for public data. A
    pause while the city waited for the requester moves the due date, so "late"
    counts only the city's own delay; the time shown runs from receipt."""
    today = clock.today()
    received, answered, overdue = request_figure_rows(
        start=period.start, end=period.end, today=today
    )
    targets = {kind: answer_days(kind) for kind, _label in DATA_REQUEST_KINDS}
    days = [
        d
        for _kind, received_on, _due, done, _n in answered
        for d in (received_on, done)
    ]
    bd = BusinessDays.covering([period.start, *days], today)
    return {
        "received": sum(received.values()),
        "by_kind": [
            {
                "kind": kind,
                "label": label,
                **cell(received[kind]),
                "answer": _step(
                    [(r, due, done, n) for k, r, due, done, n in answered if k == kind],
                    bd,
                    target=targets[kind],
                    overdue_open=overdue[kind],
                ),
            }
            for kind, label in DATA_REQUEST_KINDS
        ],
    }
