"""Meta (Facebook Pages, Instagram, Messenger) by webhook, as Meta documents it.

Receive: ``POST /platforms/meta/webhook/`` (``platforms.views.meta_webhook``).
Verify: ``X-Hub-Signature-256`` is ``sha256=`` and the hex HMAC-SHA256 of the raw
body under the app secret, compared in constant time (:func:`verify_signature`).
Normalise: :func:`normalise` reads the delivery's entries:

- ``object: page``, ``changes[].field = feed``, ``value.item = comment``: verbs
  ``add``, ``edited``, ``remove``, ``hide``, ``unhide``;
- ``object: instagram``, ``changes[].field = comments``: a new comment;
- ``entry[].messaging[]`` with ``message.mid`` (Messenger, and Instagram
  messaging): a message received (the page's own, ``is_echo``, are not).

Anything else in a delivery (reactions, the page's own posts, read receipts) is
counted as ignored. An event of a captured kind without its ids is malformed:
the delivery fails and is kept, so nothing it carried is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from platforms.connectors import (
    Batch,
    CommentEvent,
    MalformedEvent,
    MessageEvent,
    clean_id,
    clean_text,
    parse_moment,
)

SIGNATURE_PREFIX = "sha256="
# Meta's object -> the registry platform whose accounts its entries name.
PLATFORM_OF_OBJECT = {"page": "facebook", "instagram": "instagram"}
FEED_VERBS = {
    "add": "add",
    "edited": "edited",
    "edit": "edited",
    "remove": "remove",
    "delete": "remove",
    "hide": "hide",
    "unhide": "unhide",
}


def signature_of(body: bytes, secret: str) -> str:
    """Return the ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Return True when ``header`` is the signature of ``body`` under ``secret``
    (constant-time compare); False for a missing or malformed header, or no
    secret at all."""
    if not secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(
        signature_of(body, secret).encode(), header.strip().lower().encode()
    )


def handshake_answer(params: Any, verify_token: str) -> str | None:
    """Return the challenge to echo for a subscription handshake, or None when the
    request did not prove it knows the verify token (or none is configured)."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge") or ""
    # Meta's challenge is a number; nothing longer is echoed back.
    return challenge if 0 < len(challenge) <= 200 else None


def normalise(body: bytes) -> list[Batch]:
    """Return the events of a delivery, one batch per entry (account)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"the body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("the body is not a JSON object")
    kind = data.get("object")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise MalformedEvent("the delivery has no list of entries")
    platform = PLATFORM_OF_OBJECT.get(kind) if isinstance(kind, str) else None
    batches = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise MalformedEvent(f"entry {number} is not an object")
        account_id = clean_id(entry.get("id"))
        if platform is None:
            # An object the product does not capture from (e.g. "user").
            batches.append(Batch(platform="", account_id=account_id, ignored=1))
            continue
        if not account_id:
            raise MalformedEvent(f"entry {number} names no account id")
        batch = Batch(platform=platform, account_id=account_id)
        for change in _list(entry.get("changes")):
            _change(batch, entry, change)
        for event in _list(entry.get("messaging")):
            _messaging(batch, event)
        batches.append(batch)
    return batches


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _change(batch: Batch, entry: dict[str, Any], change: Any) -> None:
    if not isinstance(change, dict):
        batch.ignored += 1
        return
    field, value = change.get("field"), change.get("value")
    if not isinstance(value, dict):
        batch.ignored += 1
        return
    if batch.platform == "facebook" and field == "feed":
        _feed(batch, value)
    elif batch.platform == "instagram" and field == "comments":
        _instagram_comment(batch, entry, value)
    else:
        batch.ignored += 1


def _who(value: dict[str, Any]) -> dict[str, Any]:
    author = value.get("from")
    return author if isinstance(author, dict) else {}


def _feed(batch: Batch, value: dict[str, Any]) -> None:
    verb = FEED_VERBS.get(str(value.get("verb", "")))
    if value.get("item") != "comment" or verb is None:
        batch.ignored += 1  # reactions, the page's posts, shares...
        return
    comment_id = clean_id(value.get("comment_id"))
    if not comment_id:
        raise MalformedEvent(f"a feed comment ({verb}) without comment_id")
    author = _who(value)
    author_id = clean_id(author.get("id"))
    post_id = clean_id(value.get("post_id"))
    text = value.get("message")
    batch.events.append(
        CommentEvent(
            source="facebook",
            verb=verb,
            comment_id=comment_id,
            at=parse_moment(value.get("created_time")),
            post_id=post_id,
            parent_id=clean_id(value.get("parent_id")),
            url=_facebook_url(value, post_id, comment_id),
            author_id=author_id,
            author_name=clean_text(author.get("name"), limit=200),
            text=clean_text(text) if isinstance(text, str) else None,
            by_account=bool(author_id) and author_id == batch.account_id,
        )
    )


def _facebook_url(value: dict[str, Any], post_id: str, comment_id: str) -> str:
    """The comment's address: its post's permalink (or facebook.com/<post id>) with
    ``comment_id``, as Facebook's own comment links have it."""
    post = value.get("post")
    permalink = post.get("permalink_url") if isinstance(post, dict) else None
    local_id = comment_id.rsplit("_", 1)[-1]
    if isinstance(permalink, str) and permalink.startswith("https://"):
        parts = urlsplit(clean_text(permalink))
        if (parts.hostname or "").endswith("facebook.com"):
            query = "&".join(
                q for q in (parts.query, urlencode({"comment_id": local_id})) if q
            )
            return urlunsplit(parts._replace(query=query, fragment=""))[:1000]
    if not post_id:
        return ""
    return f"https://www.facebook.com/{post_id}?{urlencode({'comment_id': local_id})}"


def _instagram_comment(batch: Batch, entry: dict[str, Any], value: dict) -> None:
    comment_id = clean_id(value.get("id"))
    if not comment_id:
        raise MalformedEvent("an Instagram comment without id")
    author = _who(value)
    author_id = clean_id(author.get("id"))
    media = value.get("media")
    text = value.get("text")
    batch.events.append(
        CommentEvent(
            source="instagram",
            verb="add",
            comment_id=comment_id,
            at=parse_moment(entry.get("time")),
            post_id=clean_id(media.get("id")) if isinstance(media, dict) else "",
            parent_id=clean_id(value.get("parent_id")),
            author_id=author_id,
            author_handle=clean_text(author.get("username"), limit=200),
            text=clean_text(text) if isinstance(text, str) else "",
            by_account=bool(author_id) and author_id == batch.account_id,
        )
    )


def _messaging(batch: Batch, event: Any) -> None:
    message = event.get("message") if isinstance(event, dict) else None
    if not isinstance(message, dict):
        batch.ignored += 1  # delivery and read receipts, reactions, postbacks...
        return
    if message.get("is_echo"):
        batch.ignored += 1  # the page's own message, sent from the page
        return
    mid = clean_id(message.get("mid"))
    if not mid:
        raise MalformedEvent("a message without mid")
    sender = event.get("sender")
    text = clean_text(message.get("text"))
    if not text:
        kinds = [
            str(a.get("type", "file"))
            for a in _list(message.get("attachments"))
            if isinstance(a, dict)
        ]
        text = f"[{', '.join(kinds)} attached]" if kinds else ""
    batch.events.append(
        MessageEvent(
            message_id=mid,
            at=parse_moment(event.get("timestamp")),
            sender=clean_id(sender.get("id")) if isinstance(sender, dict) else "",
            text=text,
        )
    )
