"""The destruction log as CSV (R4): one export for the staff page and the admin
action, times in the city's time zone with their offset, as the pages show."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from core import clock
from retention.models import DestructionRecord


class _Echo:
    def write(self, value: str) -> str:
        return value


DESTRUCTION_COLUMNS = [
    "record",
    "run",
    "series",
    "schedule item",
    "rule",
    "items destroyed",
    "first date",
    "last date",
    "SHA-256 of ids",
    "recorded at",
    "run started",
    "run finished",
    "run status",
]


def _cell(value: Any) -> Any:
    """Keep a spreadsheet from reading a text cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def destruction_rows(records: Iterable[DestructionRecord]) -> Iterator[list[Any]]:
    yield DESTRUCTION_COLUMNS
    for r in records:
        yield [_cell(value) for value in _destruction_row(r)]


def _destruction_row(r: DestructionRecord) -> list[Any]:
    return [
        r.pk,
        r.run_id,
        r.get_series_display(),
        r.schedule_item,
        r.rule,
        r.item_count,
        r.first_date or "",
        r.last_date or "",
        r.ids_sha256,
        _local(r.recorded_at),
        _local(r.run.started_at),
        _local(r.run.finished_at),
        r.run.status,
    ]


def _local(moment: datetime | None) -> str:
    """ISO 8601 in the city's time zone, with its offset: the time the pages show
    ("2026-11-27T15:05:09-06:00")."""
    return timezone.localtime(moment).isoformat() if moment else ""


def destruction_csv_response(
    records: Iterable[DestructionRecord],
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in destruction_rows(records)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="destruction-log-{clock.today():%Y-%m-%d}.csv"'
    )
    return response
