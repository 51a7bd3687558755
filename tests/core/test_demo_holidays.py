from datetime import date

import pytest

from core.demo import city_holidays, seed
from core.models import Holiday


def test_holidays_fall_on_the_right_days_in_2026_and_2027():
    days_2026 = {name: day for day, name in city_holidays(2026)}
    assert days_2026["Martin Luther King Jr. Day"] == date(2026, 1, 19)
    assert days_2026["Memorial Day"] == date(2026, 5, 25)
    assert days_2026["Independence Day"] == date(
        2026, 7, 3
    )  # Saturday, observed Friday
    assert days_2026["Thanksgiving Day"] == date(2026, 11, 26)
    assert days_2026["Day after Thanksgiving"] == date(2026, 11, 27)
    days_2027 = {name: day for day, name in city_holidays(2027)}
    assert days_2027["Independence Day"] == date(2027, 7, 5)  # Sunday, observed Monday
    assert days_2027["Christmas Day"] == date(2027, 12, 24)
    assert days_2027["Memorial Day"] == date(2027, 5, 31)
    assert all(
        day.weekday() < 5 for day, _ in city_holidays(2026) + city_holidays(2027)
    )


@pytest.mark.django_db
def test_seed_is_idempotent(time_machine):
    time_machine.move_to("2026-11-27 12:00:00+00:00")
    seed({})
    seed({})
    assert Holiday.objects.count() == 22
    assert Holiday.objects.filter(date=date(2026, 11, 27)).exists()
