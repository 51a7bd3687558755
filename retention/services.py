"""State changes of the retention app: one transaction and one audit event each.

    message_create(account=, platform_message_id=, received_at=, ...)     R1, P24
    message_mark_read(message=, by=)                                       R1
    message_mark_read_bulk(message_ids=, by=)                              R1
    message_flag_follow_up(message=, by=)                                  P19
    message_record_follow_up(message=, by=, channel=)                      P19
    legal_hold_place(by=, title=, reason=, accounts=, ...)                  R3
    legal_hold_release(hold=, by=, reason=)                                R3
    legal_hold_place_for_records(by=, title=, reason=, records=)           R3
    disaster_period_declare(by=, name=, starts_at=, ends_at=, accounts=)   P2, R5
    disaster_period_end(period=, by=, ends_at=)                            P2, R5

The purge itself is ``retention.purge.purge_run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Account
from accounts.selectors import user_manages_account
from core import audit, clock
from core.classification import DataClassification
from core.roles import CITY_ADMINISTRATOR, RECORDS_OFFICER, has_role
from retention.exceptions import InvalidScope, MessageStateError, NotAllowed
from retention.models import (
    BODY_MAX,
    PLATFORM_ID_MAX,
    SENDER_MAX,
    DisasterPeriod,
    HeldRecord,
    LegalHold,
    Message,
    Series,
)
from retention.purge import lock_scope_for_change

# --- Messages ---------------------------------------------------------------------


def _ensure_manages(user: Any, account: Account) -> None:
    if not user_manages_account(user=user, account=account):
        raise NotAllowed(f"You do not manage {account}.")


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update().get(pk=message.pk)


def _ensure_not_destroyed(message: Message, action: str) -> None:
    if message.destroyed_at is not None:
        raise MessageStateError(
            f"{message} was destroyed on {clock.moment_text(message.destroyed_at)} "
            f"under the retention schedule; it cannot be {action}."
        )


def validate_message_fields(
    *, platform_message_id: str, sender_handle: str, body: str, received_at: Any
) -> dict[str, str]:
    """Return {field: error} for values a message cannot hold."""
    errors = {}
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
    elif received_at > clock.now() + _SKEW:
        errors["received_at"] = "The received time is in the future."
    return errors


# Platforms and servers disagree on the clock by a little; no more.
_SKEW = timedelta(minutes=10)


@transaction.atomic
def message_create(
    *,
    account: Account,
    platform_message_id: str,
    received_at: datetime,
    sender_handle: str = "",
    body: str = "",
    classification: str = DataClassification.PUBLIC,
    by: Any = None,
) -> Message:
    """Record one received message (R1); refuse a platform id already recorded."""
    platform_message_id = platform_message_id.strip()
    errors = validate_message_fields(
        platform_message_id=platform_message_id,
        sender_handle=sender_handle,
        body=body,
        received_at=received_at,
    )
    if errors:
        raise ValidationError(errors)
    if Message.objects.filter(
        account=account, platform_message_id=platform_message_id
    ).exists():
        raise MessageStateError(
            f"Message {platform_message_id} of {account} is already recorded."
        )
    message = Message(
        account=account,
        platform_message_id=platform_message_id,
        sender_handle=sender_handle.strip(),
        body=body,
        received_at=received_at,
        classification=classification,
    )
    message.full_clean()
    message.save()
    audit.record_event(
        action="message.created",
        target=message,
        actor=by,
        data={"account": account.pk, "platform_message_id": platform_message_id},
        personal={"sender_handle": message.sender_handle},
    )
    return message


@transaction.atomic
def message_mark_read(*, message: Message, by: Any) -> Message:
    """Mark one message read (R1): from then on the purge destroys it."""
    message = _locked(message)
    _ensure_manages(by, message.account)
    _ensure_not_destroyed(message, "marked read")
    if message.read_at is not None:
        raise MessageStateError(
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
def message_mark_read_bulk(*, message_ids: Iterable[int], by: Any) -> dict[str, int]:
    """Mark these messages read (R1). Messages already read or destroyed are left
    as they are and counted; messages on accounts ``by`` does not manage are
    refused as a whole."""
    ids = sorted({int(pk) for pk in message_ids})
    if not ids:
        raise MessageStateError("Select at least one message.")
    messages = list(
        Message.objects.select_for_update()
        .select_related("account")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(messages) != len(ids):
        raise MessageStateError("Some of the selected messages do not exist.")
    for account in {m.account for m in messages}:
        _ensure_manages(by, account)
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
def message_flag_follow_up(*, message: Message, by: Any) -> Message:
    """Flag a message that starts a request, application or question needing a
    city process (P19): it is not purged until its follow-up is recorded."""
    message = _locked(message)
    _ensure_manages(by, message.account)
    _ensure_not_destroyed(message, "flagged")
    if message.follow_up_flagged_at is not None:
        raise MessageStateError(f"{message} is already flagged for follow-up.")
    message.follow_up_flagged_at = clock.now()
    message.follow_up_flagged_by = by
    message.save(update_fields=["follow_up_flagged_at", "follow_up_flagged_by"])
    audit.record_event(action="message.follow_up_flagged", target=message, actor=by)
    return message


@transaction.atomic
def message_record_follow_up(*, message: Message, by: Any, channel: str) -> Message:
    """Record how the city followed up (P19: phone, email or another channel)."""
    message = _locked(message)
    _ensure_manages(by, message.account)
    _ensure_not_destroyed(message, "followed up")
    if channel not in Message.FollowUpChannel.values:
        raise MessageStateError("Choose phone, email or other.")
    if message.follow_up_at is not None:
        raise MessageStateError(
            f"The follow-up of {message} was already recorded on "
            f"{clock.moment_text(message.follow_up_at)} by {message.follow_up_by}."
        )
    now = clock.now()
    if message.follow_up_flagged_at is None:
        message.follow_up_flagged_at = now
        message.follow_up_flagged_by = by
    message.follow_up_channel = channel
    message.follow_up_at = now
    message.follow_up_by = by
    message.save(
        update_fields=[
            "follow_up_flagged_at",
            "follow_up_flagged_by",
            "follow_up_channel",
            "follow_up_at",
            "follow_up_by",
        ]
    )
    audit.record_event(
        action="message.follow_up_recorded",
        target=message,
        actor=by,
        data={"channel": channel},
    )
    return message


# --- Legal holds ------------------------------------------------------------------


def _ensure_records_officer(user: Any) -> None:
    if not has_role(user, RECORDS_OFFICER):
        raise NotAllowed("Only the Records Officer places and releases legal holds.")


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
    _ensure_records_officer(by)
    accounts = list(accounts)
    series = sorted(set(series))
    sender_handle = sender_handle.strip()
    if not title.strip():
        raise InvalidScope("Give the hold a title.")
    if not reason.strip():
        raise InvalidScope("Say why the hold is placed (litigation, request, ...).")
    if not (accounts or date_from or date_to or sender_handle or series):
        raise InvalidScope(
            "Give the hold a scope: accounts, a date range, a sender or record series."
        )
    unknown = set(series) - set(Series.values)
    if unknown:
        raise InvalidScope(f"Unknown record series: {', '.join(sorted(unknown))}.")
    if date_from and date_to and date_to < date_from:
        raise InvalidScope("The date range ends before it starts.")
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


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, by: Any, reason: str) -> LegalHold:
    """Release a hold (R3), recording who, when and why."""
    _ensure_records_officer(by)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise InvalidScope(f"{hold} was already released.")
    if not reason.strip():
        raise InvalidScope("Say why the hold is released.")
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
    """Place a legal hold on these records only (R3; issue #19: the records that
    answer a Data Practices request): ``records`` are ``(series key, pk)`` pairs.
    Nothing else is held; the purge never destroys them until it is released."""
    from retention.series import BY_KEY

    _ensure_records_officer(by)
    pairs = sorted({(str(key), int(pk)) for key, pk in records})
    if not title.strip():
        raise InvalidScope("Give the hold a title.")
    if not reason.strip():
        raise InvalidScope("Say why the hold is placed (litigation, request, ...).")
    if not pairs:
        raise InvalidScope("Pick at least one record to hold.")
    unknown = {key for key, _pk in pairs} - set(BY_KEY)
    if unknown:
        raise InvalidScope(f"Unknown record series: {', '.join(sorted(unknown))}.")
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


def _ensure_city_administrator(user: Any) -> None:
    if not has_role(user, CITY_ADMINISTRATOR):
        raise NotAllowed("Only the City Administrator declares disaster periods.")


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
    _ensure_city_administrator(by)
    accounts = list(accounts)
    if not name.strip():
        raise InvalidScope("Name the disaster.")
    if not accounts:
        raise InvalidScope("Choose the accounts the disaster period covers.")
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidScope("The disaster period ends before it starts.")
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
    _ensure_city_administrator(by)
    period = DisasterPeriod.objects.select_for_update().get(pk=period.pk)
    if period.ends_at is not None:
        raise InvalidScope(f"{period} already ended.")
    if ends_at <= period.starts_at:
        raise InvalidScope("The disaster period ends before it starts.")
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
