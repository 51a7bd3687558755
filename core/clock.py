"""The one place the product reads the time, so tests can freeze it (time-machine)."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format


def now() -> datetime:
    """Return the current aware datetime."""
    return timezone.now()


def today() -> date:
    """Return today's date in the city's time zone."""
    return timezone.localdate(now())


def moment_text(moment: datetime) -> str:
    """Return ``moment`` in the city's time, as staff read it: "Nov. 27, 2026,
    3:05 p.m."."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
