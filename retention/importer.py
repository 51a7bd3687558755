"""Import messages from a platform export (R1): JSON or CSV, idempotent on the
platform message id.

Each record has these fields (CSV: a header row with these names):

    account       slug of the city account (optional with ``--account``)
    id            the platform's message id (aliases: message_id, platform_message_id)
    sender        the sender's handle (alias: sender_handle; may be empty)
    body          the message text (alias: text; may be empty)
    received_at   ISO 8601 time (a time without zone is the city's local time) or
                  Unix seconds
    classification  optional: public, private, confidential, nonpublic,
                    protected_nonpublic (P24; default public)
    classification_basis  the statute, required when the classification is not
                    public (alias: basis; e.g. "Minn. Stat. 13.46")
    direction     optional: received (default) or sent, a message the city sent
                  from the account (P24); a sent message counts as read when sent

JSON is a list of such objects, or an object with a ``messages`` list. A message
already recorded for the account (even one destroyed since: its tombstone keeps
the id) is skipped, so importing the same export twice records each message once.
Malformed records are reported with their row number (CSV: the line of the file
the record ends on, the header being line 1; JSON: the position in the list, from
1) and the good records are imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account
from core import audit, imports
from core.classification import DataClassification
from core.imports import RowError
from retention.models import Message
from retention.services import kept_basis, validate_message_fields

ALIASES = {
    "id": ("id", "message_id", "platform_message_id"),
    "sender": ("sender", "sender_handle"),
    "body": ("body", "text"),
    "received_at": ("received_at",),
    "account": ("account",),
    "classification": ("classification",),
    "classification_basis": ("classification_basis", "basis"),
    "direction": ("direction",),
}
CHUNK = 1000


@dataclass
class ImportReport:
    created: int = 0
    already_recorded: int = 0
    duplicates_in_file: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def good(self) -> int:
        return self.created + self.already_recorded


def read_export(path: Path, fmt: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield (row number, record) from a JSON or CSV export file."""
    return imports.read_export(
        path,
        fmt,
        list_key="messages",
        required=ALIASES["id"],
        required_label="'id' column (the platform message id)",
    )


def _field(record: dict[str, Any], name: str) -> Any:
    for alias in ALIASES[name]:
        if alias in record and record[alias] is not None:
            return record[alias]
    return None


def parse_received_at(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC)
        try:
            moment = parse_datetime(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(f"received_at {text!r} is not an ISO 8601 time")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment
    raise ValueError("received_at is missing")


def _clean_row(
    record: Any, default_account: Account | None, accounts: dict[str, Account]
) -> dict[str, Any]:
    if isinstance(record, Exception):
        raise ValueError(str(record))
    if not isinstance(record, dict):
        raise ValueError("the record is not an object with named fields")
    slug = str(_field(record, "account") or "").strip()
    if slug:
        account = accounts.get(slug)
        if account is None:
            account = Account.objects.filter(slug=slug).first()
            if account is None:
                raise ValueError(f"no city account {slug!r}")
            accounts[slug] = account
    elif default_account is not None:
        account = default_account
    else:
        raise ValueError("no account (add an 'account' field or use --account)")
    raw_id = _field(record, "id")
    platform_id = str(raw_id).strip() if raw_id is not None else ""
    sender = str(_field(record, "sender") or "").strip()
    body = _field(record, "body")
    body = "" if body is None else str(body)
    received_at = parse_received_at(_field(record, "received_at"))
    classification = str(_field(record, "classification") or "").strip() or (
        DataClassification.PUBLIC
    )
    basis = kept_basis(
        classification, str(_field(record, "classification_basis") or "")
    )
    direction = str(_field(record, "direction") or "").strip().lower() or (
        Message.Direction.RECEIVED
    )
    if direction not in Message.Direction.values:
        raise ValueError(f"unknown direction {direction!r} (received or sent)")
    errors = validate_message_fields(
        platform_message_id=platform_id,
        sender_handle=sender,
        body=body,
        received_at=received_at,
        classification=classification,
        classification_basis=basis,
    )
    if errors:
        raise ValueError(" ".join(errors.values()))
    return {
        "account": account,
        "platform_message_id": platform_id,
        "sender_handle": sender,
        "body": body,
        "received_at": received_at,
        "classification": classification,
        "classification_basis": basis,
        "direction": direction,
        # A sent message is read when sent (P24, R1).
        "read_at": received_at if direction == Message.Direction.SENT else None,
    }


@transaction.atomic
def messages_import(
    *,
    records: Iterable[tuple[int, Any]],
    account: Account | None = None,
    by: Any = None,
    source: str = "",
) -> ImportReport:
    """Import the good records once; report the bad ones with their row numbers."""
    report = ImportReport()
    accounts: dict[str, Account] = {}
    seen: dict[tuple[int, str], int] = {}
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        if not chunk:
            return
        by_account: dict[int, set[str]] = {}
        for row in chunk:
            by_account.setdefault(row["account"].pk, set()).add(
                row["platform_message_id"]
            )
        existing = set()
        for account_id, ids in by_account.items():
            existing |= {
                (account_id, pid)
                for pid in Message.objects.filter(
                    account_id=account_id, platform_message_id__in=ids
                ).values_list("platform_message_id", flat=True)
            }
        new = [
            Message(**row)
            for row in chunk
            if (row["account"].pk, row["platform_message_id"]) not in existing
        ]
        Message.objects.bulk_create(new, ignore_conflicts=True)
        report.created += len(new)
        report.already_recorded += len(chunk) - len(new)
        chunk.clear()

    for number, record in records:
        try:
            row = _clean_row(record, account, accounts)
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
            continue
        key = (row["account"].pk, row["platform_message_id"])
        if key in seen:
            report.duplicates_in_file += 1
            continue
        seen[key] = number
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    audit.record_event(
        action="messages.imported",
        actor=by,
        data={
            "source": source,
            "created": report.created,
            "already_recorded": report.already_recorded,
            "duplicates_in_file": report.duplicates_in_file,
            "bad_rows": [e.row for e in report.errors][:1000],
        },
    )
    return report
