from __future__ import annotations

from typing import Any

import pytest

from tests.notices.factories import publish_both


@pytest.fixture
def published(city_profile: Any, city_admin: Any) -> dict[str, Any]:
    """Version 1 of the notice and of the policy, live, for the factory city."""
    return publish_both(by=city_admin)
