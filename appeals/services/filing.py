"""Filing an appeal (P22) or a legality challenge (P23): from the public forms or
entered by staff, with its tracking number, deadlines, audit event and receipt."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from appeals import selectors
from appeals.models import (
    Appeal,
    Channel,
    Correspondence,
    Delivery,
    Filing,
    LegalityChallenge,
    ReferenceCounter,
)
from appeals.services._base import (
    LETTER_MAX_BYTES,
    F,
    _kind_prefix,
    _noun,
    _personal,
)
from appeals.services.correspondence import _write
from core import audit, calendar, clock
from core.uploads import IMAGE_OR_PDF, sha256_of, validate_upload


def _next_reference(prefix: str, year: int) -> str:
    """Take the next tracking number for ``prefix`` and ``year`` (AP-2026-00042).

    The year's counter row stays locked until the filing's transaction ends, so
    two filings never take the same number, and a filing that fails gives its
    number back: the numbers have no gaps. The same on PostgreSQL and SQLite; at
    a few filings a month nobody waits for the lock.
    """
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:05d}"


def _check_new_filing(filing: Filing) -> None:
    """Validate a new filing without a database round trip per rule: field rules
    here, and the database constraints' rules restated so a bad call gets a clear
    ValidationError rather than an IntegrityError. Foreign keys come from forms
    or callers that already hold the objects."""
    filing.full_clean(
        exclude=["reference", "status_token", "account", "entered_by", "reviewer"],
        validate_unique=False,
        validate_constraints=False,
    )
    errors: dict[str, str] = {}
    if not filing.email and not filing.postal_address:
        errors["email"] = "Give an email address or a postal address."
    elif filing.reply_by == Delivery.EMAIL and not filing.email:
        errors["email"] = "Give an email address for an answer by email."
    elif filing.reply_by == Delivery.MAIL and not filing.postal_address:
        errors["postal_address"] = "Give a postal address for an answer by mail."
    if (
        isinstance(filing, Appeal)
        and not filing.comment_url
        and not filing.comment_text
    ):
        errors["comment_text"] = "Give a link to the comment or what it said."
    if errors:
        raise ValidationError(errors)


def _check_letter(letter: Any) -> str:
    try:
        validate_upload(letter, kinds=IMAGE_OR_PDF, max_bytes=LETTER_MAX_BYTES)
    except ValidationError as exc:
        # Said on the letter's own field, where it can be fixed.
        raise ValidationError({"letter": exc.messages}) from exc
    return sha256_of(letter)


def set_deadlines(
    filing: Filing, received_on: date, days: dict[str, int] | None = None
) -> None:
    """Set the day received and the acknowledgment and answer due dates (P22,
    P23): business days from the city profile, skipping the city holidays.
    ``days`` is :func:`appeals.selectors.deadline_days`, when the caller has read
    it already (an import reads it once for all its rows)."""
    prefix = _kind_prefix(filing)
    if days is None:
        days = selectors.deadline_days()
    filing.received_on = received_on
    filing.ack_due_on = calendar.add_business_days(
        received_on, days[f"{prefix}_ack_days"]
    )
    filing.answer_due_on = calendar.add_business_days(
        received_on, days[f"{prefix}_answer_days"]
    )


def insert_filing(filing: Filing) -> dict[str, Any]:
    """Give a checked new filing its tracking number and status token and save
    it; return what its first audit event records of it (no personal data)."""
    filing.reference = _next_reference(filing.REFERENCE_PREFIX, filing.received_on.year)
    filing.status_token = secrets.token_urlsafe(32)
    filing.save(force_insert=True)
    data = audit.snapshot(
        filing,
        ["channel", "received_on", "status", "ack_due_on", "answer_due_on"],
    )
    if isinstance(filing, Appeal):
        data["account"] = filing.account_id
    elif isinstance(filing, LegalityChallenge):
        data["section"] = filing.section_anchor
    return data


def _filing_create(
    filing: F,
    *,
    channel: str,
    received_on: date | None,
    by: Any,
    letter: Any,
) -> F:
    today = clock.today()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError({"received_on": "The received date is in the future."})
    if channel == Channel.WEB and by is not None:
        raise ValidationError({"channel": "Staff enter letters, emails and visits."})
    if channel != Channel.WEB and by is None:
        raise ValidationError({"channel": "Only staff enter filings on paper."})
    prefix = _kind_prefix(filing)
    filing.channel = channel
    filing.entered_by = by
    set_deadlines(filing, received_on)
    if letter:
        filing.letter_sha256 = _check_letter(letter)
        filing.letter = letter
    _check_new_filing(filing)
    data = insert_filing(filing)
    if filing.letter_sha256:
        data["letter_sha256"] = filing.letter_sha256
    if filing.email:
        # The receipt is written, and handed to the outbox, with the filing: the
        # resident's submission never waits on the mail server (P22, P23).
        receipt = _write(
            filing,
            kind=Correspondence.Kind.RECEIPT,
            template="receipt",
            subject=f"We received your {_noun(filing)} ({filing.reference})",
            delivery=Delivery.EMAIL,
        )
        data["correspondence"] = receipt.pk
    audit.record_event(
        action=f"{prefix}.received",
        target=filing,
        actor=by,
        data=data,
        personal=_personal(filing),
    )
    return filing


@transaction.atomic
def appeal_submit(
    *,
    name: str,
    explanation: str,
    email: str = "",
    postal_address: str = "",
    reply_by: str = Delivery.EMAIL,
    account: Any = None,
    account_other: str = "",
    comment_posted_on: date | None = None,
    comment_url: str = "",
    comment_text: str = "",
    removal_reference: str = "",
    channel: str = Channel.WEB,
    received_on: date | None = None,
    by: Any = None,
    letter: Any = None,
) -> Appeal:
    """File an appeal of a removal (P22): from the web form, or entered by staff."""
    appeal = Appeal(
        name=name,
        email=email,
        postal_address=postal_address,
        reply_by=reply_by,
        account=account,
        account_other=account_other,
        comment_posted_on=comment_posted_on,
        comment_url=comment_url,
        comment_text=comment_text,
        removal_reference=removal_reference.strip(),
        explanation=explanation,
    )
    return _filing_create(
        appeal, channel=channel, received_on=received_on, by=by, letter=letter
    )


@transaction.atomic
def challenge_submit(
    *,
    name: str,
    section_anchor: str,
    section_title: str,
    basis: str,
    email: str = "",
    postal_address: str = "",
    reply_by: str = Delivery.EMAIL,
    channel: str = Channel.WEB,
    received_on: date | None = None,
    by: Any = None,
    letter: Any = None,
) -> LegalityChallenge:
    """File a legality challenge of part of the policy or notice (P23)."""
    challenge = LegalityChallenge(
        name=name,
        email=email,
        postal_address=postal_address,
        reply_by=reply_by,
        section_anchor=section_anchor,
        section_title=section_title,
        basis=basis,
    )
    return _filing_create(
        challenge, channel=channel, received_on=received_on, by=by, letter=letter
    )


def reference_take(*, prefix: str, year: int) -> str:
    """Take the next tracking number of another kind of record (Data
    Practices requests, ``DR-2026-00001``) from the same counter as filings: one
    numbering scheme, gapless, locked until the caller's transaction ends."""
    return _next_reference(prefix, year)
