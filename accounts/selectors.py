"""Read queries about accounts used in more than one place."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Account, CityProfile
from core.roles import CITY_ADMINISTRATOR, has_role


def city_profile_get() -> CityProfile | None:
    """Return the city's profile, or None before the city has filled it in."""
    return CityProfile.objects.first()


def account_list_managed_by(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` may act for: all of them for the City
    Administrator, otherwise those with a current grant (P11)."""
    accounts = Account.objects.select_related("platform", "department")
    if has_role(user, CITY_ADMINISTRATOR):
        return accounts
    if not user.is_authenticated:
        return accounts.none()
    return accounts.filter(
        grants__manager=user, grants__revoked_at__isnull=True
    ).distinct()


def user_manages_account(*, user: Any, account: Account) -> bool:
    """Return True when ``user`` holds current access to ``account`` (or is the
    City Administrator)."""
    if has_role(user, CITY_ADMINISTRATOR):
        return True
    return account.grants.filter(manager=user, revoked_at__isnull=True).exists()
