"""Read queries about accounts used in more than one place."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import Field, QuerySet

from accounts.models import (
    Account,
    AccountQuerySet,
    AccountRequest,
    CityProfile,
    ManagerAccess,
    Offboarding,
    User,
)

#: Who holds a permission through a role or directly (object rules aside).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def user_list_holding(perm: str, *, include_superusers: bool = True) -> QuerySet[User]:
    """Active users who hold ``perm`` from a role or given them directly, and
    superusers unless ``include_superusers`` is False (a list of whom to email)."""
    return User.objects.with_perm(
        perm, include_superusers=include_superusers, backend=MODEL_BACKEND
    ).distinct()


def city_profile_get() -> CityProfile | None:
    """Return the city's profile, or None before the city has filled it in."""
    return CityProfile.objects.first()


def city_profile_days(
    *names: str, profile: CityProfile | None = None
) -> dict[str, int]:
    """Return these day settings of the city profile (``profile``, or the current
    one) by name; while the city has not filled it in, the profile fields' own
    defaults: the one place each default is written (appeals' and data requests'
    deadlines, the due-soon window)."""
    profile = profile if profile is not None else city_profile_get()
    if profile is None:
        return {
            name: int(cast(Field, CityProfile._meta.get_field(name)).get_default())
            for name in names
        }
    return {name: int(getattr(profile, name)) for name in names}


def account_list_managed_by(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` acts for (P11): every account for a person
    who holds ``accounts.manage_every_account``, else those they hold current
    access to."""
    accounts = Account.objects.select_related("platform", "department")
    if not user.is_authenticated:
        return accounts.none()
    if user.has_perm("accounts.manage_every_account"):
        return accounts
    current = ManagerAccess.objects.current().filter(manager=user)
    return accounts.filter(pk__in=current.values("account"))


def user_manages_account(*, user: Any, account: Account) -> bool:
    """Return True when ``user`` acts for ``account`` (the rule of
    :func:`account_list_managed_by`, for one account)."""
    if not user.is_authenticated:
        return False
    if user.has_perm("accounts.manage_every_account"):
        return True
    return (
        ManagerAccess.objects.current().filter(manager=user, account=account).exists()
    )


def account_list_visible_to(*, user: Any) -> QuerySet[Account]:
    """Return the accounts ``user`` may look at in the staff pages and the admin:
    every account for a person who holds ``accounts.view_every_account`` (the
    oversight roles), else the accounts they act for."""
    if user.is_authenticated and user.has_perm("accounts.view_every_account"):
        return Account.objects.select_related("platform", "department")
    return account_list_managed_by(user=user)


def account_list_public() -> QuerySet[Account]:
    """Return the city's official account list (P7), the one the home page and
    the public list show: active accounts whose checklist is verified (P5, P13,
    P15) and that someone manages (P11). An approved account joins it only then;
    a suspended one leaves it while suspended."""
    managed = ManagerAccess.objects.current().values("account")
    return (
        Account.objects.filter(status=Account.Status.ACTIVE, pk__in=managed)
        .compliant()
        .select_related("platform", "department")
        .order_by("platform__name", "display_name", "handle")
    )


def account_list_unmanaged() -> QuerySet[Account]:
    """Return the accounts in service that nobody holds current access to (P11):
    they are off the public list until someone is given access."""
    managed = ManagerAccess.objects.current().values("account")
    return (
        Account.objects.in_service()
        .exclude(pk__in=managed)
        .select_related("platform", "department")
        .order_by("platform__name", "handle")
    )


def account_list_non_compliant(*, user: Any) -> QuerySet[Account]:
    """Return in-service accounts missing a P5/P13/P15 item that ``user`` can see."""
    accounts = cast(AccountQuerySet, account_list_managed_by(user=user))
    return accounts.non_compliant()


def grant_list_overdue(*, today: date, user: Any = None) -> QuerySet[ManagerAccess]:
    """Return current grants whose periodic review (P3) is past due, oldest first.

    With ``user`` who does not hold ``accounts.grant_manageraccess``, only that
    user's own grants.
    """
    grants = (
        ManagerAccess.objects.current()
        .filter(review_due_on__lt=today)
        .select_related("account__platform", "manager")
        .order_by("review_due_on", "pk")
    )
    if user is not None and not user.has_perm("accounts.grant_manageraccess"):
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
    return User.objects.filter(
        pk__in=ManagerAccess.objects.current().values("manager")
    ).order_by("last_name", "first_name", "username")


def sign_in_kept_because(*, person: User) -> list[str]:
    """Return why offboarding ``person`` would leave their sign-in to this system
    active (empty when it may be deactivated).

    P3 ends access to the accounts, not to work the city still gives them: a
    person who oversees every account's records (``accounts.view_every_account``,
    held by the City Administrator, the Records Officer and the City Attorney)
    keeps signing in.
    """
    why = []
    if person.is_superuser:
        why.append("they are a superuser of this system")
    oversight = sorted(
        person.groups.filter(
            permissions__content_type__app_label="accounts",
            permissions__codename="view_every_account",
        ).values_list("name", flat=True)
    )
    if oversight:
        why.append(f"they are also {' and '.join(oversight)}")
    elif not person.is_superuser and person.has_perm("accounts.view_every_account"):
        why.append("they also oversee every account's records")
    if ManagerAccess.objects.current().filter(manager=person).exists():
        why.append("they have been given access to an account again")
    return why
