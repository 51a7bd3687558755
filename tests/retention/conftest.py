from __future__ import annotations

from typing import Any

import pytest

from retention.models import RetentionSchedule, Series


@pytest.fixture(autouse=True)
def _purge_lock_file(settings: Any, tmp_path: Any) -> None:
    """Each test gets its own purge lock file (xdist workers share var/)."""
    settings.RETENTION_PURGE_LOCK_FILE = str(tmp_path / "purge.lock")
    settings.RETENTION_PURGE_PAUSED = False


@pytest.fixture
def schedule(db: None) -> Any:
    """Return a function that sets a series' schedule row."""

    def _set(series: str, **values: Any) -> RetentionSchedule:
        row = RetentionSchedule.objects.get(series=series)
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        return row

    return _set


@pytest.fixture
def managed_account(manager: Any) -> Any:
    from tests.accounts.factories import AccountFactory, ManagerAccessFactory

    account = AccountFactory()
    ManagerAccessFactory(account=account, manager=manager)
    return account


__all__ = ["Series"]
