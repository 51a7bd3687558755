"""State changes of appeals (P22) and legality challenges (P23).

Each function is one transaction and writes one audit event (plus correspondence
where the resident is written to). Personal data goes only in ``personal=`` of the
audit events. Emails leave after the transaction commits, through Celery.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string

from accounts.selectors import city_profile_get
from appeals import pagecache
from appeals.exceptions import (
    InvalidTransition,
    MissingInformation,
    NotPermitted,
    ReviewerConflict,
)
from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Channel,
    Correspondence,
    Delivery,
    Filing,
    LegalityChallenge,
    ReferenceCounter,
    ReminderRun,
)
from core import audit, calendar, clock
from core.roles import CITY_ADMINISTRATOR, CITY_ATTORNEY, has_role
from core.uploads import IMAGE_OR_PDF, sha256_of, validate_upload

if TYPE_CHECKING:
    from moderation.models import RemovalDecision

logger = logging.getLogger(__name__)

F = TypeVar("F", Appeal, LegalityChallenge)
S = Filing.Status

# Defaults when the city has not filled in its profile yet (the profile's own).
DEFAULT_DAYS = {
    "appeal_ack_days": 3,
    "appeal_answer_days": 10,
    "challenge_ack_days": 3,
    "challenge_answer_days": 30,
    "due_soon_days": 2,
}
# A reasoned response explains itself; a one-word answer is not one (P22, P23).
MIN_RESPONSE_CHARS = 40
LETTER_MAX_BYTES = 15 * 1024 * 1024

PERSONAL_FIELDS = {
    "appeal": (
        "name",
        "email",
        "postal_address",
        "account_other",
        "comment_url",
        "comment_text",
        "explanation",
    ),
    "legalitychallenge": ("name", "email", "postal_address", "basis"),
}


# --- helpers ------------------------------------------------------------------------


def city_days(name: str) -> int:
    """Return a deadline setting from the city profile (P22, P23)."""
    return _days_from(city_profile_get(), name)


def _days_from(profile: Any, name: str) -> int:
    return int(getattr(profile, name)) if profile else DEFAULT_DAYS[name]


def _ensure_status(filing: Filing, *, allowed: Iterable[str], step: str) -> None:
    allowed = tuple(allowed)
    if filing.status not in allowed:
        raise InvalidTransition(
            f"{filing.reference} is {filing.get_status_display().lower()}; "
            f"it cannot be {step} now."
        )


def _lock(filing: F) -> F:
    """Re-read ``filing`` under a row lock so two staff cannot race one step."""
    fresh = type(filing).objects.select_for_update().get(pk=filing.pk)
    filing.__dict__.update(fresh.__dict__)
    return filing


def _kind_prefix(filing: Filing) -> str:
    return "appeal" if isinstance(filing, Appeal) else "challenge"


def _next_reference(prefix: str, year: int) -> str:
    """Take the next tracking number for ``prefix`` and ``year``.

    PostgreSQL takes it from a sequence per prefix and year (migration 0003), so
    concurrent filings never wait for each other; a number taken by a filing that
    then fails is not reused, so the numbers may have gaps. SQLite, which has one
    writer at a time, counts in ReferenceCounter with one atomic upsert.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT appeals_next_reference_number(%s, %s)", [prefix, year]
            )
        else:
            table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
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


def _personal(filing: Filing) -> dict[str, Any]:
    return {
        name: getattr(filing, name) for name in PERSONAL_FIELDS[filing.kind] if name
    }


def _status_url(filing: Filing) -> str:
    return settings.SITE_URL + filing.get_status_url()


def _write(
    filing: Filing,
    *,
    kind: str,
    template: str,
    subject: str,
    extra: dict[str, Any] | None = None,
    delivery: str | None = None,
    profile: Any = None,
    send: bool = True,
) -> Correspondence:
    """Record a message to the resident, exactly as it will be sent; email it
    after commit (letters wait to be marked as mailed)."""
    delivery = delivery or filing.reply_by
    body = render_to_string(
        f"appeals/email/{template}.txt",
        {
            "filing": filing,
            "status_url": _status_url(filing),
            "site_url": settings.SITE_URL,
            "profile": profile or city_profile_get(),
            **(extra or {}),
        },
    ).strip()
    letter = Correspondence(
        kind=kind,
        delivery=delivery,
        to=filing.email if delivery == Delivery.EMAIL else filing.postal_address,
        subject=subject[:200],
        body=body + "\n",
    )
    if isinstance(filing, Appeal):
        letter.appeal = filing
    else:
        letter.challenge = cast(LegalityChallenge, filing)
    # Exactly one filing is set just above (the database checks it too).
    letter.full_clean(
        exclude=["appeal", "challenge", "marked_by"], validate_constraints=False
    )
    letter.save(force_insert=True)
    if send and delivery == Delivery.EMAIL:
        from appeals.tasks import send_correspondence_task

        letter_id = letter.pk
        transaction.on_commit(
            lambda: send_correspondence_task.delay(correspondence_id=letter_id)
        )
    return letter


def _check_letter(letter: Any) -> str:
    validate_upload(letter, kinds=IMAGE_OR_PDF, max_bytes=LETTER_MAX_BYTES)
    return sha256_of(letter)


# --- filing -------------------------------------------------------------------------


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


def _deadline_days() -> dict[str, int]:
    profile = city_profile_get()
    return {name: _days_from(profile, name) for name in DEFAULT_DAYS}


def _all_holidays() -> frozenset[date]:
    from core.models import Holiday

    return frozenset(Holiday.objects.values_list("date", flat=True))


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
    model.objects.filter(pk=filing_id, receipt_pending=True).update(
        receipt_pending=False
    )
    return letter


def filing_receipts_send(*, limit: int = 200) -> dict[str, int]:
    """Email the receipts of new filings (the periodic receipts job, P22, P23).

    Filing only marks a receipt as due; this job, run every
    ``APPEALS_RECEIPTS_INTERVAL_SECONDS``, writes and sends it, so a submission
    never waits on the mail queue and a receipt whose send failed is retried.
    """
    counts = {"sent": 0, "failed": 0}
    for model in (Appeal, LegalityChallenge):
        pending = model.objects.filter(receipt_pending=True).order_by("pk")
        for pk in pending.values_list("pk", flat=True)[:limit]:
            try:
                filing_send_receipt(kind=model._meta.model_name or "", filing_id=pk)
            except OSError:
                # The mail server is unreachable: the next run tries again.
                logger.exception("receipt of %s %s not sent", model.__name__, pk)
                counts["failed"] += 1
            else:
                counts["sent"] += 1
    return counts


def _noun(filing: Filing) -> str:
    return "appeal" if isinstance(filing, Appeal) else "legality challenge"


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


def can_handle(user: Any, filing: Filing) -> bool:
    """Return True when ``user`` may work on filings of this kind."""
    perm = (
        "appeals.handle_appeal"
        if isinstance(filing, Appeal)
        else "appeals.handle_legalitychallenge"
    )
    return bool(user and user.is_active and user.is_staff and user.has_perm(perm))


def _ensure_handler(user: Any, filing: Filing) -> None:
    if not can_handle(user, filing):
        raise NotPermitted(f"You may not handle {_noun(filing)}s.")


def _remover_id(appeal: Appeal) -> int | None:
    removal = getattr(appeal, "removal", None)
    return getattr(removal, "removed_by_id", None) if removal else None


@transaction.atomic
def filing_acknowledge(*, filing: F, by: Any) -> F:
    """Record the acknowledgment and write it to the resident (P23: promptly)."""
    _ensure_handler(by, filing)
    _lock(filing)
    _ensure_status(filing, allowed=(S.RECEIVED,), step="acknowledged")
    filing.status = S.ACKNOWLEDGED
    filing.acknowledged_at = clock.now()
    filing.acknowledged_by = by
    filing.full_clean()
    filing.save()
    letter = _write(
        filing,
        kind=Correspondence.Kind.ACKNOWLEDGMENT,
        template="acknowledgment",
        subject=f"Your {_noun(filing)} {filing.reference} is being handled",
    )
    audit.record_event(
        action=f"{_kind_prefix(filing)}.acknowledged",
        target=filing,
        actor=by,
        data={
            "changes": {"status": [S.RECEIVED, S.ACKNOWLEDGED]},
            "correspondence": letter.pk,
            "late": clock.today() > filing.ack_due_on,
        },
    )
    return filing


@transaction.atomic
def filing_assign_reviewer(*, filing: F, reviewer: Any, by: Any) -> F:
    """Assign the reviewer; for an appeal, never the person who made the removal
    (P22: reconsideration by someone else)."""
    _ensure_handler(by, filing)
    _lock(filing)
    _ensure_status(filing, allowed=Filing.OPEN_STATUSES, step="assigned")
    if not can_handle(reviewer, filing):
        raise NotPermitted(f"{reviewer} may not review {_noun(filing)}s.")
    if isinstance(filing, Appeal) and reviewer.pk == _remover_id(filing):
        raise ReviewerConflict(
            f"{reviewer} made the removal under appeal and cannot review it."
        )
    before = filing.reviewer_id
    filing.reviewer = reviewer
    filing.save(update_fields=["reviewer", "updated_at"])
    audit.record_event(
        action=f"{_kind_prefix(filing)}.reviewer_assigned",
        target=filing,
        actor=by,
        data={"changes": {"reviewer": [before, reviewer.pk]}},
    )
    return filing


@transaction.atomic
def filing_start_review(*, filing: F, by: Any) -> F:
    """Move an acknowledged filing under review (it needs a reviewer)."""
    _ensure_handler(by, filing)
    _lock(filing)
    _ensure_status(filing, allowed=(S.ACKNOWLEDGED,), step="put under review")
    if filing.reviewer_id is None:
        raise MissingInformation("Assign a reviewer first.")
    filing.status = S.UNDER_REVIEW
    filing.review_started_at = clock.now()
    filing.save(update_fields=["status", "review_started_at", "updated_at"])
    audit.record_event(
        action=f"{_kind_prefix(filing)}.review_started",
        target=filing,
        actor=by,
        data={"changes": {"status": [S.ACKNOWLEDGED, S.UNDER_REVIEW]}},
    )
    return filing


def _ensure_answerer(filing: Filing, by: Any) -> None:
    _ensure_handler(by, filing)
    if by.pk != filing.reviewer_id and not has_role(by, CITY_ADMINISTRATOR):
        raise NotPermitted(
            "Only the assigned reviewer or the City Administrator may answer."
        )


def _clean_response(response: str) -> str:
    text = (response or "").strip().replace("\r\n", "\n")
    if len(text) < MIN_RESPONSE_CHARS:
        raise ValidationError(
            {
                "response": "Write the reasoned response the resident will receive "
                f"(at least {MIN_RESPONSE_CHARS} characters)."
            }
        )
    return text


@transaction.atomic
def appeal_answer(
    *,
    appeal: Appeal,
    by: Any,
    outcome: str,
    response: str,
    categories: Iterable[Any] = (),
) -> Appeal:
    """Answer an appeal in writing with its outcome (P22).

    ``modified`` names the categories the removal now stands on; ``reversed``
    appends the restoration amendment to the removal decision.
    """
    _ensure_answerer(appeal, by)
    _lock(appeal)
    _ensure_status(appeal, allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW), step="answered")
    if appeal.removal_id is None:
        raise MissingInformation("Link the removal decision before answering.")
    if by.pk == _remover_id(appeal):
        raise ReviewerConflict("You made this removal; someone else must answer.")
    text = _clean_response(response)
    if outcome not in Appeal.Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    categories = list(categories)
    if outcome == Appeal.Outcome.MODIFIED and not categories:
        raise ValidationError(
            {"categories": "Name the categories the removal stands on (P21)."}
        )
    if outcome != Appeal.Outcome.MODIFIED and categories:
        raise ValidationError(
            {"categories": "Categories are only for a modified outcome."}
        )
    _before_answer(appeal, by=by, outcome=outcome, reason=text)
    before = appeal.status
    appeal.status = S.ANSWERED
    appeal.outcome = outcome
    appeal.response = text
    appeal.response_delivery = appeal.reply_by
    appeal.answered_at = clock.now()
    appeal.answered_by = by
    appeal.full_clean()
    appeal.save()
    if categories:
        appeal.revised_categories.set(categories)
    letter = _write(
        appeal,
        kind=Correspondence.Kind.RESPONSE,
        template="response",
        subject=f"The answer to your appeal {appeal.reference}",
    )
    audit.record_event(
        action="appeal.answered",
        target=appeal,
        actor=by,
        data={
            "changes": {"status": [before, S.ANSWERED], "outcome": ["", outcome]},
            "categories": sorted(c.pk for c in categories),
            "correspondence": letter.pk,
            "response_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "late": clock.today() > appeal.answer_due_on,
        },
        personal={"response": text},
    )
    return appeal


def _before_answer(appeal: Appeal, *, by: Any, outcome: str, reason: str) -> None:
    """A reversal appends the restoration amendment to the removal decision (P22)."""
    if outcome == Appeal.Outcome.REVERSED:
        from moderation.services import removal_restore

        removal_restore(
            # appeal_answer refuses an appeal without its removal decision.
            decision=cast("RemovalDecision", appeal.removal),
            by=by,
            reason=f"Appeal {appeal.reference} reversed the removal.",
            appeal=appeal,
        )


@transaction.atomic
def appeal_link_removal(*, appeal: Appeal, removal: Any, by: Any) -> Appeal:
    """Link the appeal to the removal decision it is about (found by the staff
    search); refused when the assigned reviewer made that removal (P22)."""
    _ensure_handler(by, appeal)
    _lock(appeal)
    _ensure_status(appeal, allowed=Filing.OPEN_STATUSES, step="linked")
    if appeal.reviewer_id and appeal.reviewer_id == removal.removed_by_id:
        raise ReviewerConflict(
            f"The reviewer, {appeal.reviewer}, made {removal}: assign another "
            "reviewer first."
        )
    before = appeal.removal_id
    appeal.removal = removal
    appeal.save(update_fields=["removal", "updated_at"])
    audit.record_event(
        action="appeal.removal_linked",
        target=appeal,
        actor=by,
        data={"changes": {"removal": [before, removal.pk]}},
    )
    return appeal


@transaction.atomic
def challenge_record_consultation(
    *,
    challenge: LegalityChallenge,
    by: Any,
    attorney: Any,
    notes: str,
    consulted_on: date | None = None,
) -> AttorneyConsultation:
    """Record the City Attorney's consultation (P23); the notes are privileged."""
    if not by.has_perm("appeals.add_attorneyconsultation"):
        raise NotPermitted("Only the City Attorney or City Administrator may.")
    _lock(challenge)
    _ensure_status(
        challenge,
        allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW),
        step="given a consultation",
    )
    if not has_role(attorney, CITY_ATTORNEY):
        raise NotPermitted(f"{attorney} is not in the City Attorney group.")
    consulted_on = consulted_on or clock.today()
    if consulted_on > clock.today():
        raise ValidationError({"consulted_on": "The date is in the future."})
    consultation = AttorneyConsultation(
        challenge=challenge,
        attorney=attorney,
        consulted_on=consulted_on,
        notes=(notes or "").strip(),
        recorded_by=by,
    )
    consultation.full_clean()
    consultation.save()
    # Privileged: neither the notes nor a hint of them go in the audit trail.
    audit.record_event(
        action="challenge.attorney_consulted",
        target=challenge,
        actor=by,
        data={
            "consultation": consultation.pk,
            "attorney": attorney.pk,
            "consulted_on": consulted_on,
        },
    )
    return consultation


@transaction.atomic
def challenge_answer(
    *,
    challenge: LegalityChallenge,
    by: Any,
    outcome: str,
    response: str,
    amended_version: Any = None,
) -> LegalityChallenge:
    """Answer a legality challenge in writing (P23), after consulting the attorney."""
    _ensure_answerer(challenge, by)
    _lock(challenge)
    _ensure_status(challenge, allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW), step="answered")
    if not challenge.consultations.exists():
        raise MissingInformation(
            "Record the City Attorney's consultation before answering (P23)."
        )
    text = _clean_response(response)
    if outcome not in LegalityChallenge.Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    if outcome == LegalityChallenge.Outcome.AMENDED:
        from notices.models import DocumentVersion

        if amended_version is None or not (
            DocumentVersion.objects.public().filter(pk=amended_version.pk).exists()
        ):
            raise ValidationError(
                {
                    "amended_version": "Choose the published policy or notice "
                    "version that amends it."
                }
            )
    else:
        amended_version = None
    before = challenge.status
    challenge.status = S.ANSWERED
    challenge.outcome = outcome
    challenge.amended_version = amended_version
    challenge.response = text
    challenge.response_delivery = challenge.reply_by
    challenge.answered_at = clock.now()
    challenge.answered_by = by
    challenge.full_clean()
    challenge.save()
    letter = _write(
        challenge,
        kind=Correspondence.Kind.RESPONSE,
        template="response",
        subject=f"The answer to your legality challenge {challenge.reference}",
    )
    audit.record_event(
        action="challenge.answered",
        target=challenge,
        actor=by,
        data={
            "changes": {"status": [before, S.ANSWERED], "outcome": ["", outcome]},
            "amended_version": getattr(amended_version, "pk", None),
            "correspondence": letter.pk,
            "response_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "late": clock.today() > challenge.answer_due_on,
        },
        personal={"response": text},
    )
    return challenge


@transaction.atomic
def filing_withdraw(*, filing: F, by: Any, note: str) -> F:
    """Record that the resident withdrew the filing (staff record it, with a note)."""
    _ensure_handler(by, filing)
    _lock(filing)
    _ensure_status(filing, allowed=Filing.OPEN_STATUSES, step="withdrawn")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say how the resident withdrew it."})
    before = filing.status
    filing.status = S.WITHDRAWN
    filing.withdrawn_at = clock.now()
    filing.withdrawal_note = note
    filing.full_clean()
    filing.save()
    audit.record_event(
        action=f"{_kind_prefix(filing)}.withdrawn",
        target=filing,
        actor=by,
        data={"changes": {"status": [before, S.WITHDRAWN]}},
        personal={"note": note},
    )
    return filing


@transaction.atomic
def correspondence_mark_mailed(*, correspondence: Correspondence, by: Any) -> None:
    """Record that a letter to the resident was printed and mailed."""
    _ensure_handler(by, correspondence.filing)
    letter = Correspondence.objects.select_for_update().get(pk=correspondence.pk)
    if letter.delivery != Delivery.MAIL:
        raise InvalidTransition("This message goes by email, not by mail.")
    if letter.sent_at is not None:
        raise InvalidTransition("This letter is already marked as mailed.")
    letter.sent_at = clock.now()
    letter.marked_by = by
    letter.save(update_fields=["sent_at", "marked_by"])
    correspondence.sent_at, correspondence.marked_by = letter.sent_at, by
    audit.record_event(
        action=f"{_kind_prefix(letter.filing)}.letter_mailed",
        target=letter.filing,
        actor=by,
        data={"correspondence": letter.pk, "kind": letter.kind},
    )


def correspondence_send(*, correspondence_id: int) -> bool:
    """Email one message to the resident, once; return True when it was sent now.

    Safe to run twice: the row is locked and ``sent_at`` checked first.
    """
    with transaction.atomic():
        letter = (
            Correspondence.objects.select_for_update()
            .filter(pk=correspondence_id, delivery=Delivery.EMAIL)
            .first()
        )
        if letter is None or letter.sent_at is not None:
            return False
        profile = city_profile_get()
        reply_to = []
        if profile:
            reply_to = [
                profile.appeal_email if letter.appeal_id else profile.legality_email
            ]
        EmailMessage(
            subject=letter.subject,
            body=letter.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[letter.to],
            reply_to=reply_to,
        ).send()
        letter.sent_at = clock.now()
        letter.send_error = ""
        letter.save(update_fields=["sent_at", "send_error"])
        audit.record_event(
            action=f"{_kind_prefix(letter.filing)}.email_sent",
            target=letter.filing,
            data={"correspondence": letter.pk, "kind": letter.kind},
        )
    return True


# --- reminders ----------------------------------------------------------------------


def deadline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Email each reviewer their overdue and due-soon filings, and each City
    Administrator a digest of all of them. At most once per day: a second run the
    same day (or one racing it) finds the day's record and sends nothing.
    """
    from appeals import selectors

    today = today or clock.today()
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(run_on=today)
    except IntegrityError:
        logger.info("deadline reminders already sent for %s", today)
        return {"reviewers": 0, "digests": 0, "items": 0, "skipped": 1}
    try:
        counts = _send_reminders(today=today, selectors=selectors)
    except Exception:
        # Let a later run (a retry, or tomorrow's) send them instead.
        logger.exception("deadline reminders failed for %s", today)
        ReminderRun.objects.filter(pk=run.pk).delete()
        raise
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=clock.now(),
        reviewers=counts["reviewers"],
        digests=counts["digests"],
    )
    audit.record_event(action="appeals.reminders_sent", data={"day": today, **counts})
    return counts


def _send_reminders(*, today: date, selectors: Any) -> dict[str, int]:
    items = selectors.deadline_items(today=today)
    by_reviewer: dict[Any, list[selectors.DeadlineItem]] = {}
    for item in items:
        if item.filing.reviewer_id:
            by_reviewer.setdefault(item.filing.reviewer, []).append(item)
    unassigned = [i for i in items if not i.filing.reviewer_id]
    sent_reviewers = 0
    for reviewer, mine in by_reviewer.items():
        if not (reviewer.email and reviewer.is_active):
            continue
        EmailMessage(
            subject=_reminder_subject(mine),
            body=render_to_string(
                "appeals/email/reminder.txt",
                {"user": reviewer, "items": mine, "site_url": settings.SITE_URL},
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reviewer.email],
        ).send()
        sent_reviewers += 1
    digests = 0
    if items:
        from accounts.models import User

        admins = User.objects.filter(
            groups__name=CITY_ADMINISTRATOR, is_active=True
        ).exclude(email="")
        for admin_user in admins.distinct():
            EmailMessage(
                subject=f"Appeals and challenges digest: {_reminder_subject(items)}",
                body=render_to_string(
                    "appeals/email/digest.txt",
                    {
                        "user": admin_user,
                        "items": items,
                        "unassigned": unassigned,
                        "site_url": settings.SITE_URL,
                    },
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[admin_user.email],
            ).send()
            digests += 1
    return {
        "reviewers": sent_reviewers,
        "digests": digests,
        "items": len(items),
        "skipped": 0,
    }


def _reminder_subject(items: list[Any]) -> str:
    overdue = sum(1 for i in items if i.overdue)
    soon = len(items) - overdue
    return f"{overdue} overdue, {soon} due soon"
