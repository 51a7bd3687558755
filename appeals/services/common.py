"""What the appeals services share: settings, guards, letters to residents."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from accounts.selectors import city_profile_get
from appeals.exceptions import (
    InvalidTransition,
    NotPermitted,
)
from appeals.models import (
    Appeal,
    Correspondence,
    Delivery,
    Filing,
    LegalityChallenge,
)
from core.uploads import IMAGE_OR_PDF, sha256_of, validate_upload

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
        letter.challenge = filing
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


def _noun(filing: Filing) -> str:
    return "appeal" if isinstance(filing, Appeal) else "legality challenge"


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
