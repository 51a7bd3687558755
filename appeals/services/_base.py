"""What the appeals services share: deadlines, limits, personal fields, locks
and the checks of who may handle a filing (P22, P23)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.selectors import city_profile_get
from appeals.exceptions import (
    InvalidTransition,
    NotPermitted,
)
from appeals.models import (
    Appeal,
    Filing,
    LegalityChallenge,
)
from core.roles import CITY_ADMINISTRATOR, has_role

if TYPE_CHECKING:
    pass


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


def city_days(name: str) -> int:
    """Return a deadline setting from the city profile (P22, P23)."""
    return _days_from(city_profile_get(), name)


def _days_from(profile: Any, name: str) -> int:
    return int(getattr(profile, name)) if profile else DEFAULT_DAYS[name]


def deadline_days(profile: Any = None) -> dict[str, int]:
    """Every deadline setting of the city profile (``profile``, or the current
    one), by name, with the defaults while the city has not filled it in."""
    profile = profile if profile is not None else city_profile_get()
    return {name: _days_from(profile, name) for name in DEFAULT_DAYS}


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


def _noun(filing: Filing) -> str:
    return "appeal" if isinstance(filing, Appeal) else "legality challenge"


def handler_permission(filing: Filing) -> str:
    """The permission of the staff who handle this filing (and its emails)."""
    return (
        "appeals.handle_appeal"
        if isinstance(filing, Appeal)
        else "appeals.handle_legalitychallenge"
    )


def can_handle(user: Any, filing: Filing) -> bool:
    """Return True when ``user`` may work on filings of this kind."""
    perm = handler_permission(filing)
    return bool(user and user.is_active and user.is_staff and user.has_perm(perm))


def _ensure_handler(user: Any, filing: Filing) -> None:
    if not can_handle(user, filing):
        raise NotPermitted(f"You may not handle {_noun(filing)}s.")


def _remover_id(appeal: Appeal) -> int | None:
    removal = getattr(appeal, "removal", None)
    return getattr(removal, "removed_by_id", None) if removal else None


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
