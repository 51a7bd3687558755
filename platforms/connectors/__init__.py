"""One connector per platform, behind one small interface.

A connector **receives** (Meta's webhook) or **fetches** (Mastodon polling) what the
platform has, **verifies** it came from the platform (Meta: the body's signature;
Mastodon: TLS to the city's server with the account's own token), and
**normalises** it into the events below, grouped by the account id the platform
named. **Storing** is not the connector's: ``platforms.services.events_apply``
turns the events into records through the existing services (retention's
``message_create``, the captured comments, moderation's ``removal_create`` when a
manager completes a draft). A connector adds no new way to write a record.

    meta.verify_signature(body, header, secret) -> bool
    meta.normalise(body) -> list[Batch]
    mastodon.MastodonClient(...).page(stream, cursor) -> Page
    mastodon.normalise_notifications(items, ...) / normalise_conversations(...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime


class MalformedEvent(ValueError):
    """An event of a kind the product captures lacks what it needs (an id...)."""


@dataclass(frozen=True)
class CommentEvent:
    """Something happened to a public comment: ``verb`` is add, edited, hide,
    unhide or remove."""

    source: str  # CapturedComment.Source
    verb: str
    comment_id: str
    at: datetime | None
    post_id: str = ""
    parent_id: str = ""
    url: str = ""
    author_id: str = ""
    author_name: str = ""
    author_handle: str = ""
    text: str | None = None  # None: the platform did not say (hide, remove)
    by_account: bool = False  # the account's own comment


@dataclass(frozen=True)
class MessageEvent:
    """A message the account received."""

    message_id: str
    at: datetime | None
    sender: str = ""
    text: str = ""


@dataclass
class Batch:
    """The events a platform reported for one account, named by its id there."""

    platform: str  # the registry Platform's slug: facebook, instagram, mastodon
    account_id: str
    events: list[CommentEvent | MessageEvent] = field(default_factory=list)
    ignored: int = 0  # events of kinds the product does not capture


_NUL = re.compile("\x00")


def clean_text(value: Any, *, limit: int | None = None) -> str:
    """Return ``value`` as text a database column takes: a string, without NUL
    characters (PostgreSQL refuses them), cut to ``limit``."""
    if value is None:
        return ""
    text = _NUL.sub("", str(value))
    return text[:limit] if limit is not None else text


def clean_id(value: Any) -> str:
    """Return a platform id as text ('' when missing), refusing what is no id."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    text = clean_text(value).strip()
    if len(text) > 200:
        raise MalformedEvent(f"an id of {len(text)} characters")
    return text


def parse_moment(value: Any) -> datetime | None:
    """Return the time a platform gave: Unix seconds or milliseconds, or ISO 8601;
    None when it gave none (or none that reads as a time)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if number > 1e11:  # milliseconds (Messenger's timestamps)
            number /= 1000
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment
    return None
