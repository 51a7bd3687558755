"""What every accounts service shares: permission names, the reason rule, the
P12 cap and account creation."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import (
    Account,
    AccountRequest,
    CityProfile,
    Department,
    Platform,
    User,
)
from core import audit, clock
from core.exceptions import DomainError, MissingRecord

logger = logging.getLogger(__name__)

PERM_DECIDE = "accounts.decide_accountrequest"
PERM_STATUS = "accounts.change_account_status"
PERM_CHECKLIST = "accounts.verify_account_checklist"
PERM_GRANT = "accounts.grant_manageraccess"
PERM_CHANGE_ACCOUNT = "accounts.change_account"

ACCOUNT_FIELDS = (
    "platform",
    "handle",
    "display_name",
    "url",
    "slug",
    "department",
    "kind",
    "status",
    "comments_enabled",
    "uses_shared_login",
)
# Free text that may name people: kept out of the audit data (personal=).
REQUEST_PERSONAL_FIELDS = ("proposed_managers",)


def _require_reason(reason: str, field: str = "reason", what: str = "a reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"Give {what}: it is kept in the record.", field=field)
    return reason


NO_PROFILE = (
    "Fill in the city profile first: it sets the approving authority and the "
    "number of accounts the city can sustain (P12)."
)


def _profile_for_update() -> CityProfile:
    profile = CityProfile.objects.select_for_update().first()
    if profile is None:
        raise MissingRecord(NO_PROFILE)
    return profile


def accounts_in_service_count() -> int:
    """Return how many accounts count against the P12 cap (active or suspended)."""
    return Account.objects.in_service().count()


def cap_problem(*, override_reason: str) -> str:
    """Return why an account cannot be added now (P12), or "" when it can."""
    profile = CityProfile.objects.first()
    if profile is None:
        return NO_PROFILE
    try:
        _check_cap(profile=profile, override_reason=override_reason)
    except DomainError as exc:
        return str(exc)
    return ""


def _check_cap(*, profile: CityProfile, override_reason: str) -> tuple[int, bool]:
    """P12: refuse to go beyond the sustainable number without a written reason.

    Return the number in service before this one and whether the cap was overridden.
    """
    count = accounts_in_service_count()
    if count < profile.max_active_accounts:
        return count, False
    if not (override_reason or "").strip():
        raise DomainError(
            f"The city already has {count} accounts in service and considers "
            f"{profile.max_active_accounts} sustainable (P12). To approve another, "
            "give a reason for going beyond that number.",
            field="cap_override_reason",
            code="cap_reached",
        )
    return count, True


def _unique_slug(base: str) -> str:
    base = slugify(base)[:50] or "account"
    slug, n = base, 2
    while Account.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _account_create(
    *,
    by: User,
    platform: Platform,
    handle: str,
    display_name: str,
    url: str,
    department: Department,
    kind: str,
    slug: str,
    comments_enabled: bool,
    uses_shared_login: bool,
    reason: str,
    cap_override_reason: str,
    origin: str,
    request: AccountRequest | None = None,
) -> tuple[Account, int, bool, CityProfile]:
    """Create and audit an account; return it, the count before, whether the cap
    was overridden, and the profile (locked, so approvals are counted one by one)."""
    profile = _profile_for_update()
    account = Account(
        platform=platform,
        handle=handle.strip(),
        display_name=display_name.strip(),
        url=url.strip(),
        department=department,
        kind=kind,
        slug=slug.strip() or _unique_slug(f"{platform.slug}-{handle.lstrip('@')}"),
        comments_enabled=comments_enabled,
        uses_shared_login=uses_shared_login,
        status=Account.Status.ACTIVE,
        status_changed_at=clock.now(),
        status_changed_by=by,
        status_reason=reason,
    )
    account.full_clean()
    count, overridden = _check_cap(profile=profile, override_reason=cap_override_reason)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        # Two people registered the same account at the same moment: the
        # database constraint (unique URL/handle per platform) decided.
        raise DomainError(
            "Someone else put this account on the registry a moment ago.",
            field="url",
        ) from exc
    audit.record_event(
        action="account.registered",
        target=account,
        actor=by,
        data={
            "origin": origin,
            "request": request.pk if request else None,
            "after": audit.snapshot(account, ACCOUNT_FIELDS),
            "handle": account.handle,
            "url": account.url,
            "accounts_in_service_before": count,
            "max_active_accounts": profile.max_active_accounts,
            "cap_overridden": overridden,
        },
        reason=reason
        + (
            f"\nCap override (P12): {cap_override_reason.strip()}" if overridden else ""
        ),
    )
    return account, count, overridden, profile
