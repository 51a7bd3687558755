"""The cache (Redis) down during a filing: every public filing
was a 500 that dropped the text. The flood guard and the status page's limit let
residents through with a logged warning; the filings limit, counted in the
database, still holds."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from appeals.models import Appeal, LegalityChallenge
from tests.appeals.factories import AppealFactory

pytestmark = pytest.mark.django_db

APPEAL_URL = "/appeals/appeal/"
CHALLENGE_URL = "/appeals/challenge/"
UNAVAILABLE = "the cache is unavailable"


@pytest.fixture
def cache_down(settings: Any) -> None:
    """A Redis cache nobody answers at (the connection is refused at once)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }


@pytest.fixture
def warnings_of_limits(caplog: Any) -> Any:
    """The limits' warnings, whatever level an earlier test left logging at."""
    caplog.set_level(logging.WARNING, logger="core.limits")
    return caplog


def _warned(caplog: Any) -> bool:
    return any(
        r.levelno == logging.WARNING and UNAVAILABLE in r.getMessage()
        for r in caplog.records
    )


def test_an_appeal_is_filed_with_the_cache_down_and_the_outage_logged(
    client, appeal_data, cache_down, warnings_of_limits
):
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.explanation == appeal_data["explanation"]
    assert _warned(warnings_of_limits)
    # The confirmation page, with its own limit in the cache, shows too.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert appeal.reference in page.content.decode()


def test_a_challenge_is_filed_with_the_cache_down(client, challenge_data, cache_down):
    response = client.post(CHALLENGE_URL, challenge_data)
    assert response.status_code == 302
    assert LegalityChallenge.objects.get().basis == challenge_data["basis"]


def test_the_forms_show_with_the_cache_down(client, account, cache_down):
    for url in (APPEAL_URL, CHALLENGE_URL):
        assert client.get(url).status_code == 200


def test_a_form_with_errors_is_sent_back_with_the_cache_down(
    client, appeal_data, cache_down
):
    appeal_data["name"] = ""
    response = client.post(APPEAL_URL, appeal_data)
    assert response.status_code == 200
    assert appeal_data["explanation"] in response.content.decode()


def test_the_filings_limit_holds_with_the_cache_down(
    client, appeal_data, cache_down, settings
):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    assert client.post(APPEAL_URL, appeal_data).status_code == 302
    refused = client.post(APPEAL_URL, appeal_data)
    assert refused.status_code == 429
    assert appeal_data["explanation"] in refused.content.decode()
    assert Appeal.objects.count() == 1


def test_the_status_page_shows_with_the_cache_down(
    client, city_profile, cache_down, warnings_of_limits
):
    appeal = AppealFactory()
    response = client.get(appeal.get_status_url())
    assert response.status_code == 200
    assert appeal.reference in response.content.decode()
    assert _warned(warnings_of_limits)
