"""Reading a file of records to import: JSON or CSV, each record with its row
number, so an importer reports a bad row where the person can find it.

One reader for every importer (a platform's message export in retention, the
appeals and challenges a city handled before it used this system in appeals).
Row numbers: in a CSV, the line of the file the record ends on, the header being
line 1; in JSON, the position in the list, from 1. A row that cannot be read
(more fields than the header) is yielded as a ``ValueError`` in place of its
record, for the importer to report with the others; a row with every field blank is
skipped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ExportFormatError(Exception):
    """The file as a whole cannot be read (not JSON/CSV, no header, ...)."""


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


def read_export(
    path: Path,
    fmt: str | None = None,
    *,
    list_key: str,
    required: Iterable[str],
    required_label: str,
) -> Iterator[tuple[int, Any]]:
    """Yield (row number, record) from a JSON or CSV file (``fmt``: ``json`` or
    ``csv``, default the file's suffix); see :func:`parse_export`."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportFormatError(
            f"{path.name} is not UTF-8 text (from a spreadsheet, save it as "
            f'"CSV UTF-8"): {exc.reason} at byte {exc.start}'
        ) from exc
    yield from parse_export(
        text, fmt, list_key=list_key, required=required, required_label=required_label
    )


def parse_export(
    text: str,
    fmt: str,
    *,
    list_key: str,
    required: Iterable[str],
    required_label: str,
) -> Iterator[tuple[int, Any]]:
    """Yield (row number, record) from ``text``.

    JSON is a list of records or an object whose ``list_key`` is that list. A CSV
    needs a header row with one of the ``required`` column names, else the whole
    file is refused, saying ``required_label``; its column names are read in lower
    case with words joined by ``_`` (:func:`column_name`).
    """
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExportFormatError(
                f"Not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from exc
        if isinstance(data, dict) and isinstance(data.get(list_key), list):
            data = data[list_key]
        if not isinstance(data, list):
            raise ExportFormatError(
                f"JSON must be a list of {list_key} or an object with a "
                f"{list_key!r} list."
            )
        yield from enumerate(data, start=1)
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames:
            raise ExportFormatError("The CSV file is empty (no header row).")
        names = {column_name(n) for n in reader.fieldnames if n}
        if not names & set(required):
            raise ExportFormatError(f"The CSV header has no {required_label}.")
        for record in reader:
            if not any(
                (v or "").strip() for v in record.values() if isinstance(v, str)
            ):
                continue  # a blank row, as spreadsheets leave at the end
            if None in record:
                yield (
                    reader.line_num,
                    ValueError("the row has more fields than the header"),
                )
                continue
            yield reader.line_num, {column_name(k): v for k, v in record.items() if k}
    else:
        raise ExportFormatError(f"Unknown format {fmt!r}: use json or csv.")


def column_name(header: str) -> str:
    """A CSV column's name as the importers know it: a spreadsheet's "Received
    on" is ``received_on``."""
    return "_".join(header.lower().split())
