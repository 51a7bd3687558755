"""What every moderation service shares: the limits, who may act for an account
(P11), and the checks a new removal and a correction both apply (P21)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accounts.models import Account
from core import clock
from core.permissions import require
from moderation.models import RemovalCategory, RemovalDecision

# Longest comment snapshot accepted. Platform comments are far shorter (Facebook
# about 8,000 characters, YouTube 10,000); a longer paste is a mistake.
COMMENT_TEXT_MAX_CHARS = 20_000
# "A few sentences": the reasoning must be more than a word or two (P22: the
# author and a reviewer read why).
REASONING_MIN_CHARS = 20
TEXT_FIELD_MAX_CHARS = 10_000

PERSONAL_AMENDABLE = {"comment_url", "author_name", "author_handle"}
TOLD_WAYS = {
    RemovalDecision.NotifiedVia.REPLY,
    RemovalDecision.NotifiedVia.MESSAGE,
    RemovalDecision.NotifiedVia.EMAIL,
    RemovalDecision.NotifiedVia.LETTER,
    RemovalDecision.NotifiedVia.OTHER,
}


def comment_id_from_url(url: str) -> str:
    """Return the platform's comment id found in a comment URL, or ''.

    Facebook puts it in ``comment_id`` / ``reply_comment_id``; most other platforms
    end the path with it (X ``/status/<id>``, Instagram ``/c/<id>``, YouTube
    ``lc=<id>``), and '' for an address that cannot be read (e.g. ``http://[::1``,
    which ``urlsplit`` refuses): ``_check_url`` reports that one to the user.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    query = parse_qs(parts.query)
    for key in ("reply_comment_id", "comment_id", "lc", "commentId"):
        if query.get(key):
            return query[key][0][:200]
    segments = [s for s in parts.path.split("/") if s]
    if segments and re.fullmatch(r"[A-Za-z0-9_-]{4,200}", segments[-1]):
        return segments[-1]
    return ""


def require_for_account(by: Any, perm: str, account: Account, *, doing: str) -> None:
    """Refuse (``NotPermitted``) unless ``by`` holds ``perm`` for ``account``: the
    model permission and acting for the account (P11, ``moderation.permissions``).
    """
    require(
        by,
        perm,
        account,
        doing=f"{doing} for {account.handle} on {account.platform.name}: only its "
        "social media managers or the City Administrator may",
    )


def _check_url(url: str, account: Account, errors: dict[str, list[str]]) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors.setdefault("comment_url", []).append(
            "Enter the full address of the comment, starting with https://."
        )
        return
    if not account.platform.matches_url(url):
        host = urlsplit(url).hostname or url
        errors.setdefault("comment_url", []).append(
            f"This address is on {host}, not on {account.platform.name}, the "
            f"platform of {account.handle}. Paste the address of the comment on "
            "that account."
        )


def _check_times(
    posted_at: datetime | None,
    removed_at: datetime | None,
    errors: dict[str, list[str]],
) -> None:
    latest = clock.latest_plausible()
    if posted_at is None:
        errors.setdefault("posted_at", []).append("Enter when the comment was posted.")
    elif posted_at > latest:
        errors.setdefault("posted_at", []).append(
            "The comment cannot have been posted in the future."
        )
    if removed_at is None:
        errors.setdefault("removed_at", []).append("Enter when it was removed.")
    elif removed_at > latest:
        errors.setdefault("removed_at", []).append(
            "The removal time is in the future; enter when it was removed."
        )
    if posted_at and removed_at and removed_at < posted_at:
        errors.setdefault("removed_at", []).append(
            "The comment was removed before it was posted; check both times."
        )


def _check_categories(
    categories: list[RemovalCategory], link: str, errors: dict[str, list[str]]
) -> None:
    if not categories:
        # P21: a removal with no category is not a valid removal.
        errors.setdefault("categories", []).append(
            "Tick at least one category: the policy allows a removal only for one "
            "of the eight reasons (P21)."
        )
    if any(c.number == RemovalCategory.LINKS for c in categories):
        if not link.strip():
            errors.setdefault("link_to_material", []).append(
                "Category 8 (links) needs the address the comment linked to."
            )
        else:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                errors.setdefault("link_to_material", []).append(
                    "Enter the full address the comment linked to, starting with "
                    "http:// or https://."
                )


def _check_text(
    name: str, value: str, errors: dict[str, list[str]], *, label: str
) -> None:
    if not value.strip():
        errors.setdefault(name, []).append(f"Enter the {label}.")
    elif len(value) > TEXT_FIELD_MAX_CHARS:
        errors.setdefault(name, []).append(
            f"The {label} is {len(value):,} characters; keep it under "
            f"{TEXT_FIELD_MAX_CHARS:,}."
        )


def _check_reasoning(value: str, errors: dict[str, list[str]]) -> None:
    _check_text("reasoning", value, errors, label="reasoning")
    if value.strip() and len(value.strip()) < REASONING_MIN_CHARS:
        errors.setdefault("reasoning", []).append(
            "Explain in a sentence or two why the comment falls into the "
            "categories ticked."
        )
