"""The city's social media accounts and who may manage them (P3-P14).

Every account is a city asset (P3); the policy covers exactly the accounts listed
here (P7). State changes go through ``accounts.services``, which audit them.
"""

from accounts.models.access import (
    ManagerAccess,
    ManagerAccessQuerySet,
    Offboarding,
    OffboardingStep,
)
from accounts.models.account_requests import AccountRequest
from accounts.models.city import CityProfile, Department, Platform, User
from accounts.models.incidents import Incident
from accounts.models.registry import (
    Account,
    AccountQuerySet,
    handle_matches_url,
    normalise_handle,
    normalise_url,
    validate_account_identity,
)

__all__ = [
    "Account",
    "AccountQuerySet",
    "AccountRequest",
    "CityProfile",
    "Department",
    "Incident",
    "ManagerAccess",
    "ManagerAccessQuerySet",
    "Offboarding",
    "OffboardingStep",
    "Platform",
    "User",
    "handle_matches_url",
    "normalise_handle",
    "normalise_url",
    "validate_account_identity",
]
