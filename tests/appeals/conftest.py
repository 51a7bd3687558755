from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.core import signing

from core.public_forms import FORM_SALT
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
