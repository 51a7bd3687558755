"""Import the appeals (P22) and legality challenges (P23) a city handled before it
used this system, from its spreadsheet or log, so the record, the deadlines and
the transparency figures cover the whole year: ``manage.py import_filings FILE``.

Each record is one filing as it stands (CSV: a header row with these names; JSON:
a list of objects, or an object with a ``filings`` list). Dates are YYYY-MM-DD,
or month/day/year as spreadsheets in the United States write them (7/1/2025).

    kind             appeal or challenge
    received_on      the day the city received it
    name             who filed it
    email, postal_address
                     at least one: where the answer went
    reply_by         email or mail (default: email when there is an email address)
    channel          web, email, letter or in_person (default: email)
    account          appeals: the city account's slug, or the account in words
    comment_url, comment_text
                     appeals: at least one
    removal          appeals, optional: the removal record it is about ("12" or
                     "Removal #12")
    explanation      appeals: why the comment is in none of the categories (P22)
    section          challenges: the part of the policy or notice challenged
    basis            challenges: the basis of the challenge (P23)
    acknowledged_on  the day it was acknowledged (empty: not yet)
    consulted_on     challenges answered: the day the City Attorney was consulted
                     (P23; recorded as a consultation with ``--attorney``)
    answered_on      the day the written answer was sent (empty: not yet)
    outcome          appeals: upheld, modified or reversed; challenges: stands or
                     amended
    categories       modified appeals: the categories the removal stands on, by
                     number, e.g. "4 8" (P21)
    amended_version  amended challenges: the published version, e.g. "policy 2"
    response         the written answer as it was sent (with answered_on)
    withdrawn_on     the day the resident withdrew it
    withdrawal_note  how they withdrew it (with withdrawn_on)

The file is imported whole or not at all, and every bad row is reported with its
row number (``core.imports``). The due dates follow the city's business-day rules
from the day received, as for a filing received today. No letter is written:
they were sent at the time. A filing already in the system (same kind, day
received, name and contact) is refused, so a file imported twice adds nothing.
Each imported filing gets one audit event naming the file (its SHA-256) and row.
A reversed appeal's removal is not restored by the import: restore it on its
removal record if the comment was put back. A time of day is not known, so the
acknowledgment, answer and withdrawal are recorded at noon, city time.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Channel,
    Delivery,
    Filing,
    LegalityChallenge,
)
from appeals.services._base import _clean_response, _kind_prefix, _personal
from appeals.services.filing import _check_new_filing, _next_reference, set_deadlines
from appeals.services.handling import ADVISE
from core import audit, clock
from core.exceptions import NotPermitted
from core.imports import RowError
from core.permissions import require

#: The column a CSV file of filings must have.
REQUIRED = ("kind",)
KINDS = {"appeal": Appeal, "challenge": LegalityChallenge}
S = Filing.Status


@dataclass
class FilingsImport:
    """What an import did, or (``errors``) why it imported nothing."""

    appeals: int = 0
    challenges: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    filing: Filing
    status: str
    acknowledged_on: date | None
    answered_on: date | None
    withdrawn_on: date | None
    consulted_on: date | None
    categories: list[Any]


def filings_import(
    *,
    records: Iterable[tuple[int, Any]],
    by: Any,
    attorney: Any = None,
    source: str = "",
    source_sha256: str = "",
) -> FilingsImport:
    """Import every record, or none when any is bad (each reported by row).

    ``by`` is the person importing (City Administrator: they oversee appeals and
    challenges); ``attorney`` the City Attorney consulted on the answered
    challenges (P23).
    """
    result = FilingsImport()
    context = _Context.load(attorney=attorney)
    rows: list[_Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, record in records:
        try:
            row = _read(number, record, context)
            key = _identity(row.filing)
            if key in seen:
                raise ValueError(f"the same filing as row {seen[key]}")
            seen[key] = number
            _refuse_recorded(row.filing)
            _require(by, row.filing)
        except (ValueError, NotPermitted) as exc:
            result.errors.append(RowError(number, str(exc)))
        except ValidationError as exc:
            result.errors.append(RowError(number, _said(exc)))
        else:
            rows.append(row)
    if result.errors or not rows:
        return result
    with transaction.atomic():
        # Tracking numbers are taken in the order the filings were received.
        for row in sorted(rows, key=lambda r: (r.filing.received_on, r.number)):
            _save(row, by=by, attorney=attorney, source=source, sha=source_sha256)
            if isinstance(row.filing, Appeal):
                result.appeals += 1
            else:
                result.challenges += 1
    return result


@dataclass
class _Context:
    """What the rows refer to, read once."""

    accounts: dict[str, Account]
    categories: dict[int, Any]
    versions: dict[tuple[str, int], Any]
    attorney: Any

    @classmethod
    def load(cls, *, attorney: Any) -> _Context:
        from moderation.models import RemovalCategory
        from notices.models import DocumentVersion

        return cls(
            accounts={a.slug: a for a in Account.objects.all()},
            categories={c.number: c for c in RemovalCategory.objects.all()},
            versions={(v.kind, v.number): v for v in DocumentVersion.objects.public()},
            attorney=attorney,
        )


def _read(number: int, record: Any, context: _Context) -> _Row:
    if isinstance(record, Exception):
        raise ValueError(str(record))
    if not isinstance(record, dict):
        raise ValueError("the record is not an object with named fields")
    get = _Getter(record)
    kind = get.text("kind").lower()
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not appeal or challenge")
    received_on = get.day("received_on", required=True)
    assert received_on is not None  # noqa: S101  # nosec B101 (required above)
    email = get.text("email")
    address = get.text("postal_address")
    reply_by = get.text("reply_by").lower() or (
        Delivery.EMAIL if email else Delivery.MAIL
    )
    if reply_by not in Delivery.values:
        raise ValueError(f"reply_by {reply_by!r} is not email or mail")
    channel = get.text("channel").lower() or Channel.EMAIL
    if channel not in Channel.values:
        raise ValueError(
            f"channel {channel!r} is not one of {', '.join(Channel.values)}"
        )
    common = {
        "name": get.text("name"),
        "email": email,
        "postal_address": address,
        "reply_by": reply_by,
        "channel": channel,
    }
    filing: Filing
    categories: list[Any] = []
    if kind == "appeal":
        filing = _appeal(get, common, context)
        categories = _categories(get, filing, context)
    else:
        filing = _challenge(get, common, context)
    # The dates, in the order things happen (P22, P23).
    acknowledged_on = get.day("acknowledged_on")
    answered_on = get.day("answered_on")
    withdrawn_on = get.day("withdrawn_on")
    consulted_on = get.day("consulted_on")
    _in_order(
        ("received_on", received_on),
        ("acknowledged_on", acknowledged_on),
        ("answered_on", answered_on),
    )
    if withdrawn_on:
        _in_order(("received_on", received_on), ("withdrawn_on", withdrawn_on))
        if answered_on:
            raise ValueError("a filing is answered or withdrawn, not both")
        filing.withdrawal_note = get.text("withdrawal_note")
        if not filing.withdrawal_note:
            raise ValueError("withdrawal_note: say how the resident withdrew it")
    if answered_on:
        if not acknowledged_on:
            raise ValueError(
                "acknowledged_on is missing: give the day it was acknowledged (the "
                "answer's day if the answer was the first reply)"
            )
        filing.response = _response(get.text("response"))
    elif get.text("response") or get.text("outcome"):
        raise ValueError("an outcome and response need answered_on")
    if isinstance(filing, LegalityChallenge) and answered_on:
        _consultation(consulted_on, received_on, answered_on, context)
    elif consulted_on:
        raise ValueError("consulted_on is for answered challenges")
    if answered_on:
        _outcome(get, filing, categories, context)
    elif categories:
        raise ValueError("categories are for a modified appeal")
    status = (
        S.WITHDRAWN
        if withdrawn_on
        else S.ANSWERED
        if answered_on
        else S.ACKNOWLEDGED
        if acknowledged_on
        else S.RECEIVED
    )
    set_deadlines(filing, received_on)
    _check_new_filing(filing)
    return _Row(
        number=number,
        filing=filing,
        status=status,
        acknowledged_on=acknowledged_on,
        answered_on=answered_on,
        withdrawn_on=withdrawn_on,
        consulted_on=consulted_on,
        categories=categories,
    )


class _Getter:
    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def text(self, name: str) -> str:
        value = self.record.get(name)
        return "" if value is None else str(value).strip()

    def day(self, name: str, *, required: bool = False) -> date | None:
        text = self.text(name)
        if not text:
            if required:
                raise ValueError(f"{name} is missing")
            return None
        day = _parse_day(text)
        if day is None:
            raise ValueError(
                f"{name} {text!r} is not a date (YYYY-MM-DD, or month/day/year)"
            )
        if day > clock.today():
            raise ValueError(f"{name} {text} is in the future")
        return day


def _parse_day(text: str) -> date | None:
    """2025-07-01, or 7/1/2025 as a spreadsheet in the United States writes it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        return None


def _appeal(get: _Getter, common: dict[str, Any], context: _Context) -> Appeal:
    words = get.text("account")
    account = context.accounts.get(words)
    appeal = Appeal(
        **common,
        account=account,
        account_other="" if account else words,
        comment_url=get.text("comment_url"),
        comment_text=get.text("comment_text"),
        explanation=get.text("explanation"),
    )
    removal = get.text("removal")
    if removal:
        from moderation.models import RemovalDecision

        match = re.fullmatch(r"(?:removal\s*#?\s*)?(\d+)", removal, re.IGNORECASE)
        found = (
            RemovalDecision.objects.filter(pk=int(match.group(1))).first()
            if match
            else None
        )
        if found is None:
            raise ValueError(f"removal {removal!r}: no such removal record")
        appeal.removal = found
        appeal.removal_reference = removal
    if get.text("section") or get.text("basis"):
        raise ValueError("section and basis are for challenges")
    return appeal


def _challenge(
    get: _Getter, common: dict[str, Any], context: _Context
) -> LegalityChallenge:
    section = get.text("section")
    if not section:
        raise ValueError("section: name the part of the policy or notice challenged")
    for name in ("account", "comment_url", "comment_text", "explanation", "removal"):
        if get.text(name):
            raise ValueError(f"{name} is for appeals")
    return LegalityChallenge(
        **common,
        section_anchor="other",
        section_title=section[:200],
        basis=get.text("basis"),
    )


def _categories(get: _Getter, appeal: Appeal, context: _Context) -> list[Any]:
    numbers = get.text("categories").replace(",", " ").replace(";", " ").split()
    categories = []
    for text in numbers:
        if not text.isdigit() or int(text) not in context.categories:
            raise ValueError(f"categories: {text!r} is not one of the categories")
        categories.append(context.categories[int(text)])
    return categories


def _outcome(
    get: _Getter, filing: Filing, categories: list[Any], context: _Context
) -> None:
    outcome = get.text("outcome").lower()
    if isinstance(filing, Appeal):
        if outcome not in Appeal.Outcome.values:
            raise ValueError(f"outcome {outcome!r} is not upheld, modified or reversed")
        if outcome == Appeal.Outcome.MODIFIED and not categories:
            raise ValueError(
                "categories: name the categories the removal stands on (P21)"
            )
        if outcome != Appeal.Outcome.MODIFIED and categories:
            raise ValueError("categories are for a modified outcome")
        filing.outcome = outcome
        return
    assert isinstance(filing, LegalityChallenge)  # noqa: S101  # nosec B101
    if outcome not in LegalityChallenge.Outcome.values:
        raise ValueError(f"outcome {outcome!r} is not stands or amended")
    filing.outcome = outcome
    text = get.text("amended_version").lower()
    if outcome == LegalityChallenge.Outcome.AMENDED:
        match = re.fullmatch(r"(policy|notice)\s+(\d+)", text)
        version = (
            context.versions.get((match.group(1), int(match.group(2))))
            if match
            else None
        )
        if version is None:
            raise ValueError(
                "amended_version: give a published version, e.g. 'policy 2'"
            )
        filing.amended_version = version
    elif text:
        raise ValueError("amended_version is for an amended outcome")


def _consultation(
    consulted_on: date | None,
    received_on: date,
    answered_on: date,
    context: _Context,
) -> None:
    if consulted_on is None:
        raise ValueError(
            "consulted_on is missing: a challenge is answered after the City "
            "Attorney is consulted (P23)"
        )
    _in_order(
        ("received_on", received_on),
        ("consulted_on", consulted_on),
        ("answered_on", answered_on),
    )
    attorney = context.attorney
    if attorney is None:
        raise ValueError(
            "an answered challenge needs the City Attorney consulted (--attorney)"
        )
    if not (attorney.is_active and attorney.has_perm(ADVISE)):
        raise ValueError(f"{attorney} is not the City Attorney (P23)")


def _response(text: str) -> str:
    try:
        return _clean_response(text)
    except ValidationError:
        raise ValueError(
            "response: give the written answer as it was sent (P22, P23)"
        ) from None


def _in_order(*days: tuple[str, date | None]) -> None:
    given = [(name, day) for name, day in days if day is not None]
    for (before, a), (after, b) in pairwise(given):
        if b < a:
            raise ValueError(f"{after} ({b}) is before {before} ({a})")


def _identity(filing: Filing) -> tuple[Any, ...]:
    return (
        type(filing),
        filing.received_on,
        filing.name.casefold(),
        filing.email.casefold(),
        filing.postal_address,
    )


def _refuse_recorded(filing: Filing) -> None:
    if not filing.received_on:
        return
    model: Any = type(filing)
    earlier = (
        model.objects.filter(
            received_on=filing.received_on,
            name__iexact=filing.name,
            email__iexact=filing.email,
            postal_address=filing.postal_address,
        )
        .values_list("reference", flat=True)
        .first()
    )
    if earlier:
        raise ValueError(f"already recorded as {earlier}")


def _require(by: Any, filing: Filing) -> None:
    noun = "appeals" if isinstance(filing, Appeal) else "legality challenges"
    require(
        by,
        f"appeals.oversee_{filing.kind}",
        doing=f"import earlier {noun}: only the City Administrator may",
    )


def _said(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _noon(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(12))) if day else None


def _save(row: _Row, *, by: Any, attorney: Any, source: str, sha: str) -> None:
    filing = row.filing
    filing.status = row.status
    filing.entered_by = by
    filing.acknowledged_at = _noon(row.acknowledged_on)
    filing.answered_at = _noon(row.answered_on)
    filing.withdrawn_at = _noon(row.withdrawn_on)
    if row.answered_on:
        filing.response_delivery = filing.reply_by
    filing.reference = _next_reference(filing.REFERENCE_PREFIX, filing.received_on.year)
    filing.status_token = secrets.token_urlsafe(32)
    filing.full_clean()
    filing.save(force_insert=True)
    if isinstance(filing, Appeal) and row.categories:
        filing.revised_categories.set(row.categories)
    if isinstance(filing, LegalityChallenge) and row.consulted_on:
        AttorneyConsultation.objects.create(
            challenge=filing,
            attorney=attorney,
            consulted_on=row.consulted_on,
            notes="Consulted before the city used this system; the notes are kept "
            "where they were.",
            recorded_by=by,
        )
    audit.record_event(
        action=f"{_kind_prefix(filing)}.imported",
        target=filing,
        actor=by,
        data={
            **audit.snapshot(
                filing,
                ["channel", "received_on", "status", "ack_due_on", "answer_due_on"],
            ),
            "acknowledged_on": row.acknowledged_on,
            "answered_on": row.answered_on,
            "withdrawn_on": row.withdrawn_on,
            "outcome": getattr(filing, "outcome", ""),
            "source": source,
            "source_sha256": sha,
            "row": row.number,
        },
        personal={
            **_personal(filing),
            "response": filing.response,
            "withdrawal_note": filing.withdrawal_note,
        },
    )
