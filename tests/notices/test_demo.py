"""The demo city gets version 1 of its notice and policy, once (seed_demo)."""

from __future__ import annotations

import pytest

from notices import demo
from notices.models import DocumentVersion, PolicyAcknowledgment

pytestmark = pytest.mark.django_db


def test_demo_publishes_the_first_versions_and_is_idempotent(
    city_profile, city_admin, manager
):
    ctx = {"users": {"clerk": city_admin, "manager": manager}}
    demo.seed(ctx)
    demo.seed(ctx)
    live = DocumentVersion.objects.live()
    assert sorted(live.values_list("kind", "number")) == [("notice", 1), ("policy", 1)]
    assert DocumentVersion.objects.count() == 2
    assert {v.published_by for v in live} == {city_admin}
    # One demo manager has acknowledged the policy; the other is asked (P16-P18).
    (acknowledgment,) = PolicyAcknowledgment.objects.all()
    assert acknowledgment.person == manager
    assert acknowledgment.version == live.get(kind="policy")
