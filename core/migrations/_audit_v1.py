"""The audit trail's formats as the migrations of core wrote them (frozen).

Migrations must not depend on code that changes later, so the hashing and signing
that ``core.0003``, ``core.0004`` and ``core.0006`` do are kept here as they were:
the chain hash (still the format of ``core.audit.event_hash``) and the origin
signature of unsealed events (``origin_mac``, removed by ``core.0006``).
"""

import hashlib
import hmac
import json

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def _digest(value):
    return hashlib.sha256(
        json.dumps(
            value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
        ).encode()
    ).hexdigest()


def _content(event):
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "ip_address": event.ip_address,
        "action": event.action,
        "target_type_id": event.target_type_id,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "data": event.data,
        "reason": event.reason,
        "personal_digest": event.personal_digest,
    }


def event_hash(event):
    return _digest(
        {**_content(event), "sequence": event.sequence, "prev_hash": event.prev_hash}
    )


def key_id(key):
    return hmac.new(
        key.encode(), b"citysocial audit key id", hashlib.sha256
    ).hexdigest()[:16]


def _mac(key, purpose, value):
    return hmac.new(
        key.encode(), f"citysocial audit {purpose} {value}".encode(), hashlib.sha256
    ).hexdigest()


def sign(event_hash, key):
    return _mac(key, "event", event_hash)


def content_digest(event):
    return _digest({**_content(event), "uid": str(event.uid)})


def sign_origin(content_digest, key):
    return f"{key_id(key)}:{_mac(key, 'origin', content_digest)}"


def origin_valid(content_digest, origin_mac, keys):
    """True if ``origin_mac`` was made by one of ``keys`` (by key id)."""
    mac_key_id, _, mac = origin_mac.partition(":")
    key = keys.get(mac_key_id)
    return key is not None and hmac.compare_digest(
        _mac(key, "origin", content_digest), mac
    )
