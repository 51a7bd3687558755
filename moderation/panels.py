"""The staff dashboard panels of the moderation app: removals logged and authors
not told (two counting queries), and comments to restore after a reversal (P22)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse

from core import clock
from core.dashboard import Panel
from moderation.selectors import removal_dashboard_counts, restoration_list_open_for

RESTORATIONS_PANEL_LIMIT = 20


def removals_panel(request: HttpRequest) -> Panel | None:
    """Removals logged in the last 7 days and authors not yet told, for those who
    log removals (``moderation.add_removaldecision``), on the accounts they act
    for (every account for the City Administrator)."""
    user = request.user
    if not user.has_perm("moderation.add_removaldecision"):
        return None
    counts = removal_dashboard_counts(user=user)
    since = clock.today() - timedelta(days=counts["window_days"])
    return Panel(
        title="Comment removals",
        template="moderation/panels/removals.html",
        context={
            **counts,
            "all_accounts": user.has_perm("accounts.manage_every_account"),
            "not_told_url": reverse("admin:moderation_removaldecision_changelist")
            + f"?told=no&removed_from={since.isoformat()}",
        },
        order=20,
        alert=bool(counts.get("author_not_told")),
    )


def restorations_panel(request: HttpRequest) -> Panel | None:
    """Comments to restore on the platform after a reversed appeal (P22), for the
    account's managers and the City Administrator, until each is confirmed done;
    a task on an account nobody manages is flagged "no manager"."""
    tasks = restoration_list_open_for(user=request.user)
    shown = list(tasks[: RESTORATIONS_PANEL_LIMIT + 1])
    if not shown:
        return None
    count = tasks.count() if len(shown) > RESTORATIONS_PANEL_LIMIT else len(shown)
    return Panel(
        title=f"Comments to restore ({count})",
        template="moderation/panels/restorations.html",
        context={
            "tasks": shown[:RESTORATIONS_PANEL_LIMIT],
            "count": count,
            "more": len(shown) > RESTORATIONS_PANEL_LIMIT,
        },
        order=15,
        alert=True,
    )
