from __future__ import annotations

from typing import Any

import pytest

from accounts.models import ManagerAccess
from tests.accounts.factories import (
    CompliantAccountFactory,
    DepartmentFactory,
    ManagerAccessFactory,
)


@pytest.fixture
def department(db: None) -> Any:
    return DepartmentFactory(name="Library")


@pytest.fixture
def account(city_profile: Any) -> Any:
    """An active, compliant account (the city profile exists)."""
    return CompliantAccountFactory()


@pytest.fixture
def grant(account: Any, manager: Any, city_admin: Any) -> ManagerAccess:
    """``manager``'s current access to ``account``."""
    return ManagerAccessFactory.create(
        account=account, manager=manager, granted_by=city_admin
    )
