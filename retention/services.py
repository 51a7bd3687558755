"""State changes of the retention app: one transaction and one audit event each.

    message_create(account=, platform_message_id=, received_at=, ...)     R1, P24
    message_classify(message=, by=, classification=, basis=)               P24
    message_mark_read(message=, by=)                                       R1
    message_mark_unread(message=, by=)          undo, until the purge ran  R1
    message_mark_read_bulk(message_ids=, by=)                              R1
    message_mark_unread_bulk(message_ids=, by=)                            R1
    message_flag_follow_up(message=, by=, due_on=, reference=)             P19
    message_record_follow_up(message=, by=, channel=, note=, reference=)   P19
    legal_hold_place(by=, title=, reason=, accounts=, ...)                  R3
    legal_hold_release(hold=, by=, reason=)                                R3
    legal_hold_place_for_records(by=, title=, reason=, records=)           R3
    disaster_period_declare(by=, name=, starts_at=, ends_at=, accounts=)   P2, R5
    disaster_period_end(period=, by=, ends_at=)                            P2, R5

The purge itself is ``retention.purge.purge_run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Account
from core import audit, clock, followups
from core.classification import DataClassification
from core.exceptions import DomainError, InvalidTransition, ensure_status
from core.permissions import require
from retention.models import (
    BASIS_MAX,
    BODY_MAX,
    PLATFORM_ID_MAX,
    SENDER_MAX,
    DisasterPeriod,
    HeldRecord,
    LegalHold,
    Message,
    Series,
)
from retention.permissions import PERM_CLASSIFY, PERM_HANDLE_MESSAGE
from retention.purge import lock_scope_for_change

# --- Messages ---------------------------------------------------------------------


def _require_handles(user: Any, account: Account, *, doing: str) -> None:
    """Refuse unless ``user`` handles messages and acts for ``account`` (P11)."""
    require(user, PERM_HANDLE_MESSAGE, doing=f"{doing} messages")
    require(
        user,
        "accounts.act_on_account",
        account,
        doing=f"{doing} messages of {account}: you do not manage it",
    )


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update().get(pk=message.pk)


_ALIVE = (Message.Status.UNREAD, Message.Status.READ)


def validate_message_fields(
    *,
    platform_message_id: str,
    sender_handle: str,
    body: str,
    received_at: Any,
    classification: str = DataClassification.PUBLIC,
    classification_basis: str = "",
) -> dict[str, str]:
    """Return {field: error} for values a message cannot hold: the one check of
    a new message, whether entered by hand, imported or created by a service."""
    errors = classification_errors(classification, classification_basis)
    if not platform_message_id.strip():
        errors["platform_message_id"] = "The platform message id is required."
    elif len(platform_message_id) > PLATFORM_ID_MAX:
        errors["platform_message_id"] = (
            f"The platform message id is longer than {PLATFORM_ID_MAX} characters."
        )
    if len(sender_handle) > SENDER_MAX:
        errors["sender_handle"] = f"The sender is longer than {SENDER_MAX} characters."
    if len(body) > BODY_MAX:
        errors["body"] = f"The text is longer than {BODY_MAX} characters."
    if not isinstance(received_at, datetime) or received_at.tzinfo is None:
        errors["received_at"] = "The received time must include a time zone."
    elif received_at > clock.latest_plausible():
        errors["received_at"] = "The received time is in the future."
    return errors


@transaction.atomic
def message_create(
    *,
    account: Account,
    platform_message_id: str,
    received_at: datetime,
    sender_handle: str = "",
    body: str = "",
    classification: str = DataClassification.PUBLIC,
    classification_basis: str = "",
    direction: str = Message.Direction.RECEIVED,
    by: Any = None,
) -> Message:
    """Record one message an account received or the city sent from it (R1,
    P24); refuse a platform id already recorded. A sent message is read when
    sent (``received_at`` is when it was sent)."""
    platform_message_id = platform_message_id.strip()
    errors = validate_message_fields(
        platform_message_id=platform_message_id,
        sender_handle=sender_handle,
        body=body,
        received_at=received_at,
        classification=classification,
        classification_basis=classification_basis,
    )
    if errors:
        raise ValidationError(errors)
    if Message.objects.filter(
        account=account, platform_message_id=platform_message_id
    ).exists():
        raise DomainError(
            f"Message {platform_message_id} of {account} is already recorded.",
            field="platform_message_id",
        )
    message = Message(
        account=account,
        platform_message_id=platform_message_id,
        direction=direction,
        sender_handle=sender_handle.strip(),
        body=body,
        received_at=received_at,
        classification=classification,
        classification_basis=kept_basis(classification, classification_basis),
    )
    if message.is_sent:
        message.read_at = received_at
    message.full_clean()
    message.save()
    audit.record_event(
        action="message.created",
        target=message,
        actor=by,
        data={
            "account": account.pk,
            "platform_message_id": platform_message_id,
            "direction": direction,
            "classification": classification,
        },
        personal={"sender_handle": message.sender_handle},
    )
    return message


def kept_basis(classification: str, basis: str) -> str:
    """The statute kept with a classification: none for public data (P24)."""
    return "" if classification == DataClassification.PUBLIC else basis.strip()


def classification_errors(classification: str, basis: str) -> dict[str, str]:
    """Return {field: error} for a classification and its statute. P24: data is
    public unless a statute says otherwise, and then the statute is named."""
    if classification not in DataClassification.values:
        *others, last = DataClassification.values
        return {
            "classification": f"“{classification}” is not a classification: use "
            f"{', '.join(others)} or {last}."
        }
    if classification == DataClassification.PUBLIC:
        return {}
    if not basis.strip():
        return {
            "classification_basis": "Name the statute that makes this data not "
            "public, e.g. “Minn. Stat. 13.46”."
        }
    if len(basis.strip()) > BASIS_MAX:
        return {
            "classification_basis": f"The statute is longer than {BASIS_MAX} "
            "characters."
        }
    return {}


@transaction.atomic
def message_classify(
    *, message: Message, by: Any, classification: str, basis: str = ""
) -> Message:
    """Change a message's Data Practices classification after entry (P24; Minn.
    Stat. 13.02): what is not public is withheld on staff pages from whoever
    lacks ``retention.view_private_message``."""
    message = _locked(message)
    require(by, PERM_CLASSIFY, doing="classify messages")
    require(
        by,
        "accounts.act_on_account",
        message.account,
        doing=f"classify messages of {message.account}: you do not manage it",
    )
    ensure_status(message, allowed=_ALIVE, doing="classified")
    errors = classification_errors(classification, basis)
    if errors:
        ((name, error),) = errors.items()  # one at most
        raise DomainError(error, field=name)
    basis = kept_basis(classification, basis)
    before = [message.classification, message.classification_basis]
    if before == [classification, basis]:
        raise DomainError(f"{message} is already classified so.")
    message.classification = classification
    message.classification_basis = basis
    message.full_clean()
    message.save(update_fields=["classification", "classification_basis"])
    audit.record_event(
        action="message.classified",
        target=message,
        actor=by,
        data={
            "changes": {
                "classification": [before[0], classification],
                "classification_basis": [before[1], basis],
            }
        },
    )
    return message


@transaction.atomic
def message_mark_read(*, message: Message, by: Any) -> Message:
    """Mark one message read (R1): from then on the purge destroys it."""
    message = _locked(message)
    _require_handles(by, message.account, doing="mark read")
    ensure_status(message, allowed=_ALIVE, doing="marked read")
    if message.is_sent:
        raise InvalidTransition(f"{message} was sent by the city: it counts as read.")
    if message.read_at is not None:
        raise InvalidTransition(
            f"{message} was already read on {clock.moment_text(message.read_at)} by "
            f"{message.read_by}."
        )
    message.read_at = clock.now()
    message.read_by = by
    message.save(update_fields=["read_at", "read_by"])
    audit.record_event(
        action="message.read",
        target=message,
        actor=by,
        data={"changes": {"read_at": [None, message.read_at]}},
    )
    return message


@transaction.atomic
def message_mark_unread(*, message: Message, by: Any) -> Message:
    """Undo "mark read" (R1): possible until the purge has destroyed the
    message; the purge then keeps it again until it is read."""
    message = _locked(message)
    _require_handles(by, message.account, doing="mark unread")
    ensure_status(message, allowed=[Message.Status.READ], doing="marked unread")
    if message.is_sent:
        raise InvalidTransition(
            f"{message} was sent by the city: it cannot be marked unread."
        )
    was_read_at = message.read_at
    message.read_at = None
    message.read_by = None
    message.save(update_fields=["read_at", "read_by"])
    audit.record_event(
        action="message.unread",
        target=message,
        actor=by,
        data={"changes": {"read_at": [was_read_at, None]}},
    )
    return message


def _lock_selected(message_ids: Iterable[int], *, by: Any, doing: str) -> list[Message]:
    """Lock the selected messages, refusing an empty or unknown selection, or any
    message on an account ``by`` does not handle (the selection as a whole)."""
    ids = sorted({int(pk) for pk in message_ids})
    if not ids:
        raise DomainError("Select at least one message.")
    messages = list(
        Message.objects.select_for_update()
        .select_related("account")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(messages) != len(ids):
        raise DomainError("Some of the selected messages do not exist.")
    for account in {m.account for m in messages}:
        _require_handles(by, account, doing=doing)
    return messages


@transaction.atomic
def message_mark_read_bulk(*, message_ids: Iterable[int], by: Any) -> dict[str, int]:
    """Mark these messages read (R1). Messages already read or destroyed are left
    as they are and counted; messages on accounts ``by`` does not manage are
    refused as a whole."""
    messages = _lock_selected(message_ids, by=by, doing="mark read")
    unread = [m.pk for m in messages if m.read_at is None and m.destroyed_at is None]
    now = clock.now()
    Message.objects.filter(pk__in=unread).update(read_at=now, read_by=by)
    result = {
        "marked": len(unread),
        "already_read": sum(
            1 for m in messages if m.read_at is not None and m.destroyed_at is None
        ),
        "destroyed": sum(1 for m in messages if m.destroyed_at is not None),
    }
    if unread:
        audit.record_event(
            action="message.read_bulk",
            actor=by,
            data={"messages": unread, "read_at": now, **result},
        )
    return result


@transaction.atomic
def message_mark_unread_bulk(*, message_ids: Iterable[int], by: Any) -> dict[str, int]:
    """Undo "mark read" for these messages (R1), until the purge destroys them.
    Messages unread, sent by the city or destroyed are left as they are and
    counted; messages on accounts ``by`` does not manage are refused as a whole."""
    messages = _lock_selected(message_ids, by=by, doing="mark unread")
    read = [m for m in messages if m.status == Message.Status.READ and not m.is_sent]
    Message.objects.filter(pk__in=[m.pk for m in read]).update(
        read_at=None, read_by=None
    )
    result = {
        "marked": len(read),
        "destroyed": sum(1 for m in messages if m.is_destroyed),
        "left": sum(1 for m in messages if not m.is_destroyed and m not in read),
    }
    if read:
        audit.record_event(
            action="message.unread_bulk",
            actor=by,
            data={"messages": [m.pk for m in read], **result},
        )
    return result


@transaction.atomic
def message_flag_follow_up(
    *, message: Message, by: Any, due_on: date, reference: str = ""
) -> Message:
    """Flag a message that starts a request, application or question needing a
    city process (P19), with when the city should have followed up by and the
    process's reference: it is not purged until its follow-up is recorded."""
    message = _locked(message)
    _require_handles(by, message.account, doing="flag")
    ensure_status(message, allowed=_ALIVE, doing="flagged")
    followups.flag(
        message,
        by=by,
        due_on=due_on,
        reference=reference,
        action="message.follow_up_flagged",
    )
    return message


@transaction.atomic
def message_record_follow_up(
    *, message: Message, by: Any, channel: str, note: str, reference: str = ""
) -> Message:
    """Record how the city followed up (P19: phone, email or another channel),
    what was done (the note) and the process that took it on (reference)."""
    message = _locked(message)
    _require_handles(by, message.account, doing="follow up")
    ensure_status(message, allowed=_ALIVE, doing="followed up")
    followups.record(
        message,
        by=by,
        channel=channel,
        note=note,
        reference=reference,
        action="message.follow_up_recorded",
    )
    return message


# --- Legal holds ------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *,
    by: Any,
    title: str,
    reason: str,
    accounts: Iterable[Account] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    sender_handle: str = "",
    series: Iterable[str] = (),
) -> LegalHold:
    """Place a legal hold (R3): nothing in its scope is destroyed until released."""
    require(by, "retention.add_legalhold", doing="place legal holds")
    accounts = list(accounts)
    series = sorted(set(series))
    sender_handle = sender_handle.strip()
    _check_title_reason(title, reason)
    if not (accounts or date_from or date_to or sender_handle or series):
        raise DomainError(
            "Give the hold a scope: accounts, a date range, a sender or record series."
        )
    unknown = set(series) - set(Series.values)
    if unknown:
        raise DomainError(
            f"Unknown record series: {', '.join(sorted(unknown))}.", field="series"
        )
    if date_from and date_to and date_to < date_from:
        raise DomainError("The date range ends before it starts.", field="date_to")
    lock_scope_for_change()
    hold = LegalHold(
        title=title.strip(),
        reason=reason.strip(),
        placed_by=by,
        placed_at=clock.now(),
        date_from=date_from,
        date_to=date_to,
        sender_handle=sender_handle,
        series=series,
    )
    hold.full_clean()
    hold.save()
    hold.accounts.set(accounts)
    audit.record_event(
        action="legal_hold.placed",
        target=hold,
        actor=by,
        data={
            "accounts": [a.pk for a in accounts],
            "date_from": date_from,
            "date_to": date_to,
            "series": series,
            "has_sender": bool(sender_handle),
        },
        personal={"sender_handle": sender_handle} if sender_handle else None,
        reason=hold.reason,
    )
    return hold


def _check_title_reason(title: str, reason: str) -> None:
    if not title.strip():
        raise DomainError("Give the hold a title.", field="title")
    if not reason.strip():
        raise DomainError(
            "Say why the hold is placed (litigation, request, ...).", field="reason"
        )


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, by: Any, reason: str) -> LegalHold:
    """Release a hold (R3), recording who, when and why."""
    require(by, "retention.change_legalhold", doing="release legal holds")
    return _release(hold, by=by, reason=reason)


@transaction.atomic
def legal_hold_release_by_schedule(*, hold: LegalHold, reason: str) -> LegalHold:
    """Release a hold whose period under the retention schedule has ended (R2,
    R3): no person decides it, so none is recorded (``released_by`` stays empty,
    the audit's actor is the system), only when and why. For the jobs that apply
    the schedule, never a page."""
    return _release(hold, by=None, reason=reason)


def _release(hold: LegalHold, *, by: Any, reason: str) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    ensure_status(hold, allowed=[LegalHold.Status.OPEN], doing="released")
    if not reason.strip():
        raise DomainError("Say why the hold is released.", field="reason")
    lock_scope_for_change()
    hold.released_at = clock.now()
    hold.released_by = by
    hold.release_reason = reason.strip()
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    audit.record_event(
        action="legal_hold.released", target=hold, actor=by, reason=hold.release_reason
    )
    return hold


@transaction.atomic
def legal_hold_place_for_records(
    *,
    by: Any,
    title: str,
    reason: str,
    records: Iterable[tuple[str, int]],
) -> LegalHold:
    """Place a legal hold on these records only (R3; e.g. the records that
    answer a Data Practices request): ``records`` are ``(series key, pk)`` pairs.
    Nothing else is held; the purge never destroys them until it is released."""
    from retention.series import BY_KEY

    require(by, "retention.add_legalhold", doing="place legal holds")
    pairs = sorted({(str(key), int(pk)) for key, pk in records})
    _check_title_reason(title, reason)
    if not pairs:
        raise DomainError("Pick at least one record to hold.")
    unknown = {key for key, _pk in pairs} - set(BY_KEY)
    if unknown:
        raise DomainError(f"Unknown record series: {', '.join(sorted(unknown))}.")
    lock_scope_for_change()
    hold = LegalHold(
        title=title.strip(), reason=reason.strip(), placed_by=by, placed_at=clock.now()
    )
    hold.full_clean()
    hold.save()
    HeldRecord.objects.bulk_create(
        HeldRecord(hold=hold, series=key, object_id=pk) for key, pk in pairs
    )
    audit.record_event(
        action="legal_hold.placed_for_records",
        target=hold,
        actor=by,
        data={"records": [[key, pk] for key, pk in pairs]},
        reason=hold.reason,
    )
    return hold


# --- Disaster periods -------------------------------------------------------------


@transaction.atomic
def disaster_period_declare(
    *,
    by: Any,
    name: str,
    starts_at: datetime,
    accounts: Iterable[Account],
    ends_at: datetime | None = None,
    description: str = "",
) -> DisasterPeriod:
    """Declare a disaster period (P2, R5): messages the accounts receive in it are
    business records, kept under the disaster-messages schedule."""
    require(by, "retention.add_disasterperiod", doing="declare disaster periods")
    accounts = list(accounts)
    if not name.strip():
        raise DomainError("Name the disaster.", field="name")
    if not accounts:
        raise DomainError(
            "Choose the accounts the disaster period covers.", field="accounts"
        )
    if ends_at is not None and ends_at <= starts_at:
        raise DomainError("The disaster period ends before it starts.", field="ends_at")
    lock_scope_for_change()
    period = DisasterPeriod(
        name=name.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        declared_by=by,
        declared_at=clock.now(),
    )
    period.full_clean()
    period.save()
    period.accounts.set(accounts)
    audit.record_event(
        action="disaster_period.declared",
        target=period,
        actor=by,
        data={
            "starts_at": starts_at,
            "ends_at": ends_at,
            "accounts": [a.pk for a in accounts],
        },
    )
    return period


@transaction.atomic
def disaster_period_end(
    *, period: DisasterPeriod, by: Any, ends_at: datetime
) -> DisasterPeriod:
    """Set the end of an open disaster period."""
    require(by, "retention.change_disasterperiod", doing="end disaster periods")
    period = DisasterPeriod.objects.select_for_update().get(pk=period.pk)
    ensure_status(period, allowed=[DisasterPeriod.Status.OPEN], doing="ended")
    if ends_at <= period.starts_at:
        raise DomainError("The disaster period ends before it starts.", field="ends_at")
    lock_scope_for_change()
    period.ends_at = ends_at
    period.save(update_fields=["ends_at"])
    audit.record_event(
        action="disaster_period.ended",
        target=period,
        actor=by,
        data={"changes": {"ends_at": [None, ends_at]}},
    )
    return period
