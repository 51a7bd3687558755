"""Filing an appeal or a legality challenge (P22, P23), and its receipt."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.selectors import city_profile_get
from appeals import pagecache
from appeals.models import (
    Appeal,
    Channel,
    Correspondence,
    Delivery,
    Filing,
    LegalityChallenge,
    ReferenceCounter,
)
from appeals.services.common import (
    DEFAULT_DAYS,
    F,
    _check_letter,
    _days_from,
    _kind_prefix,
    _noun,
    _personal,
    _write,
)
from appeals.services.mail import correspondence_send
from core import audit, calendar, clock


def _next_reference(prefix: str, year: int) -> str:
    """Take the next number for ``prefix`` and ``year`` in one atomic statement
    (an upsert that locks the counter row until the transaction ends)."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last) VALUES (%s, %s, 1) "  # noqa: S608  # nosec B608
            f"ON CONFLICT (prefix, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:05d}"


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
    days = pagecache.cached("deadline-days", _deadline_days)
    ack_days, answer_days = days[f"{prefix}_ack_days"], days[f"{prefix}_answer_days"]
    off = pagecache.cached("holidays", _all_holidays)
    filing.channel = channel
    filing.received_on = received_on
    filing.entered_by = by
    filing.ack_due_on = calendar.add_business_days(received_on, ack_days, holidays=off)
    filing.answer_due_on = calendar.add_business_days(
        received_on, answer_days, holidays=off
    )
    if letter:
        filing.letter_sha256 = _check_letter(letter)
        filing.letter = letter
    _check_new_filing(filing)
    filing.reference = _next_reference(filing.REFERENCE_PREFIX, received_on.year)
    filing.status_token = secrets.token_urlsafe(32)
    filing.save(force_insert=True)
    data = audit.snapshot(
        filing,
        ["channel", "received_on", "status", "ack_due_on", "answer_due_on"],
    )
    if isinstance(filing, Appeal):
        data["account"] = filing.account_id
    else:
        data["section"] = filing.section_anchor
    if filing.letter_sha256:
        data["letter_sha256"] = filing.letter_sha256
    audit.record_event(
        action=f"{prefix}.received",
        target=filing,
        actor=by,
        data=data,
        personal=_personal(filing),
    )
    if filing.email:
        # The receipt is written, kept and emailed by a job after commit.
        from appeals.tasks import send_receipt_task

        kind, pk = filing.kind, filing.pk
        transaction.on_commit(lambda: send_receipt_task.delay(kind=kind, filing_id=pk))
    return filing


def _deadline_days() -> dict[str, int]:
    profile = city_profile_get()
    return {name: _days_from(profile, name) for name in DEFAULT_DAYS}


def _all_holidays() -> frozenset[date]:
    from core.models import Holiday

    return frozenset(Holiday.objects.values_list("date", flat=True))


def filing_send_receipt(*, kind: str, filing_id: int) -> Correspondence | None:
    """Write the receipt of a filing (reference and status link) and email it.

    Safe to run twice: a filing gets one receipt.
    """
    model = Appeal if kind == "appeal" else LegalityChallenge
    with transaction.atomic():
        filing = model.objects.select_for_update().filter(pk=filing_id).first()
        if filing is None or not filing.email:
            return None
        related = "appeal" if model is Appeal else "challenge"
        letter = Correspondence.objects.filter(
            kind=Correspondence.Kind.RECEIPT, **{related: filing}
        ).first()
        if letter is None:
            letter = _write(
                filing,
                kind=Correspondence.Kind.RECEIPT,
                template="receipt",
                subject=f"We received your {_noun(filing)} ({filing.reference})",
                delivery=Delivery.EMAIL,
                send=False,
            )
    correspondence_send(correspondence_id=letter.pk)
    return letter


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


# --- handling -----------------------------------------------------------------------
