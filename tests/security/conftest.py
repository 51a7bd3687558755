from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def login_unverified(client: Client) -> Callable[[Any], Client]:
    """Sign ``user`` in with the password only (no second factor verified)."""

    def _login(user: Any) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


def current_code(device: TOTPDevice) -> str:
    """Return the code an authenticator app would show now."""
    return str(
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    ).zfill(device.digits)


def sign_in_password(
    client: Client, username: str, password: str = PASSWORD, **extra: Any
) -> Any:
    return client.post(
        "/signin/",
        {
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
        **extra,
    )


def sign_in_code(client: Client, code: str, step: str = "token") -> Any:
    return client.post(
        "/signin/", {"login_view-current_step": step, f"{step}-otp_token": code}
    )
