"""Demo data for core: the city's holidays, so business-day deadlines skip them."""

from datetime import date, timedelta
from typing import Any

from core import clock
from core.models import Holiday


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """Return the n-th ``weekday`` (0 = Monday) of the month; n = -1 for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A holiday on Saturday is observed on Friday, on Sunday on Monday."""
    return day + {5: timedelta(days=-1), 6: timedelta(days=1)}.get(
        day.weekday(), timedelta()
    )


def city_holidays(year: int) -> list[tuple[date, str]]:
    """Return the usual Minnesota city office closures for ``year``."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return [
        (_observed(date(year, 1, 1)), "New Year's Day"),
        (_nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, 0, 3), "Presidents' Day"),
        (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (_observed(date(year, 6, 19)), "Juneteenth"),
        (_observed(date(year, 7, 4)), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (_observed(date(year, 11, 11)), "Veterans Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
        (_observed(date(year, 12, 25)), "Christmas Day"),
    ]


def seed(ctx: dict[str, Any]) -> None:
    year = clock.today().year
    for day, name in city_holidays(year) + city_holidays(year + 1):
        Holiday.objects.get_or_create(date=day, defaults={"name": name})
