"""The audit trail: one helper every service calls inside its transaction.

    record_event(action="account.approved", target=account, data={...}, reason=...)

``data`` holds what changed (``{"status": ["submitted", "approved"]}``) and any
other non-personal facts; ``personal`` holds personal data that the retention purge
may later clear with :func:`redact_personal`.
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


def _event_hash(event: AuditEvent) -> str:
    return _digest(
        {
            "sequence": event.sequence,
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
            "prev_hash": event.prev_hash,
        }
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


@transaction.atomic
def record_event(
    *,
    action: str,
    target: models.Model | None = None,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain; the actor and address default to the request's."""
    context = get_actor()
    actor = actor if actor is not None else context.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    personal = jsonable(personal) if personal else None
    event = AuditEvent(
        sequence=(last.sequence + 1) if last else 1,
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
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = _event_hash(event)
    event.hmac_key_id, event.hmac = audit_signing.sign_with_current_key(event.hash)
    event.save()
    return event


@transaction.atomic
def audited_update(
    queryset: models.QuerySet[Any],
    *,
    action: str,
    actor: Any = None,
    reason: str = "",
    **values: Any,
) -> int:
    """``queryset.update(**values)``, with one audit event per changed row.

    For services that change many rows at once (a bulk update never calls
    ``save()``): each event holds that row's before and after of the updated
    fields. Personal fields must not be bulk-updated through this helper.
    """
    fields = list(values)
    rows = list(queryset.select_for_update())
    before = {row.pk: snapshot(row, fields) for row in rows}
    count = queryset.model._default_manager.filter(
        pk__in=[row.pk for row in rows]
    ).update(**values)
    for row in queryset.model._default_manager.filter(pk__in=list(before)):
        diff = changes(before[row.pk], snapshot(row, fields))
        if diff:
            record_event(
                action=action,
                target=row,
                actor=actor,
                data={"changes": diff, "bulk": True},
                reason=reason,
            )
    return count


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """Return the events recorded against ``target``, oldest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
    ).order_by("sequence")


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
    count = AuditEvent.objects.filter(
        target_type=target_type, target_id__in=id_strings, personal__isnull=False
    ).update(personal=None, redacted_at=clock.now())
    if count:
        record_event(
            action="audit.redacted",
            data={
                "model": target_type.natural_key(),
                "records": len(id_strings),
                "events": count,
                "run": run_label,
            },
        )
    return count


@dataclass(frozen=True)
class AuditProblem:
    sequence: int
    problem: str


def verify_chain(*, batch_size: int = 2000) -> Iterator[AuditProblem]:
    """Yield every break in the chain: an altered, inserted or missing event, or
    one whose hash was recomputed without the audit key (core.audit_signing)."""
    keys = audit_signing.verification_keys()
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    for event in AuditEvent.objects.order_by("sequence").iterator(
        chunk_size=batch_size
    ):
        if event.sequence != expected_sequence:
            yield AuditProblem(
                event.sequence,
                f"events {expected_sequence}..{event.sequence - 1} are missing",
            )
        if event.prev_hash != expected_prev:
            yield AuditProblem(event.sequence, "does not link to the event before it")
        if _event_hash(event) != event.hash:
            yield AuditProblem(event.sequence, "content does not match its hash")
        signature_problem = audit_signing.signature_problem(
            event_hash=event.hash,
            hmac_key_id=event.hmac_key_id,
            signature=event.hmac,
            keys=keys,
        )
        if signature_problem:
            yield AuditProblem(event.sequence, signature_problem)
        if event.personal is not None:
            if _digest(event.personal) != event.personal_digest:
                yield AuditProblem(event.sequence, "personal data was altered")
        elif event.personal_digest and event.redacted_at is None:
            yield AuditProblem(
                event.sequence, "personal data removed without redaction"
            )
        expected_prev = event.hash
        expected_sequence = event.sequence + 1
