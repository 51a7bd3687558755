"""A data subject's request and the records about them in three apps."""

from __future__ import annotations

import uuid
import zipfile
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from core import clock
from retention.models import RetentionSchedule
from tests.accounts.factories import AccountFactory
from tests.appeals.factories import AppealAnsweredFactory
from tests.moderation.factories import RemovalDecisionFactory
from tests.retention.factories import ReadMessageFactory

SUBJECT = "Dana Whitfield"
HANDLE = "@danaw"


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings: Any) -> None:
    """Each test counts submissions afresh (the cache outlives a test)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


def read_package(package: Any) -> dict[str, str]:
    with package.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


@pytest.fixture
def destroy_everything_due(db: None) -> None:
    """Every series the purge may destroy, after one year."""
    RetentionSchedule.objects.exclude(rule="until_read").update(
        years=1, destruction_enabled=True, schedule_item="GS 01-001"
    )
    RetentionSchedule.objects.filter(rule="until_read").update(
        destruction_enabled=True, schedule_item="GS 01-002"
    )


@pytest.fixture
def world(db: None, destroy_everything_due: None) -> SimpleNamespace:
    """Records about the subject in moderation, appeals and retention, all past
    their retention period; a removal of another person's comment about them
    (classified private: it published their address, P21 category 4); and the
    same kinds of record about someone else, which the purge must destroy.
    Made in one transaction: a removal's categories are checked at commit."""
    with transaction.atomic():
        return _world()


def _world() -> SimpleNamespace:
    long_ago = clock.now() - timedelta(days=3 * 365)
    account = AccountFactory()
    removal = RemovalDecisionFactory(
        account=account,
        author_name=SUBJECT,
        author_handle="danaw",
        removed_at=long_ago,
        posted_at=long_ago - timedelta(hours=1),
    )
    neighbor = RemovalDecisionFactory(
        account=account,
        author_name="Pat Neighbor",
        author_handle="patn",
        comment_text="Dana lives at 12 Elm Street, go tell her.",
        removed_at=long_ago,
        posted_at=long_ago - timedelta(hours=1),
        classification="private",
    )
    appeal = AppealAnsweredFactory(
        account=account,
        name=SUBJECT,
        email="dana@example.net",
        received_on=long_ago.date(),
        answered_at=long_ago,
    )
    message = ReadMessageFactory(
        account=account, sender_handle="danaw", received_at=long_ago
    )
    others = SimpleNamespace(
        removal=RemovalDecisionFactory(
            account=account, author_name="Someone Else", removed_at=long_ago
        ),
        appeal=AppealAnsweredFactory(
            account=account, name="Someone Else", answered_at=long_ago
        ),
        message=ReadMessageFactory(account=account, sender_handle="someone"),
    )
    return SimpleNamespace(
        account=account,
        removal=removal,
        neighbor=neighbor,
        appeal=appeal,
        message=message,
        others=others,
    )
