"""The staff dashboard panel of the moderation app (two counting queries)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse

from core import clock
from core.dashboard import Panel
from core.roles import CITY_ADMINISTRATOR, SOCIAL_MEDIA_MANAGER, has_role
from moderation.selectors import removal_dashboard_counts


def removals_panel(request: HttpRequest) -> Panel | None:
    """Removals logged in the last 7 days and authors not yet told, for managers
    (their accounts) and the City Administrator (all accounts)."""
    user = request.user
    if not has_role(user, SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR):
        return None
    counts = removal_dashboard_counts(user=user)
    since = clock.today() - timedelta(days=counts["window_days"])
    return Panel(
        title="Comment removals",
        template="moderation/panels/removals.html",
        context={
            **counts,
            "all_accounts": has_role(user, CITY_ADMINISTRATOR),
            "not_told_url": reverse("admin:moderation_removaldecision_changelist")
            + f"?told=no&removed_from={since.isoformat()}",
        },
        order=20,
        alert=bool(counts.get("author_not_told")),
    )
