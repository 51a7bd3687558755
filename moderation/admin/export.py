"""The CSV export of the removal list: streamed in constant memory, values as
they stand after corrections, spreadsheet formulas neutralised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from moderation import selectors
from moderation.models import (
    RemovalAmendment,
    RemovalDecision,
    RemovalDecisionCategory,
)

# Cells starting with these are read as formulas by spreadsheets; comments come
# from the public, so they are neutralised in the export (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, tz: Any = None) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat(
            timespec="seconds"
        )
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "reference",
    "account",
    "platform",
    "comment_id",
    "comment_url",
    "author_name",
    "author_handle",
    "posted_at",
    "removed_at",
    "removed_by",
    "categories",
    "link_to_material",
    "facts",
    "reasoning",
    "platform_action",
    "author_told",
    "author_told_at",
    "restored",
    "corrected",
    "comment_text",
    "notice_version",
    "classification",
    "logged_at",
]


# Columns read for the export, in one query per chunk (no model instances: the
# export of a million rows must be fast and run in constant memory).
_EXPORT_FIELDS = (
    "id",
    "account__handle",
    "account__platform__name",
    "comment_id",
    "comment_url",
    "author_name",
    "author_handle",
    "posted_at",
    "removed_at",
    "removed_by__username",
    "link_to_material",
    "facts",
    "reasoning",
    "platform_action",
    "classification",
    "notified_via",
    "notified_at",
    "comment_text",
    "notice_version__number",
    "created_at",
)
EXPORT_CHUNK = 2000


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def export_rows(queryset: QuerySet[RemovalDecision]) -> Iterator[list[Any]]:
    """Yield the CSV rows of ``queryset`` in constant memory: a server-side cursor
    on PostgreSQL, read 2,000 decisions at a time, each chunk's categories and
    amendments in one query each. Values are as they stand after corrections."""
    yield EXPORT_COLUMNS
    tz = timezone.get_current_timezone()
    rows = (
        queryset.prefetch_related(None)
        .values_list(*_EXPORT_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for chunk in _chunks(rows, EXPORT_CHUNK):
        ids = [row[0] for row in chunk]
        numbers: dict[int, list[int]] = defaultdict(list)
        for decision_id, number in (
            RemovalDecisionCategory.objects.filter(decision_id__in=ids)
            .order_by("category__number")
            .values_list("decision_id", "category__number")
        ):
            numbers[decision_id].append(number)
        appended: dict[int, list[tuple]] = defaultdict(list)
        for decision_id, *rest in (
            RemovalAmendment.objects.filter(decision_id__in=ids)
            .order_by("made_at", "id")
            .values_list(
                "decision_id",
                "kind",
                "field",
                "new_value",
                "notified_via",
                "notified_at",
            )
        ):
            appended[decision_id].append(tuple(rest))
        for row in chunk:
            values = dict(zip(_EXPORT_FIELDS, row, strict=True))
            values["categories"] = numbers[values["id"]]
            told = (
                (values["notified_via"], values["notified_at"])
                if values["notified_via"]
                else None
            )
            kinds = set()
            for kind, field, new_value, via, at in appended[values["id"]]:
                kinds.add(kind)
                if kind == RemovalAmendment.Kind.CORRECTION:
                    values[field] = selectors.correction_value(field, new_value)
                elif kind == RemovalAmendment.Kind.AUTHOR_NOTIFIED:
                    told = (via, at)
            yield [
                _cell(value, tz)
                for value in (
                    f"Removal #{values['id']}",
                    values["account__handle"],
                    values["account__platform__name"],
                    values["comment_id"],
                    values["comment_url"],
                    values["author_name"],
                    values["author_handle"],
                    values["posted_at"],
                    values["removed_at"],
                    values["removed_by__username"],
                    " ".join(str(n) for n in sorted(values["categories"])),
                    values["link_to_material"],
                    values["facts"],
                    values["reasoning"],
                    values["platform_action"],
                    told[0] if told else "",
                    told[1] if told and told[1] else "",
                    "yes" if RemovalAmendment.Kind.RESTORATION in kinds else "no",
                    "yes" if RemovalAmendment.Kind.CORRECTION in kinds else "no",
                    values["comment_text"],
                    values["notice_version__number"] or "",
                    values["classification"],
                    values["created_at"],
                )
            ]
