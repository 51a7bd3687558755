"""The demo shows a year of plausible removals on the transparency page."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
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
    assert f["removals"]["restored"] == 4
    assert len(f["removals"]["by_account"]) == 4

    demo.seed(ctx)
    assert mine.count() == demo.COUNT
