"""Handling a Data Practices request (P24): identity, clock, cost,
picking and holding records (R3), consultation, close and the holds' release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit, calendar, clock
from core.exceptions import DomainError, NotPermitted, ensure_status
from core.permissions import holds, require
from datarequests.models import (
    DataRequest,
    PickedRecord,
    RequestConsultation,
    RequestPause,
)
from datarequests.services._base import due_date, lock
from datarequests.sources import SOURCES, held_record

S = DataRequest.Status
HANDLE = "datarequests.handle_datarequest"


@transaction.atomic
def datarequest_verify_identity(
    *, request: DataRequest, method: str, note: str = "", by: Any
) -> DataRequest:
    """Record how a data subject's identity was verified, by whom and when:
    required before anything about them is released (13.04)."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=request.OPEN_STATUSES, doing="verified")
    if request.kind != DataRequest.Kind.DATA_SUBJECT:
        raise DomainError("A request for public data needs no identity check.")
    if method == DataRequest.IdentityMethod.OTHER and not note.strip():
        raise DomainError("Say how the identity was verified.", field="identity_note")
    request.identity_method = method
    request.identity_note = note.strip()
    request.identity_verified_by = by
    request.identity_verified_at = clock.now()
    request.full_clean(validate_unique=False, validate_constraints=False)
    request.save()
    audit.record_event(
        action="datarequest.identity_verified",
        target=request,
        actor=by,
        data={"method": method},
    )
    return request


@transaction.atomic
def datarequest_start(*, request: DataRequest, by: Any) -> DataRequest:
    """Start work on a received request."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=[S.RECEIVED], doing="started")
    request.status = S.IN_PROGRESS
    request.save(update_fields=["status", "updated_at"])
    audit.record_event(action="datarequest.started", target=request, actor=by)
    return request


@transaction.atomic
def datarequest_pause(
    *, request: DataRequest, why: str, note: str = "", by: Any
) -> RequestPause:
    """Stop the clock while the city waits for a clarification or for payment."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=[S.RECEIVED, S.IN_PROGRESS], doing="paused")
    pause = RequestPause(
        request=request,
        why=why,
        note=note.strip(),
        paused_on=clock.today(),
        paused_by=by,
    )
    pause.full_clean()
    pause.save()
    request.status = (
        S.CLARIFICATION if why == RequestPause.Why.CLARIFICATION else S.AWAITING_PAYMENT
    )
    request.save(update_fields=["status", "updated_at"])
    audit.record_event(
        action="datarequest.paused",
        target=request,
        actor=by,
        data={"why": why, "paused_on": pause.paused_on},
    )
    return pause


def _end_pause(pause: Any, *, on: date, by: Any) -> None:
    """End a pause of the clock on ``on``: the day of the pause still counted;
    each business day after it, up to and including ``on``, did not."""
    pause.resumed_on = on
    pause.resumed_by = by
    pause.business_days = calendar.business_days_between(pause.paused_on, on)
    pause.save()


@transaction.atomic
def datarequest_resume(
    *, request: DataRequest, by: Any, resumed_on: date | None = None
) -> DataRequest:
    """Restart the clock: the business days it stood still are added to the due
    date (recomputed from the receipt and every pause)."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=request.PAUSED_STATUSES, doing="resumed")
    pause = request.pauses.select_for_update().get(resumed_on__isnull=True)
    resumed_on = resumed_on or clock.today()
    if resumed_on < pause.paused_on:
        raise DomainError("The clock cannot restart before it stopped.")
    _end_pause(pause, on=resumed_on, by=by)
    before = request.due_on
    request.due_on = due_date(request)
    request.status = S.IN_PROGRESS
    request.save(update_fields=["status", "due_on", "updated_at"])
    audit.record_event(
        action="datarequest.resumed",
        target=request,
        actor=by,
        data={
            "paused_on": pause.paused_on,
            "resumed_on": resumed_on,
            "business_days": pause.business_days,
            "due_on": {"from": before, "to": request.due_on},
        },
    )
    return request


@transaction.atomic
def datarequest_estimate_cost(
    *, request: DataRequest, pages: int, per_page: Decimal, by: Any
) -> DataRequest:
    """Fill in the cost of copies: pages times the per-page rate (13.03 subd. 3)."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=request.OPEN_STATUSES, doing="estimated")
    request.copy_pages = pages
    request.cost_per_page = per_page
    request.full_clean(validate_unique=False, validate_constraints=False)
    request.save(update_fields=["copy_pages", "cost_per_page", "updated_at"])
    audit.record_event(
        action="datarequest.cost_estimated",
        target=request,
        actor=by,
        data={"pages": pages, "per_page": per_page, "total": request.cost_estimate},
    )
    return request


@transaction.atomic
def datarequest_pick_records(
    *, request: DataRequest, picks: list[tuple[str, Any]], by: Any
) -> list[PickedRecord]:
    """Pick records (``(source key, record)`` pairs from the search) as answering
    the request, and hold them from the purge under a legal hold named for the
    request (R3). A record picked before is not picked again."""
    from retention.services import legal_hold_place_for_records

    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=[S.RECEIVED, S.IN_PROGRESS], doing="answered")
    have = set(request.picked.values_list("source", "object_id"))
    new = [(key, record) for key, record in picks if (key, int(record.pk)) not in have]
    unknown = {key for key, _ in new} - set(SOURCES)
    if unknown:
        raise DomainError(f"Unknown kind of record: {', '.join(sorted(unknown))}.")
    if not new:
        raise DomainError("Pick at least one record not picked yet.")
    hold = legal_hold_place_for_records(
        by=by,
        title=f"Data request {request.reference}",
        reason=f"Records answering Data Practices request {request.reference} "
        "(R3): kept until the request closes and the schedule's period ends.",
        records=[held_record(SOURCES[key], record) for key, record in new],
    )
    rows = PickedRecord.objects.bulk_create(
        PickedRecord(
            request=request,
            source=key,
            object_id=record.pk,
            label=str(SOURCES[key].title(record))[:300],
            hold=hold,
            picked_by=by,
        )
        for key, record in new
    )
    audit.record_event(
        action="datarequest.records_picked",
        target=request,
        actor=by,
        data={"hold": hold.pk, "records": [[k, r.pk] for k, r in new]},
    )
    return rows


@transaction.atomic
def datarequest_close(*, request: DataRequest, note: str, by: Any) -> DataRequest:
    """Close the request. Its holds stay until the schedule's period for data
    requests has passed (the daily job releases them, R3)."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=[*request.OPEN_STATUSES, S.RELEASED], doing="closed")
    if not note.strip():
        raise DomainError("Say how the request was closed.", field="close_note")
    pause = request.pauses.filter(resumed_on__isnull=True).first()
    if pause is not None:
        _end_pause(pause, on=clock.today(), by=by)
    request.status = S.CLOSED
    request.closed_at = clock.now()
    request.closed_by = by
    request.close_note = note.strip()
    request.save()
    audit.record_event(
        action="datarequest.closed",
        target=request,
        actor=by,
        reason=request.close_note,
    )
    return request


def hold_period_years() -> int | None:
    """The years a closed request's records stay held (the schedule's row for
    data requests, R2/R3); None while the city has not set it."""
    from retention.models import RetentionSchedule, Series

    row = RetentionSchedule.objects.filter(series=Series.DATA_REQUESTS).first()
    return row.years if row else None


def datarequest_holds_release_due(*, now: Any = None) -> int:
    """Release the holds of every request closed longer ago than the schedule's
    period (the daily job). Each request is its own transaction; returns how
    many requests had their holds released."""
    from retention.series import years_before

    years = hold_period_years()
    if years is None:
        return 0
    now = now or clock.now()
    cutoff = years_before(now, years)
    due = DataRequest.objects.filter(
        status=S.CLOSED, holds_released_at__isnull=True, closed_at__lte=cutoff
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due):
        with transaction.atomic():
            request = DataRequest.objects.select_for_update().get(pk=pk)
            if request.holds_released_at is None:
                _release_holds(request, years=years)
                done += 1
    return done


def _release_holds(request: DataRequest, *, years: int) -> None:
    from retention.models import LegalHold
    from retention.services import legal_hold_release_by_schedule

    holds = LegalHold.objects.filter(
        pk__in=request.picked.values_list("hold", flat=True),
        released_at__isnull=True,
    )
    released = []
    for hold in holds:
        legal_hold_release_by_schedule(
            hold=hold,
            reason=f"Data request {request.reference} closed; the schedule keeps its "
            f"records held {years} year{'s' if years != 1 else ''} after closing.",
        )
        released.append(hold.pk)
    request.holds_released_at = clock.now()
    request.save(update_fields=["holds_released_at", "updated_at"])
    audit.record_event(
        action="datarequest.holds_released",
        target=request,
        data={"holds": released, "years": years},
    )


#: Who is consulted on a request: the City Attorney (as for legality challenges).
ADVISE = "datarequests.add_requestconsultation"


@transaction.atomic
def datarequest_record_consultation(
    *,
    request: DataRequest,
    attorney: Any,
    notes: str,
    consulted_on: date | None = None,
    by: Any,
) -> RequestConsultation:
    """Record the City Attorney's privileged notes on a request (as for legality
    challenges, P23)."""
    require(by, ADVISE, doing="record attorney consultations")
    if not holds(attorney, ADVISE):
        raise NotPermitted(
            f"{attorney} does not advise on data requests (the City Attorney does).",
            field="attorney",
        )
    lock(request)
    ensure_status(
        request,
        allowed=[*request.OPEN_STATUSES, S.RELEASED],
        doing="given a consultation",
    )
    consulted_on = consulted_on or clock.today()
    if consulted_on > clock.today():
        raise ValidationError({"consulted_on": "The date is in the future."})
    if consulted_on < request.received_on:
        raise ValidationError(
            {"consulted_on": "The date is before the request was received."}
        )
    consultation = RequestConsultation(
        request=request,
        attorney=attorney,
        notes=(notes or "").strip(),
        consulted_on=consulted_on,
        recorded_by=by,
    )
    consultation.full_clean()
    consultation.save()
    audit.record_event(
        action="datarequest.consulted",
        target=request,
        actor=by,
        data={"consultation": consultation.pk, "attorney": attorney.pk},
    )
    return consultation
