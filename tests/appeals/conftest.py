from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.core import signing

from appeals.forms import FORM_SALT
from tests.accounts.factories import CompliantAccountFactory


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings: Any) -> None:
    """Each test counts submissions afresh (the cache outlives a test)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@pytest.fixture
def account(city_profile: Any) -> Any:
    return CompliantAccountFactory()


def aged_stamp(seconds: float = 60) -> str:
    """A form timestamp as if the form was shown ``seconds`` ago."""
    return signing.dumps(
        {"t": round(time.time() - seconds, 2)}, salt=FORM_SALT, compress=True
    )


@pytest.fixture
def appeal_data(account: Any) -> dict[str, str]:
    return {
        "account": str(account.pk),
        "account_other": "",
        "comment_posted_on": "2026-11-20",
        "comment_url": "",
        "comment_text": "The council should fix Elm Street before new bike lanes.",
        "explanation": "My comment was an opinion about city spending; it is not "
        "in any of the eight categories.",
        "name": "Jordan Public",
        "email": "jordan@example.net",
        "postal_address": "",
        "reply_by": "email",
        "website": "",
        "started": aged_stamp(),
    }


@pytest.fixture
def challenge_data(city_profile: Any) -> dict[str, str]:
    return {
        "section": "other",
        "basis": "The policy lets staff remove comments without telling the author, "
        "which denies due process.",
        "name": "Sam Critic",
        "email": "sam@example.net",
        "postal_address": "",
        "reply_by": "email",
        "website": "",
        "started": aged_stamp(),
    }


@pytest.fixture
def reviewer(manager: Any) -> Any:
    """A Social Media Manager who may handle appeals."""
    return manager


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After a transactional test here (the real-worker test), put back the rows the
    migrations seeded (groups, permissions, platforms, categories).

    Its teardown empties the database without re-running post_migrate (it uses
    serialized rollback), and with ``--dist loadfile`` the next files on this
    worker are ordinary tests that expect those rows.
    """
    yield
    marker = item.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            data = getattr(connection, "_test_serialized_contents", None)
            if data:
                connection.creation.deserialize_db_from_string(data)
