"""The staff dashboard panel of the platforms app: draft removals waiting for the
user, deliveries that need staff, connections that fail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core import clock
from core.dashboard import Panel
from platforms import selectors
from platforms.models import Connection, MetaDelivery
from retention.panels import FollowUpSource

# P19: captured comments waiting for their follow-up, listed by retention's panel
# beside the messages that wait.
COMMENT_FOLLOW_UPS = FollowUpSource(
    waiting=lambda user: selectors.comment_list_waiting_follow_up(user=user),
    url=lambda comment: reverse("platforms:comment", args=[comment.pk]),
)


def platforms_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    handles_drafts = user.has_perm("platforms.change_draftremoval")
    sees_deliveries = user.has_perm("platforms.view_metadelivery")
    if not (handles_drafts or sees_deliveries):
        return None
    drafts = selectors.draft_count_waiting_for(user=user) if handles_drafts else 0
    counts = selectors.delivery_counts() if sees_deliveries else {}
    failing = (
        selectors.account_list_connected(user=user)
        .filter(connection__failures__gt=0)
        .count()
    )
    # Waiting longer than three runs of the job: the job is not running.
    late = (
        sees_deliveries
        and MetaDelivery.objects.filter(
            status=MetaDelivery.Status.RECEIVED,
            next_attempt_at__lt=clock.now()
            - timedelta(seconds=3 * settings.PLATFORMS_PROCESS_INTERVAL_SECONDS + 60),
        ).exists()
    )
    unmatched = counts.get(MetaDelivery.Status.UNMATCHED, 0)
    failed = counts.get(MetaDelivery.Status.FAILED, 0)
    if not (drafts or unmatched or failed or failing or late) and not handles_drafts:
        return None
    return Panel(
        title="Captured from the platforms",
        template="platforms/panels/platforms.html",
        context={
            "drafts": drafts,
            "handles_drafts": handles_drafts,
            "sees_deliveries": sees_deliveries,
            "unmatched": unmatched,
            "failed": failed,
            "failing": failing,
            "late": late,
            "mastodon": Connection.Kind.MASTODON,
        },
        order=25,
        alert=bool(drafts or unmatched or failed or failing or late),
    )
