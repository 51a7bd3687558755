"""The audit trail: one helper every service calls inside its transaction.

    record_event(action="account.approved", target=account, data={...}, reason=...)

``data`` holds what changed (``{"status": ["submitted", "approved"]}``) and any
other non-personal facts; ``personal`` holds personal data that the retention purge
may later clear with :func:`redact_personal`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from core import audit_signing, clock
from core.context import get_actor
from core.models import AuditEvent

logger = logging.getLogger(__name__)

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
    """What an event says (not its uid, nor its place in the chain)."""
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


def content_digest(event: Any) -> str:
    """The digest of what an event says and of its uid: the origin signature covers
    it, so neither a changed event nor a copy of one passes."""
    return _digest({**_content(event), "uid": str(event.uid)})


def _event_hash(event: Any) -> str:
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


def record_event(
    *,
    action: str,
    target: models.Model | None = None,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record one event, signed; the actor and address default to the request's.

    One INSERT in the caller's transaction: it takes no lock, so concurrent
    requests never wait for each other. The sealing job chains it soon after.
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
    event.origin_mac = audit_signing.sign_origin(content_digest(event))
    event.save(force_insert=True)
    return event


def seal_events(*, batch_size: int = 1000) -> int:
    """Give every unsealed event its place in the chain; return how many.

    Events are sealed in the order they were recorded, one batch per transaction,
    under the chain's lock (a PostgreSQL advisory lock; SQLite has one writer). If
    another sealer holds the lock, this run stops at once: the one holding it, or
    the next run, seals the rest. An event without a valid origin signature was
    not written by this application: it is left unsealed, and reported by
    :func:`verify_chain`.
    """
    keys = audit_signing.verification_keys()
    sealed = refused = 0
    after = 0
    head = None
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
                    if not cursor.fetchone()[0]:
                        logger.info("audit sealing skipped: another sealer is at work")
                        break
            last = (
                AuditEvent.objects.filter(sequence__isnull=False)
                .order_by("-sequence")
                .only("sequence", "hash")
                .first()
            )
            batch = list(
                AuditEvent.objects.filter(sequence__isnull=True, pk__gt=after).order_by(
                    "pk"
                )[:batch_size]
            )
            if not batch:
                break
            sequence = cast(int, last.sequence) if last else 0
            prev_hash = last.hash if last else GENESIS_HASH
            chained = []
            for event in batch:
                if audit_signing.origin_problem(
                    content_digest=content_digest(event),
                    origin_mac=event.origin_mac,
                    keys=keys,
                ):
                    refused += 1
                    continue
                sequence += 1
                event.sequence, event.prev_hash = sequence, prev_hash
                event.hash = _event_hash(event)
                event.hmac_key_id, event.hmac = audit_signing.sign_with_current_key(
                    event.hash
                )
                prev_hash = event.hash
                chained.append(event)
            # A plain queryset: sealing is the one change the model layer allows
            # besides redaction (the PostgreSQL trigger checks it too).
            models.QuerySet[AuditEvent](AuditEvent).bulk_update(
                chained, ["sequence", "prev_hash", "hash", "hmac_key_id", "hmac"]
            )
            sealed += len(chained)
            after = batch[-1].pk
            if chained:
                head = (sequence, prev_hash)
    if refused:
        logger.error(
            "audit sealing: %s event(s) without a valid origin signature left "
            "unsealed; run manage.py verify_audit",
            refused,
        )
    if head:
        # The chain's head, in the log: a copy outside the database to compare with.
        logger.info("audit chain head: event %s, hash %s", *head)
    return sealed


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
    sequence: int | None
    problem: str
    event_id: int | None = None

    @property
    def where(self) -> str:
        if self.sequence is None:
            return f"unsealed event id {self.event_id}"
        return f"event {self.sequence}"


def verify_chain(*, batch_size: int = 2000) -> Iterator[AuditProblem]:
    """Yield every break in the chain: an altered, inserted or missing event, one
    whose hash was recomputed without the audit key (core.audit_signing), and an
    event left unsealed for longer than ``AUDIT_SEAL_GRACE_MINUTES``."""
    keys = audit_signing.verification_keys()
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    for event in (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("sequence")
        .iterator(chunk_size=batch_size)
    ):
        sequence = cast(int, event.sequence)
        if sequence != expected_sequence:
            yield AuditProblem(
                sequence, f"events {expected_sequence}..{sequence - 1} are missing"
            )
        if event.prev_hash != expected_prev:
            yield AuditProblem(sequence, "does not link to the event before it")
        if _event_hash(event) != event.hash:
            yield AuditProblem(sequence, "content does not match its hash")
        for problem in _signature_problems(event, keys):
            yield AuditProblem(sequence, problem)
        expected_prev = event.hash
        expected_sequence = sequence + 1
    duplicated = (
        AuditEvent.objects.exclude(origin_mac="")
        .values("origin_mac")
        .annotate(copies=models.Count("id"))
        .filter(copies__gt=1)
        .values_list("origin_mac", flat=True)
    )
    for event in AuditEvent.objects.filter(origin_mac__in=list(duplicated)).order_by(
        "pk"
    ):
        yield AuditProblem(
            event.sequence,
            "is a copy of another event (the same origin signature)",
            event_id=event.pk,
        )
    stale = clock.now() - timedelta(minutes=settings.AUDIT_SEAL_GRACE_MINUTES)
    for event in (
        AuditEvent.objects.filter(sequence__isnull=True)
        .order_by("pk")
        .iterator(chunk_size=batch_size)
    ):
        problems = list(_signature_problems(event, keys, sealed=False))
        if not problems and event.occurred_at < stale:
            problems.append(
                "was not sealed into the chain in time: is the audit sealing job "
                "(Celery beat) running?"
            )
        for problem in problems:
            yield AuditProblem(None, problem, event_id=event.pk)


def _signature_problems(
    event: AuditEvent, keys: dict[str, str], *, sealed: bool = True
) -> Iterator[str]:
    origin = audit_signing.origin_problem(
        content_digest=content_digest(event),
        origin_mac=event.origin_mac,
        keys=keys,
    )
    if origin:
        yield origin
    if sealed:
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
