"""Browser tests use Debian's Chromium as the notices' browser tests do."""

from __future__ import annotations

from pathlib import Path

import pytest

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
