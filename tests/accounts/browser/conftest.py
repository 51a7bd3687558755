"""Browser tests use Debian's Chromium as the notices' browser tests do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import verify_second_factor
from tests.notices.browser.conftest import (  # noqa: F401 (fixtures)
    _browser_with_database,
    axe,
    browser_context_args,
    browser_type_launch_args,
    shots,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def signed_in(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Return a function that opens a browser page signed in as ``user`` (each
    person in a session of their own, so two people can be signed in at once)."""
    from django.conf import settings

    contexts = []

    def open_page(user: Any, viewport: dict[str, int]) -> Any:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        verify_second_factor(client, user)
        context = browser.new_context(viewport=viewport, locale="en-US")
        contexts.append(context)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies(
            [
                {
                    "name": name,
                    "value": client.cookies[name].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
