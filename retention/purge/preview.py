"""What the next purge run would destroy, series by series (R1-R5, P25)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max, Min, Model, QuerySet

from core import clock
from retention.models import (
    LegalHold,
    RetentionSchedule,
    Series,
)
from retention.series import (
    BY_KEY,
    REGISTRY,
    SeriesSpec,
    SeriesUnavailable,
)

logger = logging.getLogger(__name__)


def open_holds() -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(released_at__isnull=True).prefetch_related(
            "accounts", "records"
        )
    )


def _schedules() -> dict[str, RetentionSchedule]:
    return {s.series: s for s in RetentionSchedule.objects.all()}


def _date_field(spec: SeriesSpec) -> str:
    return spec.date_path or (spec.closed if isinstance(spec.closed, str) else "pk")


@dataclass
class SeriesPreview:
    key: str
    label: str
    rule: str
    schedule_item: str
    enabled: bool
    due: int = 0
    held: int = 0
    first_date: date | None = None
    last_date: date | None = None
    note: str = ""

    @property
    def would_destroy(self) -> int:
        return self.due if self.enabled and not self.note else 0


def purge_preview(*, now: datetime | None = None) -> list[SeriesPreview]:
    """Return, per series, what the next run would destroy, without destroying."""
    now = now or clock.now()
    schedules = _schedules()
    holds = open_holds()
    previews = []
    for spec in REGISTRY:
        schedule = schedules.get(spec.key)
        if schedule is None:
            previews.append(
                SeriesPreview(
                    spec.key, spec.label, "", "", False, note="no schedule row"
                )
            )
            continue
        preview = SeriesPreview(
            key=spec.key,
            label=spec.label,
            rule=schedule.rule_text,
            schedule_item=schedule.schedule_item,
            enabled=schedule.destruction_enabled,
        )
        previews.append(preview)
        try:
            due = spec.candidates(schedule, now)
            kept = spec.exclude_held(due, holds)
            if kept is None:
                preview.held = due.count()
                preview.note = "every record is under a legal hold"
                continue
            date_field = _date_field(spec)
            summary = kept.aggregate(first=Min(date_field), last=Max(date_field))
            preview.due = kept.count()
            preview.held = due.count() - preview.due
            preview.first_date = spec.record_date(summary["first"])
            preview.last_date = spec.record_date(summary["last"])
            if spec.destroy is None and spec.key not in (
                Series.MESSAGES,
                Series.DISASTER_MESSAGES,
            ):
                preview.note = "no destruction method for this series yet"
        except SeriesUnavailable as exc:
            preview.note = f"no records yet ({exc})"
        except Exception as exc:
            logger.exception("Preview of series %s failed", spec.key)
            preview.note = f"cannot be checked: {type(exc).__name__}: {exc}"
        if not schedule.destruction_enabled and not preview.note:
            preview.note = "destruction is off for this series"
    return previews


@dataclass
class DueRecord:
    """One record the next run would destroy, as the dry run lists it (R4): never
    its content, only what identifies it."""

    series: str
    pk: int
    reference: str
    account: str
    day: date | None


def purge_due_records(
    series: str, *, now: datetime | None = None
) -> QuerySet[Model] | None:
    """Return the records of ``series`` the next run would destroy, oldest id
    first (the order a run takes them), or None when it would destroy none of
    them (destruction off, every record held, no method, no model yet)."""
    spec = BY_KEY.get(series)
    schedule = _schedules().get(series)
    if spec is None or schedule is None or not schedule.destruction_enabled:
        return None
    if spec.destroy is None and spec.model_label != "retention.Message":
        return None
    try:
        kept = spec.exclude_held(
            spec.candidates(schedule, now or clock.now()), open_holds()
        )
    except SeriesUnavailable:
        return None
    if kept is None:
        return None
    if spec.account_path:
        kept = kept.select_related(spec.account_path)
    return kept.order_by("pk")


def due_record(spec_key: str, obj: Model) -> DueRecord:
    """Describe one record of :func:`purge_due_records` for the dry run."""
    spec = BY_KEY[spec_key]
    account = getattr(obj, spec.account_path, None) if spec.account_path else None
    return DueRecord(
        series=spec_key,
        pk=obj.pk,
        reference=str(obj),
        account=str(account) if account is not None else "",
        day=spec.record_date(getattr(obj, _date_field(spec), None)),
    )
