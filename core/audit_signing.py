"""The audit trail's key: an HMAC-SHA256 signature on every event's chain hash.

The hash chain (:mod:`core.audit`) shows that no event was altered, inserted or
removed, unless whoever changed the table also recomputed the hashes, which anyone
with write access to the database can do. So every event also carries
``HMAC-SHA256(AUDIT_HMAC_KEY, its hash)``: the key is kept outside the database,
and rewriting history now needs it too.

Each signature names the key that made it by the key's id (derived from the key,
revealing nothing of it). After a rotation the new key signs new events and the
events signed before still verify while the old key is listed in
``AUDIT_HMAC_OLD_KEYS``. Events recorded before signing existed were signed by
migration ``core.0003`` with the key configured then; an unsigned event is
reported, so nobody can pass off a rewritten event as one from before the key.
Every event is signed when it is recorded (``core.audit.record_event``).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=16)
def key_id(key: str) -> str:
    """Return the public id of ``key``: 16 hex digits that reveal nothing of it."""
    return hmac.new(
        key.encode(), b"citysocial audit key id", hashlib.sha256
    ).hexdigest()[:16]


def _mac(key: str, purpose: str, value: str) -> str:
    return hmac.new(
        key.encode(), f"citysocial audit {purpose} {value}".encode(), hashlib.sha256
    ).hexdigest()


def _unknown_key(mac_key_id: str) -> str:
    return (
        f"is signed with an audit key that is not configured (key id "
        f"{mac_key_id!r}; list that key in AUDIT_HMAC_OLD_KEYS)"
    )


def sign(event_hash: str, key: str) -> str:
    """Return the HMAC-SHA256 of an event's chain hash with ``key``."""
    return _mac(key, "event", event_hash)


def sign_with_current_key(event_hash: str) -> tuple[str, str]:
    """Return ``(key id, signature)`` of ``event_hash`` with ``AUDIT_HMAC_KEY``."""
    key = settings.AUDIT_HMAC_KEY
    return key_id(key), sign(event_hash, key)


def verification_keys() -> dict[str, str]:
    """Return the keys that may have signed events, by key id."""
    keys = [settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_OLD_KEYS]
    return {key_id(key): key for key in keys if key}


def signature_problem(
    *, event_hash: str, hmac_key_id: str, signature: str, keys: dict[str, str]
) -> str | None:
    """Return what is wrong with an event's signature, or None if it is valid."""
    if not signature:
        return "is not signed with the audit key"
    key = keys.get(hmac_key_id)
    if key is None:
        return _unknown_key(hmac_key_id)
    if not hmac.compare_digest(sign(event_hash, key), signature):
        return "signature does not match: rewritten without the audit key"
    return None


def sign_anchor(payload: str) -> tuple[str, str]:
    """Return ``(key id, signature)`` of an anchor of the chain head
    (``core.audit_anchor``) with ``AUDIT_HMAC_KEY``."""
    key = settings.AUDIT_HMAC_KEY
    return key_id(key), _mac(key, "anchor", payload)


def anchor_signature_problem(
    *, payload: str, hmac_key_id: str, signature: str, keys: dict[str, str]
) -> str | None:
    """Return what is wrong with an anchor's signature, or None if it is valid."""
    key = keys.get(hmac_key_id)
    if key is None:
        return _unknown_key(hmac_key_id)
    if not hmac.compare_digest(_mac(key, "anchor", payload), signature):
        return "signature does not match: not written by this application"
    return None
