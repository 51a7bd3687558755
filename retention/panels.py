"""The staff dashboard panel: unread messages, the purge, holds, disasters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from accounts.selectors import account_list_managed_by
from core import clock
from core.dashboard import Panel
from retention import selectors
from retention.models import Message, PurgeRun, Series
from retention.permissions import PERM_HANDLE_MESSAGE
from retention.purge import is_paused

# P19: the open follow-ups listed on the dashboard, soonest due first.
PANEL_FOLLOW_UPS = 5


@dataclass(frozen=True)
class FollowUpSource:
    """Records of an app to the right that wait for a P19 follow-up
    (core.followups), listed in this panel beside the messages: ``waiting(user)``
    returns those the user manages, soonest due first; ``url(record)`` its page."""

    waiting: Callable[[Any], QuerySet]
    url: Callable[[Any], str]


_SOURCES: list[FollowUpSource] = []


def register_follow_ups(source: FollowUpSource) -> None:
    """Called from an app's ``ready()`` (platforms: captured comments)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def registered_follow_ups_waiting(user: Any, *, limit: int) -> list[tuple[Any, str]]:
    """The waiting records of every registered source (no messages), each with
    its page, soonest due first: at most ``limit`` of each source."""
    rows = [(r, s.url(r)) for s in _SOURCES for r in s.waiting(user)[:limit]]
    return sorted(rows, key=_soonest)


def _soonest(item: tuple[Any, str]) -> tuple[bool, date, Any]:
    record = item[0]
    due = record.follow_up_due_on
    return (due is None, due or date.max, record.follow_up_flagged_at)


def retention_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    handles_messages = user.has_perm(PERM_HANDLE_MESSAGE)
    can_holds = user.has_perm("retention.add_legalhold")
    can_disasters = user.has_perm("retention.view_disasterperiod")
    can_purge = user.has_perm("retention.view_purgerun")
    if not (handles_messages or can_holds or can_disasters or can_purge):
        return None
    unread = waiting = None
    follow_ups: list[tuple[Any, str]] = []
    if handles_messages:
        managed = account_list_managed_by(user=user).values("pk")
        unread = Message.objects.filter(
            account__in=managed, read_at__isnull=True, destroyed_at__isnull=True
        ).count()
        waiting_qs = selectors.message_list_waiting_follow_up(user=user)
        waiting = waiting_qs.count()
        follow_ups = [
            (m, reverse("retention:message-detail", args=[m.pk]))
            for m in waiting_qs[:PANEL_FOLLOW_UPS]
        ]
    elsewhere = sum(source.waiting(user).count() for source in _SOURCES)
    if elsewhere:
        waiting = (waiting or 0) + elsewhere
        follow_ups += registered_follow_ups_waiting(user, limit=PANEL_FOLLOW_UPS)
    follow_ups = sorted(follow_ups, key=_soonest)[:PANEL_FOLLOW_UPS]
    last_run = selectors.purge_run_last()
    interval = settings.RETENTION_PURGE_INTERVAL_MINUTES
    labels = dict(Series.choices)
    last_counts = [
        (labels.get(key, key), count)
        for key, count in (last_run.counts if last_run else {}).items()
        if count
    ]
    failed = last_run is not None and last_run.status == PurgeRun.Status.FAILED
    return Panel(
        title="Messages and retention",
        template="retention/panels/retention.html",
        context={
            "unread": unread,
            "waiting": waiting,
            "follow_ups": follow_ups,
            "today": clock.today(),
            "paused": is_paused(),
            "interval": interval,
            "next_run": selectors.purge_next_run_at(),
            "last_run": last_run,
            "last_counts": last_counts,
            "open_holds": selectors.legal_hold_list_open().count(),
            "active_disasters": selectors.disaster_period_list_active().count(),
            "can_holds": can_holds,
            "can_disasters": can_disasters,
            "can_purge": can_purge,
        },
        order=40,
        alert=bool(waiting) or failed,
    )
