"""Messages to the resident, kept exactly as sent (P22, P23): written with the
step that sends them; an email is handed to the outbox (``core.outbox``) in the
same transaction, a letter waits to be marked as mailed by staff."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from accounts.selectors import city_profile_get
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
    handler_permission,
)
from core import audit, clock, outbox
from core.exceptions import InvalidTransition
from core.models import OutboxMessage


def _write(
    filing: Filing,
    *,
    kind: str,
    template: str,
    subject: str,
    extra: dict[str, Any] | None = None,
    delivery: str | None = None,
    profile: Any = None,
) -> Correspondence:
    """Record a message to the resident, exactly as it will be sent; an email
    goes to the outbox in the caller's transaction (a letter waits to be marked
    as mailed). Call it inside the step's transaction."""
    delivery = delivery or filing.reply_by
    profile = profile or city_profile_get()
    body = render_to_string(
        f"appeals/email/{template}.txt",
        {
            "filing": filing,
            "status_url": _status_url(filing),
            "site_url": settings.SITE_URL,
            "profile": profile,
            **(extra or {}),
        },
    ).strip()
    letter = Correspondence(
        kind=kind,
        delivery=delivery,
        # A letter's address block starts with the resident's name (P22, P23).
        to=(
            filing.email
            if delivery == Delivery.EMAIL
            else f"{filing.name}\n{filing.postal_address}"
        ),
        subject=subject[:200],
        body=body + "\n",
    )
    if isinstance(filing, Appeal):
        letter.appeal = filing
    else:
        letter.challenge = cast(LegalityChallenge, filing)
    # Exactly one filing is set just above (the database checks it too).
    letter.full_clean(
        exclude=["appeal", "challenge", "marked_by", "outbox"],
        validate_constraints=False,
    )
    if delivery == Delivery.EMAIL:
        reply_to = ""
        if profile:
            reply_to = (
                profile.appeal_email
                if isinstance(filing, Appeal)
                else profile.legality_email
            )
        letter.outbox = outbox.outbox_enqueue(
            to=letter.to,
            reply_to=reply_to,
            subject=letter.subject,
            body=letter.body,
            audience=OutboxMessage.Audience.RESIDENT,
            topic=f"{_kind_prefix(filing)}.{kind}",
            about=str(letter),
            about_url=filing.get_absolute_url(),
            permission=handler_permission(filing),
        )
    letter.save(force_insert=True)
    return letter


@transaction.atomic
def correspondence_mark_mailed(*, correspondence: Correspondence, by: Any) -> None:
    """Record that a letter to the resident was printed and mailed."""
    _ensure_handler(by, correspondence.filing)
    letter = Correspondence.objects.select_for_update().get(pk=correspondence.pk)
    if letter.delivery != Delivery.MAIL:
        raise InvalidTransition("This message goes by email, not by mail.")
    if letter.mailed_at is not None:
        raise InvalidTransition("This letter is already marked as mailed.")
    letter.mailed_at = clock.now()
    letter.marked_by = by
    letter.save(update_fields=["mailed_at", "marked_by"])
    correspondence.mailed_at, correspondence.marked_by = letter.mailed_at, by
    audit.record_event(
        action=f"{_kind_prefix(letter.filing)}.letter_mailed",
        target=letter.filing,
        actor=by,
        data={"correspondence": letter.pk, "kind": letter.kind},
    )
