"""The audit trail: one helper every service calls inside its transaction.

    record_event(action="account.approved", target=account, data={...}, reason=...)

``data`` holds what changed (``{"status": ["submitted", "approved"]}``) and any
other non-personal facts; ``personal`` holds personal data that the retention purge
may later clear with :func:`redact_personal`.

Each event is sealed into the hash chain as it is recorded, in the caller's
transaction (:func:`record_event`); :func:`verify_chain` checks the chain, and
``core.audit_anchor`` compares its head with copies kept outside the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from core import audit_signing, clock
from core.context import get_actor
from core.models import AuditEvent

GENESIS_HASH = "0" * 64
_LOCK_KEY = 748_203_551  # pg_advisory_xact_lock key that serialises the chain


def jsonable(value: Any) -> Any:
    """Return ``value`` as it will read back from a JSON column."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


def _digest(value: Any) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()


def _content(event: Any) -> dict[str, Any]:
    """What an event says (not its place in the chain)."""
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


def event_hash(event: Any) -> str:
    """The event's chain hash: what it says, its place and the hash before it."""
    return _digest(
        {**_content(event), "sequence": event.sequence, "prev_hash": event.prev_hash}
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [before, after]}`` for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the named fields' values (foreign keys as their ids), JSON-ready."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return jsonable(values)


def chain_head() -> AuditEvent | None:
    """Return the newest event of the chain (its head), or None if it is empty."""
    return AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()


def _lock_chain() -> None:
    """Serialise the chain's writers until the transaction ends: PostgreSQL takes
    an advisory transaction lock; SQLite has one writer at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def record_event(
    *,
    action: str,
    target: models.Model | None = None,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record one event, sealed into the chain in the caller's transaction; the
    actor and address default to the request's.

    Under the chain's lock (held until the caller's transaction ends, so events
    are chained in the order they commit) the event takes the next sequence and
    the head's hash, and is signed with the audit key. A rolled-back transaction
    takes its event with it and leaves no gap.
    """
    context = get_actor()
    actor = actor if actor is not None else context.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    personal = jsonable(personal) if personal else None
    event = AuditEvent(
        occurred_at=clock.now(),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        ip_address=context.ip,
        action=action,
        target_type=(
            ContentType.objects.get_for_model(target, for_concrete_model=False)
            if target is not None
            else None
        ),
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        data=jsonable(data or {}),
        reason=reason,
        personal=personal,
        personal_digest=_digest(personal) if personal else "",
    )
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = chain_head()
        event.sequence = head.sequence + 1 if head else 1
        event.prev_hash = head.hash if head else GENESIS_HASH
        event.hash = event_hash(event)
        event.hmac_key_id, event.hmac = audit_signing.sign_with_current_key(event.hash)
        event.save(force_insert=True)
    return event


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """Return the events recorded against ``target``, oldest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
    ).order_by("id")


@transaction.atomic
def redact_personal(
    *, model: type[models.Model], ids: Iterable[Any], run_label: str = ""
) -> int:
    """Clear the personal data of every event about these records (retention, R4).

    The chain stays verifiable: the digest of what was cleared remains, and one new
    event records how many events were redacted (never their content).
    """
    id_strings = [str(pk) for pk in ids]
    if not id_strings:
        return 0
    target_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return _redact(
        AuditEvent.objects.filter(target_type=target_type, target_id__in=id_strings),
        {"model": target_type.natural_key(), "records": len(id_strings)},
        run_label=run_label,
    )


@transaction.atomic
def audit_event_redact(*, ids: Iterable[int], run_label: str = "") -> int:
    """Clear the personal data of these events themselves (the retention purge's
    ``audit_events`` series, R4); the chain stays verifiable as with
    :func:`redact_personal`, and one new event says how many were redacted."""
    return _redact(
        AuditEvent.objects.filter(pk__in=[int(pk) for pk in ids]),
        {"model": ["core", "auditevent"]},
        run_label=run_label,
    )


def _redact(
    events: models.QuerySet[AuditEvent], data: dict[str, Any], *, run_label: str
) -> int:
    """Clear the personal data of ``events`` and, when there was any, record one
    event saying how many were redacted (``data`` says of what)."""
    count = events.filter(personal__isnull=False).update(
        personal=None, redacted_at=clock.now()
    )
    if count:
        record_event(
            action="audit.redacted",
            data={**data, "events": count, "run": run_label},
        )
    return count


@dataclass(frozen=True)
class AuditProblem:
    """A break in the audit trail: at one event, or (``sequence`` None) in the
    trail as a whole, such as a cut tail."""

    sequence: int | None
    problem: str

    @property
    def where(self) -> str:
        return "the trail" if self.sequence is None else f"event {self.sequence}"


def verify_chain(*, batch_size: int = 2000) -> Iterator[AuditProblem]:
    """Yield every break the chain itself shows: an altered, inserted or missing
    event, and one whose hash was recomputed without the audit key
    (core.audit_signing). The newest events removed, or all of them, leave no
    break: :mod:`core.audit_anchor` compares the head with its anchors for that."""
    keys = audit_signing.verification_keys()
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    for event in AuditEvent.objects.order_by("sequence").iterator(
        chunk_size=batch_size
    ):
        sequence = event.sequence
        if sequence != expected_sequence:
            yield AuditProblem(
                sequence, f"events {expected_sequence}..{sequence - 1} are missing"
            )
        if event.prev_hash != expected_prev:
            yield AuditProblem(sequence, "does not link to the event before it")
        if event_hash(event) != event.hash:
            yield AuditProblem(sequence, "content does not match its hash")
        for problem in _signature_problems(event, keys):
            yield AuditProblem(sequence, problem)
        expected_prev = event.hash
        expected_sequence = sequence + 1


def _signature_problems(event: AuditEvent, keys: dict[str, str]) -> Iterator[str]:
    signature = audit_signing.signature_problem(
        event_hash=event.hash,
        hmac_key_id=event.hmac_key_id,
        signature=event.hmac,
        keys=keys,
    )
    if signature:
        yield signature
    if event.personal is not None:
        if _digest(event.personal) != event.personal_digest:
            yield "personal data was altered"
    elif event.personal_digest and event.redacted_at is None:
        yield "personal data removed without redaction"


def audit_event_search(
    *, terms: list[str], date_from: Any = None, date_to: Any = None
) -> models.QuerySet[AuditEvent]:
    """Return the audit events whose personal part or actor names a person, in
    the date range: the Data Practices search."""
    from core.search import search_q

    q = search_q(
        fields=("personal", "actor_label"),
        terms=terms,
        date_field="occurred_at",
        date_from=date_from,
        date_to=date_to,
    )
    if q is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(q).order_by("occurred_at", "pk")
