"""The demo shows a year of plausible removals, appeals and challenges on the
transparency page."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from appeals.models import Appeal
from moderation.models import RemovalDecision
from transparency import demo
from transparency.figures import figures_for, period_last_12_months

pytestmark = pytest.mark.django_db


def test_a_year_of_removals_through_the_services_and_only_once():
    ctx: dict = {"logins": []}
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    mine = RemovalDecision.objects.filter(comment_id__startswith=demo.MARK)
    assert mine.count() == demo.COUNT
    # Logged by the accounts' own managers (P11), as the service requires.
    assert set(mine.values_list("removed_by__username", flat=True)) <= {
        "manager",
        "parks",
    }
    f = figures_for(period_last_12_months())
    assert f["removals"]["total"] == demo.COUNT
    months_with_removals = [m for m in f["removals"]["by_month"] if m["count"] != 0]
    assert len(months_with_removals) >= 10
    spam = next(c for c in f["removals"]["by_category"] if c["number"] == 7)
    assert spam["count"] > demo.COUNT // 2
    # Four on second thought, and each reversed appeal's comment put back (P22).
    reversed_appeals = Appeal.objects.filter(outcome="reversed")
    assert reversed_appeals.exists()
    assert f["removals"]["restored_after_appeal"] == reversed_appeals.count()
    assert f["removals"]["restored"] == 4 + reversed_appeals.count()
    assert len(f["removals"]["by_account"]) == 4

    # Appeals over the year, with times to acknowledge and answer (P22, P23).
    appeals = f["appeals"]
    assert appeals["filed"] >= 20
    assert appeals["acknowledge"]["done"] == appeals["filed"]
    assert 0 <= appeals["acknowledge"]["median_days"] <= 2
    assert 4 <= appeals["answer"]["median_days"] <= 10
    assert 0 < appeals["answer"]["late"] < appeals["filed"] // 3
    outcomes = {o["key"]: o for o in appeals["outcomes"]}
    assert outcomes["upheld"]["count"] > outcomes["reversed"]["count"] > 0
    assert f["challenges"]["filed"] == 3
    assert f["challenges"]["answer"]["done"] == 3
    filed_by_month = {
        a.received_on.month for a in Appeal.objects.exclude(status="received")
    }
    assert len(filed_by_month) >= 8

    demo.seed(ctx)
    assert mine.count() == demo.COUNT
    assert Appeal.objects.count() == appeals["filed"]
