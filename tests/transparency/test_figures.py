"""Every public figure against the hand-counted year in conftest.py."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import calendar
from tests.transparency.conftest import at
from transparency.figures import (
    QUERIES,
    BusinessDays,
    Period,
    cell,
    figures_for,
    percentile,
    period_for_year,
    period_last_12_months,
    shown,
)

pytestmark = pytest.mark.django_db

FEWER = {"count": None, "fewer_than_3": True}


def exact(n):
    return {"count": n, "fewer_than_3": False}


@pytest.fixture
def f(year_2025):
    return figures_for(period_for_year(2025))


def test_small_count_rule():
    assert cell(0) == exact(0)
    assert cell(1) == FEWER
    assert cell(2) == FEWER
    assert cell(3) == exact(3)
    assert shown(cell(2)) == "fewer than 3"
    assert shown(cell(0)) == "0"
    assert shown(cell(1234)) == "1,234"


def test_period_of_a_year_and_the_last_12_months():
    p = period_for_year(2025)
    assert (p.start, p.end, p.last_day) == (
        date(2025, 1, 1),
        date(2026, 1, 1),
        date(2025, 12, 31),
    )
    assert len(p.months) == 12
    last = period_last_12_months(date(2026, 3, 2))
    assert (last.start, last.end) == (date(2025, 4, 1), date(2026, 3, 3))
    assert [m.month for m in last.months] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]


def test_percentile_is_nearest_rank():
    assert percentile(Counter({1: 3, 2: 1, 4: 1}), 50) == 1
    assert percentile(Counter({1: 3, 2: 1, 4: 1}), 90) == 4
    assert percentile(Counter({5: 1}), 90) == 5
    assert percentile(Counter(), 50) is None


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-07-02", "2025-07-07"),  # across Independence Day and a weekend
        ("2025-11-26", "2025-12-01"),  # across Thanksgiving and the day after
        ("2025-06-02", "2025-07-08"),
        ("2025-03-03", "2025-03-03"),
    ],
)
def test_business_days_agree_with_the_calendar(year_2025, start, end):
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    bd = BusinessDays(date(2025, 1, 1), date(2026, 1, 31))
    assert bd.between(s, e) == calendar.business_days_between(s, e)


def test_removals_by_category_account_and_month(f):
    r = f["removals"]
    # 5 Parks + 2 Police + 4 Library; Dec 31, 2024 at 11:30 p.m. is outside even
    # though it is 2025 in UTC, Dec 31, 2025 at 11:30 p.m. is inside.
    assert r["total"] == 11
    assert r["category_mentions"] == 12  # the removal ticking 7 and 1 twice
    by_cat = {
        c["number"]: {k: c[k] for k in ("count", "fewer_than_3")}
        for c in r["by_category"]
    }
    assert by_cat == {
        1: FEWER,  # 1 (the removal ticking 7 and 1)
        2: FEWER,  # 2
        3: exact(0),
        4: exact(4),
        5: exact(0),
        6: exact(0),
        7: exact(5),
        8: exact(0),
    }
    assert [(a["account"], a["count"], a["fewer_than_3"]) for a in r["by_account"]] == [
        ("Parks and Recreation (Facebook)", 5, False),
        ("Public Library (Facebook)", 4, False),
        ("Police Department (Facebook)", None, True),
    ]
    by_month = {m["month"]: (m["count"], m["fewer_than_3"]) for m in r["by_month"]}
    assert by_month["2025-01"] == (5, False)
    assert by_month["2025-03"] == (None, True)
    assert by_month["2025-11"] == (3, False)
    assert by_month["2025-12"] == (None, True)
    assert by_month["2025-02"] == (0, False)
    assert len(by_month) == 12
    assert (r["restored"], r["restored_after_appeal"]) == (1, 1)


def test_appeals_outcomes_and_times(f):
    a = f["appeals"]
    assert a["filed"] == 7
    assert {o["key"]: (o["count"], o["fewer_than_3"]) for o in a["outcomes"]} == {
        "upheld": (3, False),
        "modified": (None, True),
        "reversed": (None, True),
        "withdrawn": (None, True),
        "open": (None, True),
    }
    # Acknowledged in 2, 1 (Thanksgiving, the day after and a weekend skipped;
    # 11:30 p.m. Chicago time counted on its own day), 4, 1, 1 business days.
    assert a["acknowledge"] == {
        "target_days": 2,
        "done": 5,
        "median_days": 1,
        "p90_days": 4,
        "late_done": 1,  # March 7 against March 5
        "overdue_open": 1,  # received Dec 29, still not acknowledged
        "late": 2,
    }
    # Answered in 9 (July 4 skipped), 15, 9, 4, 4 business days.
    assert a["answer"] == {
        "target_days": 10,
        "done": 5,
        "median_days": 9,
        "p90_days": 15,
        "late_done": 1,  # Dec 19 against Dec 10
        "overdue_open": 1,
        "late": 2,
    }


def test_challenges(f):
    c = f["challenges"]
    assert c["filed"] == 3
    assert (c["acknowledged"], c["answered"], c["answered_consulted"]) == (3, 2, 1)
    assert {o["key"]: (o["count"], o["fewer_than_3"]) for o in c["outcomes"]} == {
        "stands": (None, True),
        "amended": (0, False),
        "withdrawn": (0, False),
        "open": (None, True),
    }
    assert c["acknowledge"] == {
        "target_days": 3,
        "done": 3,
        "median_days": 2,
        "p90_days": 5,
        "late_done": 1,
        "overdue_open": 0,
        "late": 1,
    }
    # June 2 to July 8 is 25 business days (July 4 skipped); Oct 1 to 31 is 22.
    assert c["answer"] == {
        "target_days": 30,
        "done": 2,
        "median_days": 22,
        "p90_days": 25,
        "late_done": 0,
        "overdue_open": 1,
        "late": 1,
    }


def test_records_and_accounts(f):
    rec = f["records"]
    assert rec["destroyed_total"] == 42
    by_series = {
        s["series"]: (s["count"], s["fewer_than_3"]) for s in rec["destroyed_by_series"]
    }
    assert by_series["messages"] == (40, False)
    assert by_series["appeals"] == (None, True)
    assert by_series["removal_decisions"] == (0, False)
    # At the end of 2025: the March hold (the February one was released in June,
    # the January 2026 one came later).
    assert rec["legal_holds_in_force"] == 1
    assert f["accounts"] == {"opened": 2, "suspended": 1, "shut_down": 1}


def test_the_last_12_months_count_holds_in_force_now(year_2025):
    f = figures_for(period_last_12_months())
    assert f["records"]["legal_holds_in_force"] == 2
    assert f["removals"]["total"] == 5  # Nov and Dec 2025 (4), Jan 2026 (1)


def test_the_number_of_queries_does_not_grow_with_the_data(year_2025):
    from tests.transparency.conftest import _removal

    period = period_for_year(2025)
    with CaptureQueriesContext(connection) as before:
        figures_for(period)
    for day in range(1, 28):
        _removal(
            year_2025["parks"], at(f"2025-02-{day:02d}"), (3, 5), year_2025["remover"]
        )
    with CaptureQueriesContext(connection) as after:
        again = figures_for(period)
    assert len(before) == len(after) == QUERIES
    assert again["removals"]["total"] == 11 + 27


def test_an_empty_period_has_zeros_and_no_times(db):
    f = figures_for(Period(start=date(2030, 1, 1), end=date(2031, 1, 1), year=2030))
    assert f["removals"]["total"] == 0
    assert f["appeals"]["acknowledge"]["median_days"] is None
    assert all(c["count"] == 0 for c in f["removals"]["by_category"])


def test_without_a_city_profile_the_targets_are_the_ones_the_due_dates_use():
    from accounts.models import CityProfile

    assert not CityProfile.objects.exists()
    f = figures_for(period_last_12_months())
    # The profile fields' defaults: 3 and 10 business days for appeals (P22), the
    # days the deadlines of a filing are computed with while no profile exists.
    assert f["appeals"]["acknowledge"]["target_days"] == 3
    assert f["appeals"]["answer"]["target_days"] == 10
