"""The staff dashboard panel: unread messages, the purge, holds, disasters."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors import account_list_managed_by
from core.dashboard import Panel
from core.roles import (
    CITY_ADMINISTRATOR,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
    has_role,
)
from retention import selectors
from retention.models import Message, PurgeRun, Series
from retention.purge import is_paused


def retention_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not has_role(user, SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR, RECORDS_OFFICER):
        return None
    handles_messages = has_role(user, SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR)
    unread = waiting = None
    if handles_messages:
        managed = account_list_managed_by(user=user).values("pk")
        unread = Message.objects.filter(
            account__in=managed, read_at__isnull=True, destroyed_at__isnull=True
        ).count()
        waiting = selectors.message_list_waiting_follow_up(user=user).count()
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
            "paused": is_paused(),
            "interval": interval,
            "next_run": (
                last_run.started_at + timedelta(minutes=interval) if last_run else None
            ),
            "last_run": last_run,
            "last_counts": last_counts,
            "open_holds": selectors.legal_hold_list_open().count(),
            "active_disasters": selectors.disaster_period_list_active().count(),
            "can_holds": has_role(user, RECORDS_OFFICER),
            "can_disasters": has_role(user, RECORDS_OFFICER, CITY_ADMINISTRATOR),
            "can_purge": has_role(user, RECORDS_OFFICER, CITY_ADMINISTRATOR),
        },
        order=40,
        alert=bool(waiting) or failed,
    )
