"""Read queries about accounts used in more than one place."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import QuerySet

from accounts.models import (
    Account,
    AccountQuerySet,
    AccountRequest,
    CityProfile,
    ManagerAccess,
    Offboarding,
    User,
)
from core.roles import CITY_ADMINISTRATOR, CITY_ATTORNEY, RECORDS_OFFICER, has_role


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


def account_list_public() -> QuerySet[Account]:
    """Return the accounts a resident may check are the city's (P7): active ones."""
    return (
        Account.objects.filter(status=Account.Status.ACTIVE)
        .select_related("platform", "department")
        .order_by("platform__name", "display_name", "handle")
    )


def account_list_non_compliant(*, user: Any) -> QuerySet[Account]:
    """Return in-service accounts missing a P5/P13/P15 item that ``user`` can see."""
    accounts = cast(AccountQuerySet, account_list_managed_by(user=user))
    return accounts.non_compliant()


def grant_list_overdue(*, today: date, user: Any = None) -> QuerySet[ManagerAccess]:
    """Return current grants whose periodic review (P3) is past due, oldest first.

    With ``user`` who is not the City Administrator, only that user's own grants.
    """
    grants = (
        ManagerAccess.objects.current()
        .filter(review_due_on__lt=today)
        .select_related("account__platform", "manager")
        .order_by("review_due_on", "pk")
    )
    if user is not None and not has_role(user, CITY_ADMINISTRATOR):
        grants = grants.filter(manager=user)
    return grants


def request_list_pending() -> QuerySet[AccountRequest]:
    """Return submitted requests waiting for the approving authority, oldest first."""
    return (
        AccountRequest.objects.filter(status=AccountRequest.Status.SUBMITTED)
        .select_related("platform", "department", "requested_by")
        .order_by("submitted_at", "pk")
    )


def request_list_visible_to(*, user: Any) -> QuerySet[AccountRequest]:
    """Return the requests ``user`` may see: all for the approving authority,
    otherwise the ones they made."""
    requests = AccountRequest.objects.select_related(
        "platform", "department", "requested_by", "decided_by", "account"
    ).order_by("-created_at", "-pk")
    if user.has_perm("accounts.decide_accountrequest") or user.has_perm(
        "accounts.view_accountrequest"
    ):
        return requests
    return requests.filter(requested_by=user)


def offboarding_list_open() -> QuerySet[Offboarding]:
    """Return offboardings with platform-side steps still to do."""
    return (
        Offboarding.objects.filter(status=Offboarding.Status.OPEN)
        .select_related("person", "started_by")
        .prefetch_related("steps__account__platform")
        .order_by("started_at", "pk")
    )


def staff_with_current_access() -> QuerySet[User]:
    """Return people who hold current access to at least one account."""
    return (
        # Both conditions on the same join: people with no grant at all would
        # otherwise match "revoked_at is null" through the outer join.
        User.objects.filter(grants__isnull=False, grants__revoked_at__isnull=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# Roles that see the whole registry; everyone else sees what they manage (P11).
_REGISTRY_READERS = (CITY_ADMINISTRATOR, RECORDS_OFFICER, CITY_ATTORNEY)


def account_list_visible_to(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` may look at in the staff pages."""
    if has_role(user, *_REGISTRY_READERS):
        return Account.objects.select_related("platform", "department")
    return account_list_managed_by(user=user)


# Roles whose duties are not social media management: someone offboarded from
# their accounts who still holds one of these keeps signing in (P3 ends access to
# the accounts, not to work the city still gives them).
ROLES_KEPT_AFTER_OFFBOARDING = (
    CITY_ADMINISTRATOR,
    RECORDS_OFFICER,
    CITY_ATTORNEY,
)


def sign_in_kept_because(*, person: User) -> list[str]:
    """Return why offboarding ``person`` would leave their sign-in to this system
    active (empty when it may be deactivated)."""
    why = []
    if person.is_superuser:
        why.append("they are a superuser of this system")
    held = sorted(
        person.groups.filter(name__in=ROLES_KEPT_AFTER_OFFBOARDING).values_list(
            "name", flat=True
        )
    )
    if held:
        why.append(f"they are also {' and '.join(held)}")
    if ManagerAccess.objects.current().filter(manager=person).exists():
        why.append("they have been given access to an account again")
    return why
