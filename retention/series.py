"""The record series the retention schedule covers (R2) and how each is destroyed.

Each :class:`SeriesSpec` says which model holds the series (looked up lazily with
``apps.get_model``: a model that does not exist yet means "no records yet"), which
date marks a record closed, which fields a legal hold's scope is matched against,
what keeps a record automatically (an open appeal holds its removal decision), and
how a batch is destroyed: rows deleted, or personal fields cleared and the row kept
as a tombstone. The purge (``retention.purge``) walks this registry in order.

Adding a series: add a ``Series`` choice, a schedule row (data migration) and a
spec here. An app that comes after retention (it may not be imported here)
registers its spec with :func:`register` from its ``AppConfig.ready()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.services import account_request_destroy
from appeals.models import DESTROYED
from appeals.selectors import removal_ids_under_open_appeal
from appeals.services import appeal_redact, challenge_redact
from core import clock, followups
from core.audit import audit_event_redact
from moderation.services import removal_redact
from retention.models import (
    DisasterPeriod,
    LegalHold,
    Message,
    RetentionSchedule,
    Series,
)

logger = logging.getLogger(__name__)

# Destroy a batch of ids; returns how many records were destroyed.
Destroyer = Callable[[list[int], str], int]


class SeriesUnavailable(Exception):
    """The series' model or a field it relies on does not exist (yet)."""


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    model_label: str
    # The date the retention period counts from (None while the record is open):
    # a field name, or a function returning an expression over several fields.
    closed: str | Callable[[], Any]
    # Field paths a legal hold's scope is matched against; None where the series
    # has no such field (a hold that sets that dimension then holds it all, R3).
    account_path: str | None = None
    date_path: str | None = None
    person_paths: tuple[str, ...] = ()
    # Records not yet destroyed (e.g. not yet redacted); applied before anything.
    alive: Callable[[], Q] = field(default=lambda: Q())
    # The records kept automatically, as a filter (R3: an open appeal holds its
    # removal decision; P19: a comment waits for its follow-up).
    auto_held: Callable[[], Q] | None = None
    destroy: Destroyer | None = None
    # "delete" or "redact": shown in the schedule and README.
    method: str = "redact"
    # Whether destroyed ids are written to DestroyedItem (messages keep their
    # own tombstones, so they are not).
    ledger: bool = True

    @property
    def label(self) -> str:
        return Series(self.key).label

    def model(self) -> type[models.Model]:
        try:
            return apps.get_model(self.model_label)
        except LookupError as exc:
            raise SeriesUnavailable(f"{self.model_label} does not exist yet") from exc

    def closed_expression(self) -> Any:
        return self.closed() if callable(self.closed) else models.F(self.closed)

    def candidates(self, schedule: RetentionSchedule, now: datetime) -> QuerySet:
        """Return the records past their retention period, before holds."""
        model = self.model()
        qs = model._default_manager.all().filter(self.alive())
        if self.key in (Series.MESSAGES, Series.DISASTER_MESSAGES):
            return _message_candidates(self.key, schedule, now, qs)
        if schedule.years is None:
            return qs.none()
        return qs.annotate(_closed_at=self.closed_expression()).filter(
            _closed_at__isnull=False, _closed_at__lt=years_before(now, schedule.years)
        )

    def exclude_held(self, qs: QuerySet, holds: Iterable[LegalHold]) -> QuerySet | None:
        """Return ``qs`` without what the open holds cover; None when a hold covers
        the whole series."""
        covering = Q()
        for hold in holds:
            if not hold.covers_series(self.key):
                continue
            q = hold_q(hold, self)
            if not q:
                return None
            covering |= q
        if covering:
            qs = qs.exclude(covering)
        if self.auto_held is not None:
            qs = qs.exclude(self.auto_held())
        return qs

    def record_date(self, obj_date: Any) -> date | None:
        if isinstance(obj_date, datetime):
            return timezone.localdate(obj_date)
        return obj_date


def years_before(moment: datetime, years: int) -> datetime:
    """Return ``moment`` minus whole calendar years (29 February -> 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def hold_q(hold: LegalHold, spec: SeriesSpec) -> Q:
    """Return what ``hold`` covers in ``spec``'s series (an empty Q: all of it).

    A dimension the series cannot be matched on is treated as matching: a legal
    hold errs on the side of keeping (R3). A hold placed on picked records
    (:class:`~retention.models.HeldRecord`) covers exactly those
    records of this series' model, and nothing else of it.
    """
    records = list(hold.records.all())
    if records:
        label = spec.model_label.lower()
        ids = [
            r.object_id
            for r in records
            if r.series in BY_KEY and BY_KEY[r.series].model_label.lower() == label
        ]
        return Q(pk__in=ids)
    q = Q()
    account_ids = [a.pk for a in hold.accounts.all()]
    if account_ids and spec.account_path:
        q &= Q(**{f"{spec.account_path}__in": account_ids})
    if (hold.date_from or hold.date_to) and spec.date_path:
        is_datetime = isinstance(
            spec.model()._meta.get_field(spec.date_path), models.DateTimeField
        )
        # A bound at the end of the calendar (e.g. "to 9999-12-31", until further
        # notice) has no day after it, nor a UTC moment: it leaves that side of
        # the range open, so the hold keeps more, never less (R3).
        if hold.date_from:
            start = clock.day_start(hold.date_from) if is_datetime else hold.date_from
            if start is not None:
                q &= Q(**{f"{spec.date_path}__gte": start})
        if hold.date_to and hold.date_to < date.max:
            end = (
                clock.day_start(hold.date_to, days_later=1)
                if is_datetime
                else hold.date_to + timedelta(days=1)
            )
            if end is not None:
                q &= Q(**{f"{spec.date_path}__lt": end})
    if hold.sender_handle and spec.person_paths:
        person = Q()
        for path in spec.person_paths:
            person |= Q(**{f"{path}__iexact": hold.sender_handle.strip()})
        q &= person
    return q


def disaster_q(periods: Iterable[DisasterPeriod]) -> Q:
    """Return the messages received on the periods' accounts during them (R5)."""
    q = Q()
    for period in periods:
        account_ids = [a.pk for a in period.accounts.all()]
        if not account_ids:
            continue
        part = Q(account_id__in=account_ids, received_at__gte=period.starts_at)
        if period.ends_at is not None:
            part &= Q(received_at__lt=period.ends_at)
        q |= part
    return q


def _message_candidates(
    key: str, schedule: RetentionSchedule, now: datetime, qs: QuerySet
) -> QuerySet:
    # P19: a flagged business request waits for its follow-up to be recorded.
    qs = qs.exclude(followups.waiting_q())
    in_disaster = disaster_q(DisasterPeriod.objects.prefetch_related("accounts"))
    if key == Series.MESSAGES:
        # R1/P25: read messages go; R5: disaster-period messages stay.
        qs = qs.filter(read_at__isnull=False)
        return qs.exclude(in_disaster) if in_disaster else qs
    # R5: business records, kept N years after they were received.
    if not in_disaster or schedule.years is None:
        return qs.none()
    return qs.filter(in_disaster, received_at__lt=years_before(now, schedule.years))


# --- Destroyers -------------------------------------------------------------------


def destroy_messages(ids: list[int], *, run_id: int, now: datetime) -> int:
    """Clear the content and personal fields of these messages, the follow-up
    note included (their tombstone keeps id, account, platform id, dates, the
    process reference and the run). The caller redacts their audit events in the
    same transaction."""
    return Message.objects.filter(pk__in=ids, destroyed_at__isnull=True).update(
        body="",
        sender_handle="",
        follow_up_note="",
        destroyed_at=now,
        destroyed_by_run_id=run_id,
    )


def _destroy_removals(ids: list[int], run_label: str) -> int:
    return removal_redact(decisions=ids, run_label=run_label)


def _destroy_account_requests(ids: list[int], run_label: str) -> int:
    return account_request_destroy(ids=ids, run_label=run_label)


def _destroy_audit_personal(ids: list[int], run_label: str) -> int:
    return audit_event_redact(ids=ids, run_label=run_label)


def _destroy_appeals(ids: list[int], run_label: str) -> int:
    return appeal_redact(ids=ids, run_label=run_label)


def _destroy_challenges(ids: list[int], run_label: str) -> int:
    return challenge_redact(ids=ids, run_label=run_label)


def _removals_under_open_appeal() -> Q:
    return Q(pk__in=removal_ids_under_open_appeal())


def _filing_closed() -> Any:
    return Coalesce("answered_at", "withdrawn_at")


def _request_closed() -> Any:
    return Coalesce("decided_at", "withdrawn_at")


REGISTRY: list[SeriesSpec] = [
    SeriesSpec(
        key=Series.MESSAGES,
        model_label="retention.Message",
        closed="read_at",
        account_path="account",
        date_path="received_at",
        person_paths=("sender_handle",),
        alive=lambda: Q(destroyed_at__isnull=True),
        method="redact",
        ledger=False,
    ),
    SeriesSpec(
        key=Series.DISASTER_MESSAGES,
        model_label="retention.Message",
        closed="received_at",
        account_path="account",
        date_path="received_at",
        person_paths=("sender_handle",),
        alive=lambda: Q(destroyed_at__isnull=True),
        method="redact",
    ),
    SeriesSpec(
        key=Series.ACCOUNT_REQUESTS,
        model_label="accounts.AccountRequest",
        closed=_request_closed,
        date_path="created_at",
        # The account itself stays on the registry; the request is deleted.
        destroy=_destroy_account_requests,
        method="delete",
    ),
    SeriesSpec(
        key=Series.REMOVAL_DECISIONS,
        model_label="moderation.RemovalDecision",
        closed="removed_at",
        account_path="account",
        date_path="removed_at",
        person_paths=("author_handle", "author_name"),
        alive=lambda: Q(redacted_at__isnull=True),
        auto_held=_removals_under_open_appeal,
        destroy=_destroy_removals,
        method="redact",
    ),
    SeriesSpec(
        key=Series.APPEALS,
        model_label="appeals.Appeal",
        closed=_filing_closed,
        account_path="account",
        date_path="received_on",
        person_paths=("name", "email"),
        alive=lambda: ~Q(name=DESTROYED),
        destroy=_destroy_appeals,
        method="redact",
    ),
    SeriesSpec(
        key=Series.LEGALITY_CHALLENGES,
        model_label="appeals.LegalityChallenge",
        closed=_filing_closed,
        date_path="received_on",
        person_paths=("name", "email"),
        alive=lambda: ~Q(name=DESTROYED),
        destroy=_destroy_challenges,
        method="redact",
    ),
    SeriesSpec(
        key=Series.AUDIT_EVENTS,
        model_label="core.AuditEvent",
        closed="occurred_at",
        date_path="occurred_at",
        alive=lambda: Q(personal__isnull=False),
        destroy=_destroy_audit_personal,
        method="redact",
    ),
]

BY_KEY = {spec.key: spec for spec in REGISTRY}


def register(spec: SeriesSpec) -> SeriesSpec:
    """Add the series of an app that comes after retention (its ``AppConfig.ready()``
    calls this): the purge and its preview walk it like the others. Its key must
    be a ``Series`` choice with a schedule row. Registering it again replaces it."""
    if spec.key not in Series.values:
        raise ValueError(f"{spec.key!r} is not a record series (retention.Series).")
    if spec.key in BY_KEY:
        REGISTRY[REGISTRY.index(BY_KEY[spec.key])] = spec
    else:
        REGISTRY.append(spec)
    BY_KEY[spec.key] = spec
    return spec
