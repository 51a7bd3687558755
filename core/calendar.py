"""The city's business-day calendar: deadlines skip weekends and city holidays.

Target days for acknowledging and answering appeals and legality challenges (P22,
P23) are counted in business days: Monday to Friday, except the dates listed as
``core.models.Holiday`` rows (edited by the City Administrator in the admin).

    add_business_days(date(2026, 11, 25), 3)        -> the third business day after
    business_days_between(today, due_on)            -> business days left (negative
                                                       when the date has passed)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

SATURDAY = 5  # date.weekday(): Monday is 0

# Enough to cover any target a city sets (a year of business days and more).
_MAX_SPAN_DAYS = 3 * 366


def holidays_between(start: date, end: date) -> frozenset[date]:
    """Return the city holidays from ``start`` to ``end`` inclusive (one query)."""
    from core.models import Holiday

    low, high = min(start, end), max(start, end)
    return frozenset(
        Holiday.objects.filter(date__gte=low, date__lte=high).values_list(
            "date", flat=True
        )
    )


def is_business_day(day: date, holidays: Iterable[date] = ()) -> bool:
    """Return True when ``day`` is a weekday and not one of ``holidays``."""
    return day.weekday() < SATURDAY and day not in set(holidays)


def add_business_days(
    start: date, n: int, *, holidays: Iterable[date] | None = None
) -> date:
    """Return the ``n``-th business day after ``start`` (``start`` itself not counted).

    With ``n == 0`` return ``start`` when it is a business day, else the next
    business day (something received on a Saturday is due no earlier than Monday).
    Negative ``n`` counts backwards. ``holidays`` defaults to the Holiday rows.
    """
    if abs(n) > _MAX_SPAN_DAYS:
        raise ValueError(f"{n} business days is beyond the calendar's range.")
    step = 1 if n >= 0 else -1
    if holidays is None:
        # Each 5 business days span at most 7 calendar days; holidays add a few.
        span = timedelta(days=(abs(n) // 5 + 1) * 7 + 30)
        off = holidays_between(start, start + step * span)
    else:
        off = frozenset(holidays)
    day = start
    if n == 0:
        while not is_business_day(day, off):
            day += timedelta(days=1)
        return day
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day, off):
            remaining -= 1
    return day


def business_days_between(
    start: date, end: date, *, holidays: Iterable[date] | None = None
) -> int:
    """Return the business days after ``start`` up to and including ``end``.

    The inverse of :func:`add_business_days` for business days: when ``end`` is
    ``add_business_days(start, k)`` the result is ``k``. When ``end`` is before
    ``start`` the result is negative (minus the business days from ``end``, exclusive,
    up to ``start``, inclusive), so "days left" is below zero once a date has passed.
    """
    if end == start:
        return 0
    if end < start:
        return -business_days_between(end, start, holidays=holidays)
    if (end - start).days > _MAX_SPAN_DAYS:
        raise ValueError("The span is beyond the calendar's range.")
    off = holidays_between(start, end) if holidays is None else frozenset(holidays)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, off):
            count += 1
    return count
