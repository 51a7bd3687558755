"""Mastodon polling: set a connection up, and poll the due ones.

mastodon_connection_set(account=, server_url=, token_name=, by=)
mastodon_poll_due()                     the job: every connection that is due
mastodon_poll(connection_id=)           one connection: mentions, then conversations
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.models import Account
from core import audit, clock
from core.exceptions import DomainError
from core.permissions import require
from platforms.connectors import MalformedEvent
from platforms.connectors.mastodon import (
    PAGE_SIZE,
    STREAMS,
    MastodonClient,
    PollError,
    RateLimited,
    normalise_conversations,
    normalise_notifications,
)
from platforms.models import Connection
from platforms.services.capture import events_apply

logger = logging.getLogger(__name__)

NORMALISE = {
    "notifications": normalise_notifications,
    "conversations": normalise_conversations,
}


@transaction.atomic
def mastodon_connection_set(
    *, account: Account, server_url: str, token_name: str, by: Any
) -> Connection:
    """Poll ``account`` on its Mastodon server with the token held by the
    environment variable (or setting) ``token_name``; the token never enters the
    database. The server must be the account's platform (its host)."""
    require(by, "platforms.change_connection", doing="set up polling of an account")
    server_url = server_url.strip().rstrip("/")
    token_name = token_name.strip()
    parts = urlsplit(server_url)
    if parts.scheme != "https" or not parts.hostname:
        raise DomainError(
            "Enter the server's address starting with https://.", field="server_url"
        )
    if parts.path or parts.query:
        raise DomainError(
            "Enter the server's address only (e.g. https://mastodon.example), "
            "without a path.",
            field="server_url",
        )
    if not account.platform.matches_url(server_url):
        hosts = ", ".join(account.platform.host_list())
        raise DomainError(
            f"{parts.hostname} is not a host of {account.platform.name}, the "
            f"platform of {account.handle} ({hosts}).",
            field="server_url",
        )
    connection = Connection.objects.select_for_update().filter(
        account=account
    ).first() or Connection(account=account)
    before = {
        "kind": connection.kind,
        "server_url": connection.server_url,
        "token_name": connection.token_name,
    }
    if connection.server_url != server_url:
        # Another server: its ids are not the old one's.
        connection.notifications_cursor = connection.conversations_cursor = ""
    connection.kind = Connection.Kind.MASTODON
    connection.server_url = server_url
    connection.token_name = token_name
    connection.failures = 0
    connection.next_poll_at = None
    connection.full_clean()
    connection.save()
    after = {
        "kind": connection.kind,
        "server_url": server_url,
        "token_name": token_name,
    }
    audit.record_event(
        action="platforms.connection.set_up",
        target=connection,
        actor=by,
        data={"account": account.pk, "changes": audit.changes(before, after)},
    )
    return connection


def token_for(name: str) -> str:
    """The token the named setting or environment variable holds ('' if none)."""
    value = getattr(settings, name, None) or os.environ.get(name, "")
    return value if isinstance(value, str) else ""


def backoff(failures: int) -> timedelta:
    """Wait after ``failures`` failed polls in a row: the poll interval, doubled
    each time, up to ``MASTODON_BACKOFF_MAX_SECONDS``."""
    seconds = settings.MASTODON_POLL_INTERVAL_SECONDS * 2 ** max(
        0, min(failures - 1, 30)
    )
    return timedelta(seconds=min(seconds, settings.MASTODON_BACKOFF_MAX_SECONDS))


def _due() -> Q:
    now = clock.now()
    return (
        Q(kind=Connection.Kind.MASTODON)
        & (Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        & (Q(polling_until__isnull=True) | Q(polling_until__lt=now))
    )


def mastodon_poll_due() -> dict[str, int]:
    """Poll every Mastodon connection that is due; return the outcomes counted."""
    outcome: Counter[str] = Counter()
    for connection_id in Connection.objects.filter(_due()).values_list("pk", flat=True):
        outcome[mastodon_poll(connection_id=connection_id)["status"]] += 1
    return dict(outcome)


def _lease_seconds() -> float:
    # Long enough for every request of one poll to time out.
    requests = len(STREAMS) * settings.MASTODON_MAX_PAGES + 1
    return settings.MASTODON_TIMEOUT_SECONDS * requests + 60


def mastodon_poll(*, connection_id: int) -> dict[str, Any]:
    """Read one connection's new mentions and direct conversations, page by page
    from where the last poll stopped. Each page is stored, with the cursor that
    follows it, in one transaction, so a poll cut short resumes at the first
    page not stored. Two polls of one connection never run at once (a lease)."""
    now = clock.now()
    leased = Connection.objects.filter(_due(), pk=connection_id).update(
        polling_until=now + timedelta(seconds=_lease_seconds())
    )
    if not leased:
        return {"status": "skipped"}
    connection = Connection.objects.select_related("account__platform").get(
        pk=connection_id
    )
    counts: Counter[str] = Counter()
    error: PollError | None = None
    pause_until: datetime | None = None
    try:
        pause_until = _poll(connection, counts)
    except PollError as exc:
        error = exc
    except MalformedEvent as exc:
        error = PollError(f"the server sent a status the product cannot read: {exc}")
    except Exception as exc:
        logger.exception("Polling %s failed", connection)
        error = PollError(f"{type(exc).__name__}: {exc}")
    _finish(connection, error, pause_until)
    status = "failed" if error else "polled"
    if error:
        logger.warning("Polling %s: %s", connection, error)
    return {"status": status, **counts}


def _poll(connection: Connection, counts: Counter[str]) -> datetime | None:
    """Poll both streams; return when to resume if the rate limit is nearly spent."""
    token = token_for(connection.token_name)
    if not token:
        raise PollError(
            f"{connection.token_name} is not set on the server: put the account's "
            "access token in that environment variable and restart the worker."
        )
    reserve = settings.MASTODON_RATE_LIMIT_RESERVE
    with MastodonClient(
        server_url=connection.server_url,
        token=token,
        timeout=settings.MASTODON_TIMEOUT_SECONDS,
    ) as client:
        for stream in STREAMS:
            for _ in range(settings.MASTODON_MAX_PAGES):
                cursor = getattr(connection, f"{stream}_cursor")
                page = client.page(stream, cursor)
                events, ignored = NORMALISE[stream](
                    page.items, own_handle=connection.account.handle
                )
                with transaction.atomic():
                    counts.update(
                        events_apply(account=connection.account, events=events)
                    )
                    Connection.objects.filter(pk=connection.pk).update(
                        **{f"{stream}_cursor": page.next_cursor}
                    )
                setattr(connection, f"{stream}_cursor", page.next_cursor)
                counts["ignored"] += ignored
                if page.remaining is not None and page.remaining <= reserve:
                    # The server's limit is nearly spent: resume after its reset.
                    return page.reset_at or clock.now() + backoff(1)
                if len(page.items) < PAGE_SIZE[stream]:
                    break
    return None


def _finish(
    connection: Connection, error: PollError | None, pause_until: datetime | None
) -> None:
    now = clock.now()
    values: dict[str, Any] = {"last_poll_at": now, "polling_until": None}
    if error is None:
        values.update(failures=0, last_success_at=now, next_poll_at=pause_until)
    else:
        failures = connection.failures + 1
        wait = now + backoff(failures)
        if isinstance(error, RateLimited) and error.retry_at is not None:
            # The server says when: never sooner, at most a day.
            wait = min(max(error.retry_at, now), now + timedelta(days=1))
        values.update(
            failures=failures,
            last_error=str(error)[:2000],
            last_error_at=now,
            next_poll_at=wait,
        )
    Connection.objects.filter(pk=connection.pk).update(**values)
