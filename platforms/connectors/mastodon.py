"""Mastodon by polling: mentions and direct conversations since the last seen id.

Fetch: :class:`MastodonClient` reads one page of ``GET /api/v1/notifications``
(mentions only) or ``GET /api/v1/conversations``, starting after the connection's
cursor (``min_id``: the results immediately newer than it, oldest page first, so
a backlog is read in order and none is skipped). The next cursor is the
``min_id`` of the page's ``Link: <...>; rel="prev"`` header, as Mastodon
paginates (for conversations it is not a conversation id, which is why the link
is read), or the newest id on the page when the server sends no link. Only the
``min_id`` of the link is used: the request is always made to the configured
server, never to an address a response names.
Verify: HTTPS to the city's own server, with the account's token (read from the
environment variable or setting the connection names; never stored).
Normalise: a mention whose visibility is ``direct``, and the last status of a
direct conversation, are messages; any other mention is a public comment.

Errors become :class:`PollError` (the connection waits longer before the next
poll); a 429 or an exhausted rate limit (``X-RateLimit-Remaining: 0``) becomes
:class:`RateLimited`, carrying when the server allows the next request
(``Retry-After``, or ``X-RateLimit-Reset``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from django.utils.html import strip_tags

from core import clock
from platforms.connectors import (
    CommentEvent,
    MalformedEvent,
    MessageEvent,
    clean_id,
    clean_text,
    parse_moment,
)

STREAMS = {
    "notifications": "/api/v1/notifications",
    "conversations": "/api/v1/conversations",
}
PAGE_SIZE = {"notifications": 40, "conversations": 40}
USER_AGENT = "citysocial-capture (a city's records of its own account)"


class PollError(Exception):
    """The server could not be read this time; ``retry_at``: not before then."""

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class RateLimited(PollError):
    """The server's rate limit: wait until ``retry_at``."""


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str
    # The server's rate limit after this request (None when it did not say).
    remaining: int | None = None
    reset_at: datetime | None = None


def _id_key(value: str) -> tuple[int, str]:
    return (len(value), value)  # numeric ids of any length, compared as numbers


def _retry_after(value: str | None) -> datetime | None:
    """``Retry-After``: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return clock.now() + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def rate_limit(headers: httpx.Headers) -> tuple[int | None, datetime | None]:
    """Return (requests remaining, when the limit resets) from the headers."""
    remaining_text = headers.get("X-RateLimit-Remaining", "")
    remaining = int(remaining_text) if remaining_text.strip().isdigit() else None
    return remaining, parse_moment(headers.get("X-RateLimit-Reset"))


def _link_min_id(response: httpx.Response) -> str:
    prev = response.links.get("prev") or {}
    url = prev.get("url") or ""
    values = parse_qs(urlsplit(url).query).get("min_id") or []
    return clean_id(values[0]) if values else ""


class MastodonClient:
    """Reads pages from one Mastodon server with one account's token."""

    def __init__(
        self,
        *,
        server_url: str,
        token: str,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MastodonClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def page(self, stream: str, cursor: str) -> Page:
        """Return the page of ``stream`` immediately newer than ``cursor``."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("limit", str(PAGE_SIZE[stream])),
            ("min_id", cursor or "0"),
        ]
        if stream == "notifications":
            params.append(("types[]", "mention"))
        try:
            response = self.http.get(STREAMS[stream], params=params)
        except httpx.HTTPError as exc:
            raise PollError(f"{stream}: could not reach the server: {exc}") from exc
        remaining, reset_at = rate_limit(response.headers)
        if response.status_code == 429:
            wait = _retry_after(response.headers.get("Retry-After")) or reset_at
            raise RateLimited(
                f"{stream}: the server's rate limit is reached (429)", retry_at=wait
            )
        if response.status_code != 200:
            raise PollError(
                f"{stream}: the server answered {response.status_code} "
                f"{response.reason_phrase}".rstrip()
                + (
                    " (check the token and its scopes)"
                    if response.status_code in (401, 403)
                    else ""
                )
            )
        try:
            items = response.json()
        except ValueError as exc:
            raise PollError(f"{stream}: the answer is not JSON") from exc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise PollError(f"{stream}: the answer is not a list")
        next_cursor = _link_min_id(response) if items else cursor
        if items and not next_cursor:
            ids = [self._item_id(stream, i) for i in items]
            next_cursor = max((i for i in ids if i), key=_id_key, default=cursor)
        return Page(items, next_cursor, remaining, reset_at)

    @staticmethod
    def _item_id(stream: str, item: dict[str, Any]) -> str:
        if stream == "conversations":
            status = item.get("last_status")
            return clean_id(status.get("id")) if isinstance(status, dict) else ""
        return clean_id(item.get("id"))


_BREAKS = re.compile(r"<br\s*/?>", re.I)
_PARAGRAPHS = re.compile(r"</p>\s*<p[^>]*>", re.I)


def html_to_text(html: Any) -> str:
    """Mastodon's status HTML as the plain text a person read."""
    text = _PARAGRAPHS.sub("\n\n", clean_text(html))
    text = _BREAKS.sub("\n", text)
    return unescape(strip_tags(text)).strip()


def _is_own(acct: str, own_handle: str) -> bool:
    """Whether ``acct`` is the account itself: on its own server Mastodon writes a
    local account's ``acct`` without a domain (a remote namesake has one)."""
    own = own_handle.strip().lstrip("@").split("@", 1)[0].lower()
    return bool(own) and acct.strip().lstrip("@").lower() == own


def _status_text(status: dict[str, Any]) -> str:
    text = html_to_text(status.get("content"))
    warning = clean_text(status.get("spoiler_text")).strip()
    return f"[{warning}]\n{text}" if warning else text


def _message(status: dict[str, Any]) -> MessageEvent:
    status_id = clean_id(status.get("id"))
    if not status_id:
        raise MalformedEvent("a status without id")
    author = status.get("account")
    author = author if isinstance(author, dict) else {}
    return MessageEvent(
        message_id=status_id,
        at=parse_moment(status.get("created_at")),
        sender=clean_text(author.get("acct"), limit=200),
        text=_status_text(status),
    )


def normalise_notifications(
    items: list[dict[str, Any]], *, own_handle: str
) -> tuple[list[CommentEvent | MessageEvent], int]:
    """Return the events of a page of notifications (oldest first) and how many
    were ignored."""
    events: list[CommentEvent | MessageEvent] = []
    ignored = 0
    for item in reversed(items):
        status = item.get("status")
        if item.get("type") != "mention" or not isinstance(status, dict):
            ignored += 1
            continue
        if status.get("visibility") == "direct":
            events.append(_message(status))
            continue
        author = status.get("account")
        author = author if isinstance(author, dict) else {}
        acct = clean_text(author.get("acct"), limit=199)
        status_id = clean_id(status.get("id"))
        if not status_id:
            raise MalformedEvent("a mention without status id")
        reply_to = clean_id(status.get("in_reply_to_id"))
        url = clean_text(status.get("url") or status.get("uri"))
        events.append(
            CommentEvent(
                source="mastodon",
                verb="add",
                comment_id=status_id,
                at=parse_moment(status.get("created_at")),
                post_id=reply_to,
                parent_id=reply_to,
                url=url if url.startswith("https://") else "",
                author_id=clean_id(author.get("id")),
                author_name=clean_text(author.get("display_name"), limit=200),
                author_handle=f"@{acct}" if acct else "",
                text=_status_text(status),
                by_account=_is_own(acct, own_handle),
            )
        )
    return events, ignored


def normalise_conversations(
    items: list[dict[str, Any]], *, own_handle: str
) -> tuple[list[CommentEvent | MessageEvent], int]:
    """Return the messages of a page of direct conversations (their last
    statuses, the account's own replies left out) and how many were ignored."""
    events: list[CommentEvent | MessageEvent] = []
    ignored = 0
    for item in reversed(items):
        status = item.get("last_status")
        if not isinstance(status, dict) or status.get("visibility") != "direct":
            ignored += 1
            continue
        author = status.get("account")
        acct = author.get("acct", "") if isinstance(author, dict) else ""
        if isinstance(acct, str) and _is_own(acct, own_handle):
            ignored += 1  # the city's own reply
            continue
        events.append(_message(status))
    return events, ignored
