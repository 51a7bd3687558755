"""What the appeals services share: deadlines, limits, personal fields, locks
and the checks of who may handle a filing (P22, P23)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError

from appeals.models import (
    FILING_MODELS,
    Appeal,
    Filing,
    LegalityChallenge,
)
from core.permissions import holds, require

F = TypeVar("F", Appeal, LegalityChallenge)
S = Filing.Status

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


def _lock(filing: F) -> F:
    """Re-read ``filing`` under a row lock so two staff cannot race one step."""
    fresh = type(filing).objects.select_for_update().get(pk=filing.pk)
    filing.__dict__.update(fresh.__dict__)
    return filing


def _kind_prefix(filing: Filing) -> str:
    """The word of ``FILING_MODELS`` that names this filing's kind."""
    return next(
        kind for kind, model in FILING_MODELS.items() if isinstance(filing, model)
    )


def _personal(filing: Filing) -> dict[str, Any]:
    return {name: getattr(filing, name) for name in PERSONAL_FIELDS[filing.kind]}


def _status_url(filing: Filing) -> str:
    return settings.SITE_URL + filing.get_status_url()


def _noun(filing: Filing) -> str:
    return "appeal" if isinstance(filing, Appeal) else "legality challenge"


def handler_permission(filing: Filing) -> str:
    """The permission of the staff who handle this filing (and its emails)."""
    return f"appeals.handle_{filing.kind}"


def can_handle(user: Any, filing: Filing) -> bool:
    """Return True when ``user`` may work on filings of this kind."""
    return holds(user, "appeals.handle_filing", filing)


def _ensure_handler(user: Any, filing: Filing) -> None:
    require(user, "appeals.handle_filing", filing, doing=f"handle {_noun(filing)}s")


def _remover_id(appeal: Appeal) -> int | None:
    removal = appeal.removal
    return removal.removed_by_id if removal else None


def _ensure_answerer(filing: Filing, by: Any) -> None:
    """Only the assigned reviewer, or a person who oversees filings of this kind
    (the City Administrator), answers (``appeals.answer_filing``, P22, P23)."""
    _ensure_handler(by, filing)
    require(
        by,
        "appeals.answer_filing",
        filing,
        doing=f"answer {filing}: only its assigned reviewer or the City "
        "Administrator may",
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
