"""The open data: the figures and their rows as JSON and CSV.

Schema ``SCHEMA_VERSION`` (``transparency.figures``), every field described in
docs/transparency.md. Both formats are generators, served by
``StreamingHttpResponse``: the rows come from database iterators in chunks, so
memory stays flat whatever the number of removals or filings.

* ``removals``: one row per month x account x category (P21), with the
  small-count rule (``fewer_than_3``);
* ``appeals`` and ``challenges``: one row per filing, its dates, status, outcome
  and business-day times; never a name, email, address or text (P22, P23).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from core import calendar, clock
from transparency import selectors
from transparency.figures import BusinessDays, Period, cell, figures_for

TABLES = ("removals", "appeals", "challenges")

REMOVAL_COLUMNS = [
    "month",
    "account",
    "category_number",
    "category",
    "count",
    "fewer_than_3",
]
FILING_COLUMNS = [
    "received_on",
    "channel",
    "ack_due_on",
    "acknowledged_on",
    "business_days_to_acknowledge",
    "acknowledged_late",
    "answer_due_on",
    "answered_on",
    "business_days_to_answer",
    "answered_late",
    "withdrawn_on",
    "status",
    "outcome",
]
APPEAL_COLUMNS = [*FILING_COLUMNS, "account"]
CHALLENGE_COLUMNS = [*FILING_COLUMNS, "section"]


def slug(period: Period) -> str:
    return str(period.year) if period.year else f"{period.start}-to-{period.last_day}"


def removal_rows(period: Period) -> Iterator[dict[str, Any]]:
    """One row per month x account x category with at least one removal."""
    cats = {c["id"]: c for c in selectors.categories()}
    labels = selectors.account_labels()
    rows = selectors.removal_counts_by_month_account_category(period.start, period.end)
    for row in rows:
        cat = cats[row["category_id"]]
        yield {
            "month": row["month"].strftime("%Y-%m"),
            "account": labels.get(row["account_id"], f"Account {row['account_id']}"),
            "category_number": cat["number"],
            "category": cat["name"],
            **cell(row["n"]),
        }


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


class _Days:
    """Business days between dates, from one holiday query (a date outside the
    prepared span, a record's typing slip, falls back to the calendar)."""

    def __init__(self, period: Period) -> None:
        self.bd = BusinessDays(
            period.start - timedelta(days=60), clock.today() + timedelta(days=1)
        )

    def between(self, start: date, end: date | None) -> int | None:
        if end is None:
            return None
        try:
            return self.bd.between(start, end)
        except KeyError:
            return calendar.business_days_between(start, end)


def filing_rows(period: Period, kind: str) -> Iterator[dict[str, Any]]:
    """One row per filing received in the period: dates and outcome only."""
    days = _Days(period)
    labels = selectors.account_labels() if kind == "appeal" else {}
    for f in selectors.filing_rows(kind, period.start, period.end):
        acknowledged = _local_day(f["acknowledged_at"])
        answered = _local_day(f["answered_at"])
        row = {
            "received_on": f["received_on"].isoformat(),
            "channel": f["channel"],
            "ack_due_on": f["ack_due_on"].isoformat(),
            "acknowledged_on": acknowledged.isoformat() if acknowledged else None,
            "business_days_to_acknowledge": days.between(
                f["received_on"], acknowledged
            ),
            "acknowledged_late": acknowledged > f["ack_due_on"]
            if acknowledged
            else None,
            "answer_due_on": f["answer_due_on"].isoformat(),
            "answered_on": answered.isoformat() if answered else None,
            "business_days_to_answer": days.between(f["received_on"], answered),
            "answered_late": answered > f["answer_due_on"] if answered else None,
            "withdrawn_on": (
                _local_day(f["withdrawn_at"]).isoformat()  # type: ignore[union-attr]
                if f["withdrawn_at"]
                else None
            ),
            "status": f["status"],
            "outcome": f["outcome"] or None,
        }
        if kind == "appeal":
            row["account"] = labels.get(f["account_id"]) if f["account_id"] else None
        else:
            row["section"] = f["section_anchor"]
        yield row


def json_chunks(period: Period) -> Iterator[str]:
    """The figures, then the three tables' rows, as one JSON object in pieces."""
    figures = figures_for(period)
    yield json.dumps(figures)[:-1]
    for key, rows in (
        ("removal_rows", removal_rows(period)),
        ("appeal_rows", filing_rows(period, "appeal")),
        ("challenge_rows", filing_rows(period, "challenge")),
    ):
        yield f', "{key}": ['
        first = True
        for row in rows:
            yield ("" if first else ", ") + json.dumps(row)
            first = False
        yield "]"
    yield "}"


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_lines(period: Period, table: str) -> Iterator[str]:
    """One CSV table, a line at a time: ``removals``, ``appeals`` or
    ``challenges``; the first line names the columns."""
    writer = csv.writer(_Echo())
    if table == "removals":
        columns, rows = REMOVAL_COLUMNS, removal_rows(period)
    elif table == "appeals":
        columns, rows = APPEAL_COLUMNS, filing_rows(period, "appeal")
    else:
        columns, rows = CHALLENGE_COLUMNS, filing_rows(period, "challenge")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_value(row[c]) for c in columns])
