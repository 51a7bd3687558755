"""seed_demo gains messages, a hold, a disaster period and a past purge run."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from retention import demo
from retention.models import (
    DestructionRecord,
    DisasterPeriod,
    LegalHold,
    Message,
    PurgeRun,
)

pytestmark = pytest.mark.django_db


def test_demo_is_varied_and_idempotent():
    ctx: dict = {"logins": []}
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    assert Message.objects.filter(destroyed_at__isnull=False).count() == len(demo.PAST)
    assert Message.objects.filter(read_at__isnull=True).exists()
    assert Message.objects.filter(
        read_at__isnull=False, destroyed_at__isnull=True
    ).exists()
    assert Message.objects.filter(follow_up_flagged_at__isnull=False).count() == 2
    assert PurgeRun.objects.get().status == PurgeRun.Status.FINISHED
    assert DestructionRecord.objects.get().item_count == len(demo.PAST)
    assert LegalHold.objects.get().is_open
    assert DisasterPeriod.objects.count() == 1
    demo.seed(ctx)
    assert Message.objects.count() == len(demo.PAST) + len(demo.CURRENT) + 2
    # P24: a reply the city sent, and a private message.
    assert Message.objects.get(direction="sent").read_at is not None
    assert Message.objects.get(classification="private").classification_basis
    assert PurgeRun.objects.count() == 1
    assert LegalHold.objects.count() == 1
    assert DisasterPeriod.objects.count() == 1
