"""The public forms' limits per client address (P22, P23, P24).

Two limits, of two kinds:

- **Filings.** A resident files at most ``APPEALS_SUBMIT_RATE`` appeals and
  challenges (``"10/h"``: ten an hour) from one address, and as many Data
  Practices requests. The count is the filings themselves, which the database
  answers exactly (each filing's audit event records the address it came from):
  a form sent back with errors, or refused for any other reason, is no filing
  and never counts, and the limit needs no cache.
- **Flood guard.** Every POST to a public form, filed or not, counts toward
  ``APPEALS_POST_RATE``, in the cache (django-ratelimit): a cheap brake on a
  client that posts over and over. It, like the status page's
  ``APPEALS_STATUS_RATE``, fails open: with the cache down nobody is refused,
  and a warning is logged.

Addresses are read by ``core.net.client_ip`` (``TRUSTED_PROXY_COUNT``). The
public forms use both limits through ``core.public_forms``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from core import clock
from core.models import AuditEvent
from core.net import client_ip

logger = logging.getLogger(__name__)

_RATE = re.compile(r"([0-9]+)/([0-9]*)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, timedelta]:
    """Return the count and the window of a rate such as ``"10/h"`` or
    ``"5/10m"`` (django-ratelimit's notation)."""
    match = _RATE.fullmatch(rate.strip())
    if not match:
        raise ValueError(f"{rate!r} is not a rate such as 10/h or 5/10m.")
    count, multiple, unit = match.groups()
    return int(count), timedelta(seconds=int(multiple or 1) * _UNIT_SECONDS[unit])


def client_key(group: str, request: HttpRequest) -> str:
    """The cache limits' key: the client address, honouring trusted proxies."""
    return client_ip(request) or "unknown"


def over_cache_limit(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Count this request toward ``rate`` in the cache; return whether it is over.

    With the cache down the request is let through (a warning is logged): a
    resident's filing never waits on the cache.
    """
    try:
        return is_ratelimited(
            request,
            group=group,
            key=client_key,
            rate=rate,
            method=request.method,
            increment=True,
        )
    except Exception:
        # Redis down or unreachable (django-redis raises its own errors, other
        # backends theirs): fail open, loudly.
        logger.warning(
            "rate limit %s not checked: the cache is unavailable",
            group,
            exc_info=True,
        )
        return False


@dataclass(frozen=True)
class FilingLimit:
    """The filings limit, reached: how many, over what window, and from when
    the address may file again."""

    count: int
    window: timedelta
    retry_at: datetime

    @property
    def window_text(self) -> str:
        """The window in words: "hour", "10 minutes", "day"."""
        seconds = int(self.window.total_seconds())
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds % size == 0:
                n = seconds // size
                return unit if n == 1 else f"{n} {unit}s"
        return f"{seconds} seconds"

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil((self.retry_at - clock.now()).total_seconds()))


def filing_limit_reached(
    request: HttpRequest, *, rate: str, actions: Iterable[str]
) -> FilingLimit | None:
    """Return the limit when the client's address has filed ``rate``'s count of
    filings (the public form's received events, ``actions``) within its window,
    or None while it may file."""
    count, window = parse_rate(rate)
    latest = _nth_latest_filing(
        ip=client_ip(request), since=clock.now() - window, nth=count, actions=actions
    )
    if latest is None:
        return None
    # Once that filing leaves the window, fewer than ``count`` remain in it.
    return FilingLimit(count=count, window=window, retry_at=latest + window)


def _nth_latest_filing(
    *, ip: str | None, since: datetime, nth: int, actions: Iterable[str]
) -> datetime | None:
    """Return when the ``nth`` latest filing from ``ip`` (None: from no known
    address) since ``since`` was received, or None when fewer were. One query,
    one row.

    Read from the audit trail, where each filing's received event records the
    address it came from; filings staff enter from letters are not counted, and
    failed attempts leave no event, so they never count.
    """
    return (
        AuditEvent.objects.filter(
            action__in=list(actions),
            actor__isnull=True,
            ip_address=ip,
            occurred_at__gte=since,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)[nth - 1 : nth]
        .first()
    )
