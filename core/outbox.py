"""The outbox: every email the product sends, to residents and to staff.

    outbox_enqueue(to=..., subject=..., ...)  write one, in the step's transaction
    outbox_drain()                            the periodic job: send what is due
    outbox_retry(message=..., by=...)         try a given-up message again
    outbox_redact(ids=..., run_label=...)     the retention purge (R4)

A step (an acknowledgment, an answer, a filing, a reminder run) never talks to the
broker or the mail server: it writes its message with ``outbox_enqueue`` inside its
own transaction, so the message exists if and only if the step committed, and a
broker or mail server outage can neither fail the step nor lose the message
(P22, P23: the resident gets the city's written answer). The outbox job, run by
Celery beat every ``OUTBOX_DRAIN_INTERVAL_SECONDS``, sends the due messages one by
one, each under a row lock (``SKIP LOCKED`` on PostgreSQL, so two runs at once
never send one message twice; SQLite has one writer at a time). A failed send is
tried again after ``OUTBOX_RETRY_SECONDS``, doubled after each failure (at most
``OUTBOX_RETRY_MAX_SECONDS``); after ``OUTBOX_MAX_ATTEMPTS`` tries, or at once
when the mail server refuses the address, the message is given up with the
reason kept, shown to the staff who handle it, who may try it again.

Delivery is at least once: a message is marked sent in the transaction that sent
it, so a crash between the mail server's acceptance and the commit sends it again
on the next run (with the same Message-ID, which mail programs treat as one).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When

from core import audit, clock
from core.exceptions import InvalidTransition, NotPermitted
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Who handles a message to a staff member that could not be sent: whoever keeps
# the staff's email addresses (Administration > Users).
STAFF_ADDRESS_PERMISSION = "accounts.change_user"

REFUSED = "the mail server refused the address"
DESTROYED = "destroyed under the retention schedule before it was sent"


# --- writing a message --------------------------------------------------------------


def outbox_enqueue(
    *,
    to: str,
    subject: str,
    body: str,
    audience: str,
    topic: str,
    about: str,
    permission: str,
    about_url: str = "",
    reply_to: str = "",
) -> OutboxMessage:
    """Write one email to send, in the caller's transaction; return it.

    One INSERT, after ``full_clean``: it joins the caller's transaction and is
    undone with it. Nothing is sent here and no broker is called: the outbox job
    sends it once the caller has committed (never, if it rolls back). The
    caller's own audit event records the step that wrote it.
    """
    message = OutboxMessage(
        to=to,
        reply_to=reply_to,
        subject=subject,
        body=body,
        audience=audience,
        topic=topic,
        about=about[:200],
        about_url=about_url,
        permission=permission,
        next_attempt_at=clock.now(),
    )
    message.full_clean()
    message.save(force_insert=True)
    return message


# --- the outbox job -------------------------------------------------------------------


def outbox_drain(*, limit: int | None = None) -> dict[str, int]:
    """Send the messages that are due, one by one; return what happened to them.

    Each message is sent in its own transaction, under a row lock, and marked
    sent (or its failure recorded) before the lock is let go: safe to run twice,
    and two runs at once share the work. A message that fails is not tried again
    in the same run, so a failing one never holds up the others.
    """
    limit = settings.OUTBOX_DRAIN_BATCH_SIZE if limit is None else limit
    counts = {"sent": 0, "retrying": 0, "gave_up": 0}
    for _ in range(limit):
        outcome = _send_next()
        if outcome is None:
            break
        counts[outcome] += 1
    if any(counts.values()):
        logger.info("outbox: %s", counts)
    return counts


def _send_next() -> str | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=clock.now())
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        now = clock.now()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            _deliver(message)
        except Exception as exc:
            # Whatever went wrong with this message, the others still go.
            logger.exception(
                "outbox: email #%s not sent (try %s)", message.pk, message.attempts
            )
            return _record_failure(message, exc, now=now)
        message.status = Status.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
        message.save(
            update_fields=[
                "status",
                "sent_at",
                "next_attempt_at",
                "attempts",
                "last_attempt_at",
                "last_error",
            ]
        )
        audit.record_event(
            action="outbox.sent",
            target=message,
            data={"topic": message.topic, "attempts": message.attempts},
        )
        return "sent"


def _deliver(message: OutboxMessage) -> None:
    created = int(message.created_at.timestamp())
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        # The same id on every try: a message sent twice reads as one.
        headers={"Message-ID": f"<outbox.{message.pk}.{created}@{DNS_NAME}>"},
    ).send()


def retry_wait(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th failed try."""
    first = settings.OUTBOX_RETRY_SECONDS
    longest = settings.OUTBOX_RETRY_MAX_SECONDS
    return timedelta(seconds=min(first * 2 ** min(attempts - 1, 32), longest))


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return REFUSED
    return f"{type(exc).__name__}: {exc}"[:300]


def _record_failure(message: OutboxMessage, exc: Exception, *, now: Any) -> str:
    """Schedule the next try of ``message``, or give it up and say why."""
    message.last_error = _describe(exc)
    refused = isinstance(exc, smtplib.SMTPRecipientsRefused)
    fields = ["status", "next_attempt_at", "attempts", "last_attempt_at", "last_error"]
    if not refused and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        message.next_attempt_at = now + retry_wait(message.attempts)
        message.save(update_fields=fields)
        return "retrying"
    message.status = Status.GAVE_UP
    message.gave_up_at = now
    message.next_attempt_at = None
    message.save(update_fields=[*fields, "gave_up_at"])
    audit.record_event(
        action="outbox.gave_up",
        target=message,
        data={
            "topic": message.topic,
            "attempts": message.attempts,
            "error": type(exc).__name__,
        },
        # The error may quote the address: personal, cleared with the message.
        personal={"last_error": message.last_error},
    )
    return "gave_up"


# --- staff ----------------------------------------------------------------------------


def can_handle(user: Any, message: OutboxMessage) -> bool:
    """Return True when ``user`` handles ``message`` (sees it, may try it again)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(message.permission)
    )


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, by: Any) -> OutboxMessage:
    """Put a given-up message back in the outbox, with a fresh set of tries."""
    if not can_handle(by, message):
        raise NotPermitted("You do not handle this email.")
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.redacted_at is not None:
        raise InvalidTransition(
            "This email was destroyed under the retention schedule: it cannot be sent."
        )
    if locked.status != Status.GAVE_UP:
        state = "was sent" if locked.status == Status.SENT else "is still being tried"
        raise InvalidTransition(f"This email {state}: there is nothing to try again.")
    locked.status = Status.PENDING
    locked.gave_up_at = None
    locked.attempts = 0
    locked.next_attempt_at = clock.now()
    locked.full_clean()
    locked.save(update_fields=["status", "gave_up_at", "attempts", "next_attempt_at"])
    audit.record_event(
        action="outbox.retried",
        target=locked,
        actor=by,
        data={
            "topic": locked.topic,
            "changes": {"status": [Status.GAVE_UP, Status.PENDING]},
        },
    )
    message.__dict__.update(locked.__dict__)
    return message


def outbox_list_for(*, user: Any) -> QuerySet[OutboxMessage]:
    """Return every message ``user`` handles (sent or not), newest first: what the
    emails page shows, so staff read what residents and colleagues were sent."""
    messages = OutboxMessage.objects.all()
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return messages.none()
    # A few distinct permissions at most; the user's are checked in Python.
    held = messages.order_by().values_list("permission", flat=True).distinct()
    permissions = [permission for permission in held if user.has_perm(permission)]
    return messages.filter(permission__in=permissions).order_by("-created_at", "-pk")


def outbox_list_unsent_for(*, user: Any) -> QuerySet[OutboxMessage]:
    """Return the messages not sent yet that ``user`` handles: given up first,
    then those being tried again, then the rest, longest waiting first."""
    unsent = outbox_list_for(user=user).exclude(status=Status.SENT)
    return unsent.filter(redacted_at__isnull=True).order_by(
        Case(
            When(status=Status.GAVE_UP, then=Value(0)),
            When(attempts__gt=0, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "created_at",
        "pk",
    )


# --- retention ------------------------------------------------------------------------


@transaction.atomic
def outbox_redact(*, ids: Iterable[int], run_label: str = "") -> int:
    """Clear the recipient, body and errors of these messages (retention, R4);
    one still waiting is given up, never sent empty. Return how many."""
    ids = list(ids)
    if not ids:
        return 0
    now = clock.now()
    count = OutboxMessage.objects.filter(pk__in=ids, redacted_at__isnull=True).update(
        to="", reply_to="", body="", last_error="", redacted_at=now
    )
    OutboxMessage.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.GAVE_UP,
        gave_up_at=now,
        next_attempt_at=None,
        last_error=DESTROYED,
    )
    audit.redact_personal(model=OutboxMessage, ids=ids, run_label=run_label)
    if count:
        audit.record_event(
            action="outbox.redacted", data={"messages": count, "run": run_label}
        )
    return count
