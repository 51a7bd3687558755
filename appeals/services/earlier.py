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
    account          appeals, optional: the city account's slug (the end of its
                     notice's address, /notice/<slug>/)
    account_other    appeals, optional: an account not in the registry, in words
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
    response         the written answer as it was sent (with answered_on; kept as
                     it was, whatever its length)
    withdrawn_on     the day the resident withdrew it
    withdrawal_note  how they withdrew it (with withdrawn_on)
    reviewer         optional: the username of who reviewed it and, if answered,
                     answered it (never who made the removal under appeal, P22)
    attorney         answered challenges, optional: the username of the City
                     Attorney consulted (default: ``--attorney``)

The file is imported whole or not at all, and every bad row is reported with its
row number (``core.imports``) and all its problems; a column the import does not
read is reported too, never dropped unseen. The due dates follow the city's
business-day rules from the day received, as for a filing received today. No
letter is written: they were sent at the time. A filing already in the system
(same kind, day received, name and contact) is refused, so a file imported twice
adds nothing. Each imported filing gets one audit event naming the file (its
SHA-256) and row. A reversed appeal linked to its removal asks the account's
managers to restore the comment, or confirm it is back (P22). A time of day is
not known, so the acknowledgment, answer and withdrawal are recorded at noon,
city time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from appeals import selectors
from appeals.models import (
    FILING_MODELS,
    Appeal,
    AttorneyConsultation,
    Channel,
    Delivery,
    Filing,
    LegalityChallenge,
)
from appeals.services._base import _kind_prefix, _personal, _remover_id, can_handle
from appeals.services.filing import _check_new_filing, insert_filing, set_deadlines
from appeals.services.handling import ADVISE
from core import audit, clock, imports
from core.exceptions import InvalidTransition
from core.imports import RowError
from core.permissions import holds, require
from moderation.services import restoration_request

#: The column a CSV file of filings must have, and every column it may have.
REQUIRED = ("kind",)
APPEAL_ONLY = (
    "account",
    "account_other",
    "comment_url",
    "comment_text",
    "explanation",
    "removal",
)
COLUMNS = frozenset(
    {
        *REQUIRED,
        *APPEAL_ONLY,
        "received_on",
        "name",
        "email",
        "postal_address",
        "reply_by",
        "channel",
        "section",
        "basis",
        "acknowledged_on",
        "consulted_on",
        "answered_on",
        "outcome",
        "categories",
        "amended_version",
        "response",
        "withdrawn_on",
        "withdrawal_note",
        "reviewer",
        "attorney",
    }
)


def read_export(path: Path, fmt: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield (row number, record) from a JSON or CSV file of filings, in the
    format described above (``fmt``: ``json`` or ``csv``, default the suffix)."""
    return imports.read_export(
        path,
        fmt,
        list_key="filings",
        required=REQUIRED,
        required_label="'kind' column (appeal or challenge)",
    )


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
    attorney: Any = None


def filings_import(
    *,
    records: Iterable[tuple[int, Any]],
    by: Any,
    attorney: Any = None,
    source: str = "",
    source_sha256: str = "",
) -> FilingsImport:
    """Import every record, or none when any is bad (each reported by row, with
    every problem of the row).

    ``by`` is the person importing: the City Administrator, who oversees appeals
    and challenges (``NotPermitted`` for anyone else, before any row is read);
    ``attorney`` the City Attorney consulted on the answered challenges (P23).
    """
    for perm in ("appeals.oversee_appeal", "appeals.oversee_legalitychallenge"):
        require(
            by,
            perm,
            doing="import earlier appeals and legality challenges: only the City "
            "Administrator may",
        )
    result = FilingsImport()
    records = list(records)
    context = _Context.load(attorney=attorney, records=records)
    rows: list[_Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    unknown_said: set[str] = set()
    for number, record in records:
        unknown = _unknown_columns(record) - unknown_said
        if unknown:
            unknown_said |= unknown
            result.errors.append(
                RowError(
                    number,
                    f"the import reads no column {', '.join(sorted(unknown))}: "
                    "rename or remove it (the columns are in docs/operations.md)",
                )
            )
        try:
            row = _read(number, record, context)
            key = _identity(row.filing)
            if key in seen:
                raise ValueError(f"the same filing as row {seen[key]}")
            seen[key] = number
            _refuse_recorded(row.filing)
        except ValueError as exc:
            result.errors.append(RowError(number, str(exc)))
        else:
            rows.append(row)
    if result.errors or not rows:
        return result
    with transaction.atomic():
        # Tracking numbers are taken in the order the filings were received.
        for row in sorted(rows, key=lambda r: (r.filing.received_on, r.number)):
            _save(row, by=by, source=source, sha=source_sha256)
            if isinstance(row.filing, Appeal):
                result.appeals += 1
            else:
                result.challenges += 1
    return result


def _unknown_columns(record: Any) -> set[str]:
    if not isinstance(record, dict):
        return set()
    return {str(name) for name in record if str(name) not in COLUMNS}


@dataclass
class _Context:
    """What the rows refer to, read once."""

    accounts: dict[str, Account]
    categories: dict[int, Any]
    versions: dict[tuple[str, int], Any]
    attorney: Any
    deadline_days: dict[str, int]
    removals: dict[int, Any]
    users: dict[str, Any] = field(default_factory=dict)

    def user(self, get: _Getter, name: str) -> Any:
        """The staff member whose username is in column ``name``, or None."""
        from django.contrib.auth import get_user_model

        username = get.text(name)
        if not username:
            return None
        if username not in self.users:
            self.users[username] = (
                get_user_model().objects.filter(username=username).first()
            )
        if self.users[username] is None:
            get.problem(f"{name}: no user {username!r}")
        return self.users[username]

    @classmethod
    def load(cls, *, attorney: Any, records: list[tuple[int, Any]]) -> _Context:
        from moderation.models import RemovalCategory, RemovalDecision
        from notices.models import DocumentVersion

        numbers = {
            number
            for _row, record in records
            if isinstance(record, dict)
            and (number := _removal_number(_Getter(record).text("removal")))
        }
        return cls(
            accounts={a.slug: a for a in Account.objects.all()},
            categories={c.number: c for c in RemovalCategory.objects.all()},
            versions={(v.kind, v.number): v for v in DocumentVersion.objects.public()},
            attorney=attorney,
            deadline_days=selectors.deadline_days(),
            removals=RemovalDecision.objects.in_bulk(numbers) if numbers else {},
        )


def _read(number: int, record: Any, context: _Context) -> _Row:
    """Read one record into an unsaved filing; ValueError says every problem."""
    if isinstance(record, Exception):
        raise ValueError(str(record))
    if not isinstance(record, dict):
        raise ValueError("the record is not an object with named fields")
    get = _Getter(record)
    kind = get.text("kind").lower()
    if kind not in FILING_MODELS:
        raise ValueError(f"kind {kind!r} is not appeal or challenge")
    received_on = get.day("received_on", required=True)
    email = get.text("email")
    reply_by = get.choice(
        "reply_by", Delivery.values, Delivery.EMAIL if email else Delivery.MAIL
    )
    common = {
        "name": get.text("name"),
        "email": email,
        "postal_address": get.text("postal_address"),
        "reply_by": reply_by,
        "channel": get.choice("channel", Channel.values, Channel.EMAIL),
    }
    filing: Filing
    categories: list[Any] = []
    if kind == "appeal":
        filing = _appeal(get, common, context)
        categories = _categories(get, context)
    else:
        filing = _challenge(get, common)
    # The dates, in the order things happen (P22, P23).
    acknowledged_on = get.day("acknowledged_on")
    answered_on = get.day("answered_on")
    withdrawn_on = get.day("withdrawn_on")
    consulted_on = get.day("consulted_on")
    get.in_order(
        ("received_on", received_on),
        ("acknowledged_on", acknowledged_on),
        ("answered_on", answered_on),
    )
    if withdrawn_on:
        get.in_order(("received_on", received_on), ("withdrawn_on", withdrawn_on))
        if answered_on:
            get.problem("a filing is answered or withdrawn, not both")
        filing.withdrawal_note = get.text("withdrawal_note")
        if not filing.withdrawal_note:
            get.problem("withdrawal_note: say how the resident withdrew it")
    if answered_on:
        if not acknowledged_on:
            get.problem(
                "acknowledged_on is missing: give the day it was acknowledged (the "
                "answer's day if the answer was the first reply)"
            )
        # As it was sent: a record of the past, not held to today's length.
        filing.response = get.text("response").replace("\r\n", "\n")
        if not filing.response:
            get.problem("response: give the written answer as it was sent")
        _outcome(get, filing, categories, context)
    else:
        for name in ("response", "outcome", "categories", "amended_version"):
            if get.text(name):
                get.problem(f"{name} needs answered_on")
    if withdrawn_on and acknowledged_on:
        get.in_order(
            ("acknowledged_on", acknowledged_on), ("withdrawn_on", withdrawn_on)
        )
    attorney = None
    if isinstance(filing, LegalityChallenge) and answered_on:
        attorney = context.user(get, "attorney") or context.attorney
        _consultation(get, consulted_on, received_on, answered_on, attorney)
    else:
        for name in ("consulted_on", "attorney"):
            if get.text(name):
                get.problem(f"{name} is for answered challenges")
    _reviewer(get, filing, answered_on, context)
    if isinstance(filing, Appeal) and filing.removal and received_on:
        _check_removal(get, filing, received_on)
    if received_on:
        set_deadlines(filing, received_on, context.deadline_days)
        try:
            _check_new_filing(filing)
        except ValidationError as exc:
            get.problem(_said(exc))
    if get.problems:
        raise ValueError("; ".join(get.problems))
    assert received_on is not None  # noqa: S101  # nosec B101 (a problem if not)
    return _Row(
        number=number,
        filing=filing,
        status=(
            S.WITHDRAWN
            if withdrawn_on
            else S.ANSWERED
            if answered_on
            else S.ACKNOWLEDGED
            if acknowledged_on
            else S.RECEIVED
        ),
        acknowledged_on=acknowledged_on,
        answered_on=answered_on,
        withdrawn_on=withdrawn_on,
        consulted_on=consulted_on,
        categories=categories,
        attorney=attorney,
    )


class _Getter:
    """A record's fields, and the problems found in them."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def text(self, name: str) -> str:
        value = self.record.get(name)
        return "" if value is None else str(value).strip()

    def choice(self, name: str, values: list[str], default: str) -> str:
        value = self.text(name).lower() or default
        if value not in values:
            self.problem(f"{name} {value!r} is not one of {', '.join(values)}")
            return default
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        text = self.text(name)
        if not text:
            if required:
                self.problem(f"{name} is missing")
            return None
        day = _parse_day(text)
        if day is None:
            self.problem(
                f"{name} {text!r} is not a date (YYYY-MM-DD, or month/day/year)"
            )
        elif day > clock.today():
            self.problem(f"{name} {text} is in the future")
            return None
        return day

    def in_order(self, *days: tuple[str, date | None]) -> None:
        given = [(name, day) for name, day in days if day is not None]
        for (before, a), (after, b) in pairwise(given):
            if b < a:
                self.problem(f"{after} ({b}) is before {before} ({a})")


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
    slug = get.text("account")
    account = context.accounts.get(slug) if slug else None
    if slug and account is None:
        get.problem(
            f"account: no city account {slug!r} (an account's slug ends the address "
            "of its notice, /notice/<slug>/; an account not in the registry goes "
            "in account_other)"
        )
    appeal = Appeal(
        **common,
        account=account,
        account_other="" if account else get.text("account_other"),
        comment_url=get.text("comment_url"),
        comment_text=get.text("comment_text"),
        explanation=get.text("explanation"),
    )
    removal = get.text("removal")
    if removal:
        number = _removal_number(removal)
        found = context.removals.get(number) if number else None
        if found is None:
            get.problem(f"removal {removal!r}: no such removal record")
        else:
            appeal.removal = found
            appeal.removal_reference = removal
    for name in ("section", "basis"):
        if get.text(name):
            get.problem(f"{name} is for challenges")
    return appeal


def _removal_number(text: str) -> int | None:
    """The removal record's number in ``text`` ("12" or "Removal #12")."""
    match = re.fullmatch(r"(?:removal\s*#?\s*)?(\d+)", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _challenge(get: _Getter, common: dict[str, Any]) -> LegalityChallenge:
    section = get.text("section")
    if not section:
        get.problem("section: name the part of the policy or notice challenged")
    for name in APPEAL_ONLY:
        if get.text(name):
            get.problem(f"{name} is for appeals")
    return LegalityChallenge(
        **common,
        section_anchor="other",
        section_title=section[:200],
        basis=get.text("basis"),
    )


def _categories(get: _Getter, context: _Context) -> list[Any]:
    numbers = get.text("categories").replace(",", " ").replace(";", " ").split()
    categories = []
    for text in numbers:
        if not text.isdigit() or int(text) not in context.categories:
            get.problem(f"categories: {text!r} is not one of the categories")
        else:
            categories.append(context.categories[int(text)])
    return categories


def _outcome(
    get: _Getter, filing: Filing, categories: list[Any], context: _Context
) -> None:
    outcome = get.text("outcome").lower()
    if isinstance(filing, Appeal):
        if outcome not in Appeal.Outcome.values:
            get.problem(f"outcome {outcome!r} is not upheld, modified or reversed")
        elif outcome == Appeal.Outcome.MODIFIED and not categories:
            get.problem("categories: name the categories the removal stands on (P21)")
        elif outcome != Appeal.Outcome.MODIFIED and categories:
            get.problem("categories are for a modified outcome")
        else:
            filing.outcome = outcome
        return
    assert isinstance(filing, LegalityChallenge)  # noqa: S101  # nosec B101
    if outcome not in LegalityChallenge.Outcome.values:
        get.problem(f"outcome {outcome!r} is not stands or amended")
        return
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
            get.problem("amended_version: give a published version, e.g. 'policy 2'")
        filing.amended_version = version
    elif text:
        get.problem("amended_version is for an amended outcome")


def _consultation(
    get: _Getter,
    consulted_on: date | None,
    received_on: date | None,
    answered_on: date,
    attorney: Any,
) -> None:
    if consulted_on is None:
        get.problem(
            "consulted_on is missing: a challenge is answered after the City "
            "Attorney is consulted (P23)"
        )
    get.in_order(
        ("received_on", received_on),
        ("consulted_on", consulted_on),
        ("answered_on", answered_on),
    )
    if attorney is None:
        get.problem(
            "an answered challenge needs the City Attorney consulted (the attorney "
            "column, or --attorney)"
        )
    elif not holds(attorney, ADVISE):
        get.problem(f"{attorney} is not the City Attorney (P23)")


def _reviewer(
    get: _Getter, filing: Filing, answered_on: date | None, context: _Context
) -> None:
    """Who reviewed and answered it, when the log says (P22: never the person
    who made the removal under appeal)."""
    reviewer = context.user(get, "reviewer")
    if reviewer is None:
        return
    if not can_handle(reviewer, filing):
        get.problem(f"reviewer: {reviewer.get_username()} may not review these")
        return
    if isinstance(filing, Appeal) and _remover_id(filing) == reviewer.pk:
        get.problem(
            f"reviewer: {reviewer.get_username()} made the removal under appeal and "
            "cannot have reviewed it (P22)"
        )
        return
    filing.reviewer = reviewer
    if answered_on:
        filing.answered_by = reviewer


def _check_removal(get: _Getter, appeal: Appeal, received_on: date) -> None:
    removal = appeal.removal
    assert removal is not None  # noqa: S101  # nosec B101 (the caller checks)
    if appeal.account is not None and removal.account_id != appeal.account.pk:
        get.problem(f"removal {removal} is of another account than {appeal.account}")
    if timezone.localdate(removal.removed_at) > received_on:
        get.problem(f"removal {removal} was made after the appeal was received")


def _about_fields(filing: Filing) -> dict[str, Any]:
    """What a filing is about: a resident may appeal two removals on one day."""
    if isinstance(filing, Appeal):
        return {
            "removal_id": filing.removal_id,
            "comment_url": filing.comment_url,
            "comment_text": filing.comment_text,
        }
    assert isinstance(filing, LegalityChallenge)  # noqa: S101  # nosec B101
    return {"section_title": filing.section_title}


def _identity(filing: Filing) -> tuple[Any, ...]:
    return (
        type(filing),
        filing.received_on,
        filing.name.casefold(),
        filing.email.casefold(),
        filing.postal_address,
        *_about_fields(filing).values(),
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
            **_about_fields(filing),
        )
        .values_list("reference", flat=True)
        .first()
    )
    if earlier:
        raise ValueError(f"already recorded as {earlier}")


def _said(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _noon(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(12))) if day else None


def _save(row: _Row, *, by: Any, source: str, sha: str) -> None:
    filing = row.filing
    filing.status = row.status
    filing.entered_by = by
    filing.acknowledged_at = _noon(row.acknowledged_on)
    filing.answered_at = _noon(row.answered_on)
    filing.withdrawn_at = _noon(row.withdrawn_on)
    if row.answered_on:
        filing.response_delivery = filing.reply_by
    filing.full_clean(exclude=["reference", "status_token"])
    data = insert_filing(filing)
    if isinstance(filing, Appeal) and row.categories:
        filing.revised_categories.set(row.categories)
    consultation = None
    if isinstance(filing, LegalityChallenge) and row.consulted_on:
        consultation = AttorneyConsultation.objects.create(
            challenge=filing,
            attorney=row.attorney,
            consulted_on=row.consulted_on,
            notes="Consulted before the city used this system; the notes are kept "
            "where they were.",
            recorded_by=by,
        )
    audit.record_event(
        action=f"{_kind_prefix(filing)}.{selectors.IMPORTED}",
        target=filing,
        actor=by,
        data={
            **data,
            "acknowledged_on": row.acknowledged_on,
            "answered_on": row.answered_on,
            "withdrawn_on": row.withdrawn_on,
            "outcome": getattr(filing, "outcome", ""),
            "reviewer": filing.reviewer_id,
            **_about(filing, row.categories),
            "consultation": getattr(consultation, "pk", None),
            "response_sha256": (
                hashlib.sha256(filing.response.encode()).hexdigest()
                if filing.response
                else ""
            ),
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
    _restore_if_reversed(filing, by=by)


def _about(filing: Filing, categories: list[Any]) -> dict[str, Any]:
    """What the audit event adds to the filing's own: its removal and revised
    categories (``categories``, as the row gave them), or the policy version that
    amended it."""
    if isinstance(filing, Appeal):
        return {
            "removal": filing.removal_id,
            "categories": sorted(c.pk for c in categories),
        }
    assert isinstance(filing, LegalityChallenge)  # noqa: S101  # nosec B101
    return {"amended_version": filing.amended_version_id}


def _restore_if_reversed(filing: Filing, *, by: Any) -> None:
    """A reversed appeal's comment goes back on the platform (P22): the account's
    managers are asked, as for an appeal answered here, and confirm it on the
    removal (the restoration then counts as after an appeal). A removal already
    restored, or already asked for, is left as it is."""
    if not (
        isinstance(filing, Appeal)
        and filing.outcome == Appeal.Outcome.REVERSED
        and filing.removal is not None
    ):
        return
    try:
        with transaction.atomic():
            restoration_request(
                decision=filing.removal,
                reason="The appeal was reversed: restore the comment on the "
                "platform, or confirm it is back.",
                source=f"Appeal {filing.reference} (imported from the city's "
                "earlier records) reversed the removal.",
                by=by,
                appeal=filing,
            )
    except InvalidTransition:
        pass
