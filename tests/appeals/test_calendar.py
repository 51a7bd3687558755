"""The business-day calendar (core.calendar): weekends and city holidays skipped."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import add_business_days, business_days_between, is_business_day
from core.models import Holiday

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 20)
SATURDAY = FRIDAY + timedelta(days=1)
MONDAY = FRIDAY + timedelta(days=3)
THANKSGIVING = date(2026, 11, 26)  # a Thursday


def test_friday_plus_one_business_day_is_monday():
    assert add_business_days(FRIDAY, 1) == MONDAY
    assert add_business_days(FRIDAY - timedelta(days=1), 1) == FRIDAY


def test_zero_days_from_a_weekend_is_the_next_business_day():
    assert add_business_days(SATURDAY, 0) == MONDAY
    assert add_business_days(FRIDAY, 0) == FRIDAY


def test_a_city_holiday_is_skipped_on_both_sides_of_it():
    wednesday = THANKSGIVING - timedelta(days=1)
    assert add_business_days(wednesday, 1) == THANKSGIVING
    Holiday.objects.create(date=THANKSGIVING, name="Thanksgiving")
    Holiday.objects.create(date=THANKSGIVING + timedelta(days=1), name="Day after")
    # Wed + 1 jumps Thursday, Friday and the weekend.
    assert add_business_days(wednesday, 1) == date(2026, 11, 30)
    # The day before the holiday still counts.
    assert add_business_days(wednesday - timedelta(days=1), 1) == wednesday
    assert not is_business_day(THANKSGIVING, {THANKSGIVING})
    assert business_days_between(wednesday, date(2026, 11, 30)) == 1


def test_ten_business_days_span_two_weeks():
    assert add_business_days(MONDAY, 10) == MONDAY + timedelta(days=14)


def test_between_counts_days_left_and_goes_negative_once_passed():
    assert business_days_between(FRIDAY, MONDAY) == 1
    assert business_days_between(FRIDAY, FRIDAY) == 0
    assert business_days_between(MONDAY, FRIDAY) == -1
    assert business_days_between(FRIDAY, SATURDAY) == 0


def test_negative_counts_go_backwards():
    assert add_business_days(MONDAY, -1) == FRIDAY


def test_explicit_holiday_list_needs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert add_business_days(FRIDAY, 1, holidays={MONDAY}) == MONDAY + timedelta(
            days=1
        )


def test_absurd_spans_are_refused():
    with pytest.raises(ValueError):
        add_business_days(FRIDAY, 100_000)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_between_is_the_inverse_of_add(start, n):
    holidays = {date(2026, 7, 3), date(2026, 12, 25), date(2027, 1, 1)}
    end = add_business_days(start, n, holidays=holidays)
    assert is_business_day(end, holidays)
    assert business_days_between(start, end, holidays=holidays) == n
