from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import AccountFactory, ManagerAccessFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 200


@pytest.fixture
def account(db: None) -> Any:
    return AccountFactory(
        handle="lakesideparks", url="https://www.facebook.com/lakesideparks"
    )


@pytest.fixture
def other_account(db: None) -> Any:
    return AccountFactory(
        handle="lakesidepolice", url="https://www.facebook.com/lakesidepolice"
    )


@pytest.fixture
def account_manager(manager: Any, account: Any) -> Any:
    """A Social Media Manager with current access to ``account`` only."""
    ManagerAccessFactory(account=account, manager=manager)
    return manager


@pytest.fixture
def png() -> SimpleUploadedFile:
    return SimpleUploadedFile("shot.png", PNG, content_type="image/png")


@pytest.fixture
def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("shot.pdf", PDF, content_type="application/pdf")
