"""The one place the product reads the time, so tests can freeze it (time-machine)."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current aware datetime."""
    return timezone.now()


def today() -> date:
    """Return today's date in the city's time zone."""
    return timezone.localdate(now())
