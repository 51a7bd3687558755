"""Filing an appeal (P22) or a legality challenge (P23): from the public forms or
entered by staff, with its tracking number, deadlines, audit event and receipt."""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

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
    deadline_days,
)
from appeals.services.correspondence import (
    _write,
    correspondence_send,
)
from core import audit, calendar, clock
from core.uploads import IMAGE_OR_PDF, sha256_of, validate_upload

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


def _next_reference(prefix: str, year: int) -> str:
    """Take the next tracking number for ``prefix`` and ``year`` (AP-2026-00042).

    The year's counter row stays locked until the filing's transaction ends, so
    two filings never take the same number, and a filing that fails gives its
    number back: the numbers have no gaps. The same on PostgreSQL and SQLite; at
    a few filings a month nobody waits for the lock (issue #15).
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
    # P22, P23: business days from the city profile, skipping the city holidays.
    days = deadline_days()
    filing.channel = channel
    filing.received_on = received_on
    filing.entered_by = by
    filing.ack_due_on = calendar.add_business_days(
        received_on, days[f"{prefix}_ack_days"]
    )
    filing.answer_due_on = calendar.add_business_days(
        received_on, days[f"{prefix}_answer_days"]
    )
    if letter:
        filing.letter_sha256 = _check_letter(letter)
        filing.letter = letter
    _check_new_filing(filing)
    # The receipts job (filing_receipts_send) writes, keeps and emails the receipt.
    filing.receipt_pending = bool(filing.email)
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
    return filing


def filing_send_receipt(*, kind: str, filing_id: int) -> Correspondence | None:
    """Write the receipt of a filing (reference and status link) and email it.

    Safe to run twice, or in two workers at once: a filing gets one receipt, sent
    once. The filing stays pending until the email has gone, so a failed send is
    tried again by the next run of the receipts job.
    """
    model = Appeal if kind == "appeal" else LegalityChallenge
    with transaction.atomic():
        filing = model.objects.select_for_update().filter(pk=filing_id).first()
        if filing is None or not filing.email:
            model.objects.filter(pk=filing_id).update(receipt_pending=False)
            return None
        letter = Correspondence.objects.filter(
            kind=Correspondence.Kind.RECEIPT, **{_kind_prefix(filing): filing}
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
    model.objects.filter(pk=filing_id, receipt_pending=True).update(
        receipt_pending=False
    )
    return letter


# A receipt that cannot be sent is tried again after 2, 4, 8 ... minutes (at most
# RECEIPT_RETRY_MAX apart), then given up after RECEIPT_MAX_ATTEMPTS tries, or at
# once when the mail server refuses the address: staff see why on the filing.
RECEIPT_MAX_ATTEMPTS = 8
RECEIPT_RETRY_MAX = timedelta(hours=6)


def filing_receipts_send(*, limit: int = 200) -> dict[str, int]:
    """Email the receipts of new filings (the periodic receipts job, P22, P23).

    Filing only marks a receipt as due; this job, run every
    ``APPEALS_RECEIPTS_INTERVAL_SECONDS``, writes and sends it, so a submission
    never waits on the mail queue. A receipt whose send failed waits its turn to
    be tried again, so failing ones never hold up the others.
    """
    counts = {"sent": 0, "failed": 0, "given_up": 0, "skipped": 0}
    now = clock.now()
    for model in (Appeal, LegalityChallenge):
        due = (
            model.objects.filter(receipt_pending=True)
            .filter(Q(receipt_retry_at__isnull=True) | Q(receipt_retry_at__lte=now))
            .order_by("pk")
        )
        for pk in due.values_list("pk", flat=True)[:limit]:
            try:
                letter = filing_send_receipt(
                    kind=model._meta.model_name or "", filing_id=pk
                )
            except Exception as exc:
                # Whatever went wrong, one receipt must not stop the others.
                logger.exception("receipt of %s %s not sent", model.__name__, pk)
                counts[_receipt_failed(model, pk, exc)] += 1
            else:
                counts["sent" if letter else "skipped"] += 1
    return counts


def _receipt_failed(
    model: type[Appeal] | type[LegalityChallenge], pk: int, exc: Exception
) -> str:
    """Schedule the next try of a receipt, or give it up and say why."""
    with transaction.atomic():
        filing = model.objects.select_for_update().filter(pk=pk).first()
        if filing is None:
            return "failed"
        attempts = filing.receipt_attempts + 1
        refused = isinstance(exc, smtplib.SMTPRecipientsRefused)
        if not refused and attempts < RECEIPT_MAX_ATTEMPTS:
            wait = min(timedelta(minutes=2**attempts), RECEIPT_RETRY_MAX)
            model.objects.filter(pk=pk).update(
                receipt_attempts=attempts, receipt_retry_at=clock.now() + wait
            )
            return "failed"
        reason = (
            "the mail server refused the address"
            if refused
            else f"not sent after {attempts} tries ({type(exc).__name__})"
        )
        model.objects.filter(pk=pk).update(
            receipt_pending=False, receipt_attempts=attempts, receipt_retry_at=None
        )
        Correspondence.objects.filter(
            kind=Correspondence.Kind.RECEIPT,
            sent_at__isnull=True,
            **{_kind_prefix(filing): filing},
        ).update(send_error=reason[:300])
        audit.record_event(
            action=f"{_kind_prefix(filing)}.receipt_failed",
            target=filing,
            data={"attempts": attempts, "reason": reason},
        )
        return "given_up"


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
