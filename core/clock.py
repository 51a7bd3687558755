"""The one place the product reads the time, so tests can freeze it (time-machine)."""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format


def now() -> datetime:
    """Return the current aware datetime."""
    return timezone.now()


def latest_plausible() -> datetime:
    """Return the latest moment a time given by a person or a platform may be:
    now, plus ``CLOCK_TOLERANCE_MINUTES`` for a clock set a little fast."""
    return now() + timedelta(minutes=settings.CLOCK_TOLERANCE_MINUTES)


def today() -> date:
    """Return today's date in the city's time zone."""
    return timezone.localdate(now())


def moment_text(moment: datetime) -> str:
    """Return ``moment`` in the city's time, as staff read it: "Nov. 27, 2026,
    3:05 p.m."."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def in_database_range(moment: datetime) -> bool:
    """Whether the database can store ``moment``. It stores UTC, so a time late on
    9999-12-31 west of UTC, or early on 0001-01-01 east of it, falls outside."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def day_start(day: date, *, days_later: int = 0) -> datetime | None:
    """Return the first moment of ``day`` (plus ``days_later``) in the city's time
    zone, or None when it lies beyond what the database stores (9999-12-31 has no
    next day). Used as a query bound, None means no bound on that side."""
    try:
        moment = timezone.make_aware(
            datetime.combine(day + timedelta(days=days_later), time.min)
        )
    except OverflowError:
        return None
    return moment if in_database_range(moment) else None
