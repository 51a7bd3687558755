"""Meta's deliveries: stored raw in the request, processed by a job.

meta_delivery_store(body=)             the webhook view: one INSERT, once per body
meta_deliveries_process(limit=)        the job: every delivery that is due
meta_delivery_process(delivery_id=)    one delivery, in one transaction
meta_delivery_retry(delivery=, by=)    staff: process an unmatched one again
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Account
from core import audit, clock
from core.exceptions import ensure_status
from core.permissions import require
from platforms.connectors import MalformedEvent, meta
from platforms.models import Connection, MetaDelivery
from platforms.services.capture import events_apply

logger = logging.getLogger(__name__)

DUE = (MetaDelivery.Status.RECEIVED, MetaDelivery.Status.FAILED)


def meta_delivery_store(*, body: bytes) -> None:
    """Keep a verified delivery, once: a body already stored (Meta sends again
    what it thinks was not received) is not stored again. One statement, no
    lock: nothing here waits for the broker, the worker or another request."""
    now = clock.now()
    MetaDelivery.objects.bulk_create(
        [
            MetaDelivery(
                body=body,
                body_sha256=hashlib.sha256(body).hexdigest(),
                received_at=now,
                next_attempt_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: doubled each
    time, from ``PLATFORMS_RETRY_SECONDS`` up to ``PLATFORMS_RETRY_MAX_SECONDS``."""
    seconds = settings.PLATFORMS_RETRY_SECONDS * 2 ** max(0, min(attempts - 1, 30))
    return timedelta(seconds=min(seconds, settings.PLATFORMS_RETRY_MAX_SECONDS))


def meta_deliveries_process(*, limit: int | None = None) -> dict[str, int]:
    """Process the deliveries that are due, oldest first, each in its own
    transaction; return how many ended in each state. Safe to run twice at once:
    a delivery another run holds is skipped (``SKIP LOCKED``)."""
    limit = limit or settings.PLATFORMS_PROCESS_BATCH_SIZE
    ids = list(
        MetaDelivery.objects.filter(status__in=DUE, next_attempt_at__lte=clock.now())
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome: Counter[str] = Counter()
    for delivery_id in ids:
        outcome[meta_delivery_process(delivery_id=delivery_id)] += 1
    return dict(outcome)


def meta_delivery_process(*, delivery_id: int) -> str:
    """Capture what one delivery carried (through the capture services) and mark
    it processed or unmatched, all in one transaction; on any error nothing of it
    is kept but the error, and it is tried again later. Return its state."""
    try:
        with transaction.atomic():
            delivery = (
                MetaDelivery.objects.select_for_update(skip_locked=True)
                .filter(pk=delivery_id, status__in=DUE)
                .first()
            )
            if delivery is None:
                return "skipped"
            _process(delivery)
            return str(delivery.status)
    except Exception as exc:
        logger.exception("Meta delivery %s could not be processed", delivery_id)
        _record_failure(delivery_id, exc)
        return str(MetaDelivery.Status.FAILED)


def _account_for(platform: str, account_id: str) -> Account | None:
    return (
        Account.objects.filter(
            platform__slug=platform, platform_account_id=account_id
        ).first()
        if platform and account_id
        else None
    )


def _process(delivery: MetaDelivery) -> None:
    summary: Counter[str] = Counter()
    unmatched: list[str] = []
    for batch in meta.normalise(bytes(delivery.body)):
        summary["ignored"] += batch.ignored
        if not batch.events:
            continue  # nothing to capture: whose it is does not matter
        account = _account_for(batch.platform, batch.account_id)
        if account is None:
            unmatched.append(f"{batch.platform}:{batch.account_id}")
            continue
        summary.update(events_apply(account=account, events=batch.events))
        _touch_connection(account, delivery)
    now = clock.now()
    delivery.attempts += 1
    delivery.processed_at = now
    delivery.last_error = ""
    delivery.summary = {
        k: summary.get(k, 0) for k in ("comments", "messages", "ignored")
    }
    delivery.unmatched_ids = sorted(set(unmatched))
    if unmatched:
        # Kept whole until the ids are on the registry and it is processed again.
        delivery.status = MetaDelivery.Status.UNMATCHED
    else:
        delivery.status = MetaDelivery.Status.PROCESSED
        # What it carried now lives where its schedule governs it (R1, R2).
        delivery.body = b""
    delivery.save()
    audit.record_event(
        action=(
            "platforms.delivery.unmatched"
            if unmatched
            else "platforms.delivery.processed"
        ),
        target=delivery,
        data={**delivery.summary, "unmatched": delivery.unmatched_ids},
    )


def _touch_connection(account: Account, delivery: MetaDelivery) -> None:
    connection, _ = Connection.objects.get_or_create(
        account=account, defaults={"kind": Connection.Kind.META}
    )
    if connection.last_delivery_at is None or (
        connection.last_delivery_at < delivery.received_at
    ):
        Connection.objects.filter(pk=connection.pk).update(
            last_delivery_at=delivery.received_at
        )


def _record_failure(delivery_id: int, exc: Exception) -> None:
    error = (
        str(exc) if isinstance(exc, MalformedEvent) else f"{type(exc).__name__}: {exc}"
    )
    with transaction.atomic():
        delivery = (
            MetaDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status not in DUE:
            return
        delivery.attempts += 1
        delivery.status = MetaDelivery.Status.FAILED
        delivery.last_error = error[:2000]
        delivery.next_attempt_at = clock.now() + retry_delay(delivery.attempts)
        delivery.save(
            update_fields=["attempts", "status", "last_error", "next_attempt_at"]
        )
        audit.record_event(
            action="platforms.delivery.failed",
            target=delivery,
            data={"attempts": delivery.attempts, "error": delivery.last_error},
        )


@transaction.atomic
def meta_delivery_retry(*, delivery: MetaDelivery, by: Any) -> MetaDelivery:
    """Process an unmatched or failing delivery again with the next run of the job
    (after its account's id on the platform was set on the registry)."""
    require(by, "platforms.change_metadelivery", doing="process deliveries again")
    delivery = MetaDelivery.objects.select_for_update().get(pk=delivery.pk)
    ensure_status(
        delivery,
        allowed=[MetaDelivery.Status.UNMATCHED, MetaDelivery.Status.FAILED],
        doing="processed again",
    )
    before = delivery.status
    delivery.status = MetaDelivery.Status.RECEIVED
    delivery.next_attempt_at = clock.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    audit.record_event(
        action="platforms.delivery.retried",
        target=delivery,
        actor=by,
        data={"changes": {"status": [before, delivery.status]}},
    )
    return delivery
