"""An admin list's date drill-down (date_hierarchy) at the ends of the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import Holiday

pytestmark = pytest.mark.django_db

HOLIDAYS = "/admin/core/holiday/"


def test_drilling_down_to_year_9999_shows_the_list(login_as, city_admin):
    # A holiday typed as 9999-12-31 puts 9999 in the drill-down; its year ends
    # in year 10000, which Django's changelist could not compute (a 500).
    Holiday.objects.create(date=date(9999, 12, 31), name="Typo")
    client = login_as(city_admin)
    assert 'href="?date__year=9999"' in client.get(HOLIDAYS).content.decode()
    for query in (
        "date__year=9999",
        "date__year=9999&date__month=12",
        "date__year=9999&date__month=12&date__day=31",
    ):
        response = client.get(f"{HOLIDAYS}?{query}")
        assert response.status_code == 302, query
        assert response["Location"] == f"{HOLIDAYS}?e=1"
        assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "date__year=99999999999999999999",
        "date__year=2026&date__month=99999999999999999999",
        "date__year=2026&date__month=1&date__day=99999999999999999999",
    ],
)
def test_a_drill_down_number_too_large_is_refused_as_django_refuses_others(
    login_as, city_admin, query
):
    response = login_as(city_admin).get(f"{HOLIDAYS}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{HOLIDAYS}?e=1"


def test_a_drill_down_inside_the_calendar_still_filters(login_as, city_admin):
    Holiday.objects.create(date=date(2026, 12, 25), name="Christmas Day")
    Holiday.objects.create(date=date(2027, 1, 1), name="New Year's Day")
    page = (
        login_as(city_admin)
        .get(f"{HOLIDAYS}?date__year=2026&date__month=12")
        .content.decode()
    )
    assert "Christmas Day" in page
    assert "New Year" not in page
