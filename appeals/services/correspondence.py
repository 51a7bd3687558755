"""Messages to the resident, kept exactly as sent (P22, P23): written with the
step that sends them, emailed after commit or marked as mailed by staff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from accounts.selectors import city_profile_get
from appeals.exceptions import (
    InvalidTransition,
)
from appeals.models import (
    Appeal,
    Correspondence,
    Delivery,
    Filing,
    LegalityChallenge,
)
from appeals.services._base import (
    _ensure_handler,
    _kind_prefix,
    _status_url,
)
from core import audit, clock

if TYPE_CHECKING:
    pass


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
