"""seed_demo gains a spread of realistic removals, and stays idempotent."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from moderation import demo
from moderation.models import RemovalAmendment, RemovalDecision

pytestmark = pytest.mark.django_db


def test_demo_removals_are_varied_and_idempotent():
    ctx: dict = {"logins": []}
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    decisions = RemovalDecision.objects.all()
    assert decisions.count() == len(demo.REMOVALS)
    numbers = set(decisions.values_list("categories__number", flat=True))
    assert numbers == set(range(1, 9))  # every category appears
    assert RemovalDecision.objects.author_not_told().exists()
    assert RemovalDecision.objects.restored().count() == 1
    assert RemovalAmendment.objects.filter(kind="correction").count() == 1
    # Managers logged only for accounts they manage (P11).
    parks = decisions.filter(removed_by__username="parks")
    assert {d.account.slug for d in parks} == {"parks-facebook"}

    demo.seed(ctx)
    assert RemovalDecision.objects.count() == len(demo.REMOVALS)
    assert RemovalAmendment.objects.filter(kind="restoration").count() == 1
