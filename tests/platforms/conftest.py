from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platforms import services
from tests.accounts.factories import ManagerAccessFactory
from tests.platforms.factories import MetaPageFactory

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PAGE_ID = "100000000000001"
WEBHOOK = "/platforms/meta/webhook/"


def payload(name: str) -> bytes:
    """A recorded delivery, byte for byte as it is in the file."""
    return (PAYLOADS / name).read_bytes()


def payload_json(name: str) -> Any:
    return json.loads(payload(name))


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def _meta_settings(settings: Any) -> None:
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN


@pytest.fixture
def city_page(db: None) -> Any:
    """The city's Facebook Page, with its Page id on the registry."""
    return MetaPageFactory(
        handle="cityoflakeside",
        url="https://www.facebook.com/cityoflakeside",
        platform_account_id=PAGE_ID,
    )


@pytest.fixture
def page_manager(manager: Any, city_page: Any) -> Any:
    ManagerAccessFactory(account=city_page, manager=manager)
    return manager


@pytest.fixture
def deliver(client: Any) -> Callable[..., Any]:
    """POST a body to the webhook, signed unless told otherwise."""

    def _deliver(body: bytes, *, sign: bool = True, header: str | None = None) -> Any:
        headers = {}
        if header is not None:
            headers["X-Hub-Signature-256"] = header
        elif sign:
            headers["X-Hub-Signature-256"] = signature(body)
        return client.post(
            WEBHOOK, data=body, content_type="application/json", headers=headers
        )

    return _deliver


@pytest.fixture
def process() -> Callable[[], dict[str, int]]:
    """Run what the platforms-meta-process job runs."""
    return services.meta_deliveries_process
