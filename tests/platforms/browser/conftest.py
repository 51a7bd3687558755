"""Browser tests of the platforms' staff pages: the accounts' fixtures (Debian's
Chromium, axe, a page signed in as a person), reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.browser.conftest import (  # noqa: F401 (fixtures)
    _browser_with_database,
    axe,
    browser_context_args,
    browser_type_launch_args,
    shots,
    signed_in,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
