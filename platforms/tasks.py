"""The platforms' periodic jobs (Celery beat): thin callers of the services."""

from __future__ import annotations

from celery import shared_task

from platforms import services


@shared_task(name="platforms.meta_process")
def meta_process_task() -> dict[str, int]:
    """Process the Meta deliveries that are due (every
    ``PLATFORMS_PROCESS_INTERVAL_SECONDS``); safe to run twice at once."""
    return services.meta_deliveries_process()


@shared_task(name="platforms.mastodon_poll")
def mastodon_poll_task() -> dict[str, int]:
    """Poll the Mastodon connections that are due (every
    ``MASTODON_POLL_INTERVAL_SECONDS``); safe to run twice at once."""
    return services.mastodon_poll_due()
