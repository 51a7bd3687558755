"""Every state change of the accounts app (P3-P14, P17, P18).

One function per change, keyword-only; each checks who is acting and the current
state, validates, writes its audit events and runs in one transaction. Views, forms,
admin actions and the Celery task only call these.

Who may do what is a Django permission (held by the City Administrator group by
default, see ``core.roles``), so a city whose approving authority is a designee
(P12) can give that person the same permissions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.exceptions import CapReached, NotPermitted, TransitionRefused
from accounts.models import (
    Account,
    AccountRequest,
    CityProfile,
    Department,
    ManagerAccess,
    Offboarding,
    OffboardingStep,
    Platform,
    User,
)
from core import audit, clock, roles

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
REQUEST_EDITABLE_FIELDS = (
    "department",
    "platform",
    "kind",
    "proposed_handle",
    "proposed_url",
    "display_name",
    "purpose",
    "audience",
    "proposed_managers",
    "upkeep_plan",
    "city_controlled_confirmed",
)
# Free text that may name people: kept out of the audit data (personal=).
REQUEST_PERSONAL_FIELDS = ("proposed_managers",)


# --- helpers ----------------------------------------------------------------------


def _require(by: Any, perm: str, doing: str) -> None:
    if not (by is not None and by.is_active and by.has_perm(perm)):
        raise NotPermitted(f"Only the City Administrator can {doing}.")


def _require_reason(reason: str, field: str = "reason", what: str = "a reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: f"Give {what}: it is kept in the record."})
    return reason


def _ensure_status(obj: Any, *, allowed: Iterable[str], doing: str) -> None:
    allowed = tuple(allowed)
    if obj.status not in allowed:
        names = " or ".join(f"“{obj.Status(s).label}”" for s in allowed)
        raise TransitionRefused(
            f"{obj} cannot be {doing}: its status is “{obj.get_status_display()}”, "
            f"and only {names} can be {doing}."
        )


def _profile_for_update() -> CityProfile:
    profile = CityProfile.objects.select_for_update().first()
    if profile is None:
        raise TransitionRefused(
            "Fill in the city profile first: it sets the approving authority and "
            "the number of accounts the city can sustain (P12)."
        )
    return profile


def accounts_in_service_count() -> int:
    """Return how many accounts count against the P12 cap (active or suspended)."""
    return Account.objects.in_service().count()


def cap_problem(*, override_reason: str) -> str:
    """Return why an account cannot be added now (P12), or "" when it can."""
    profile = CityProfile.objects.first()
    if profile is None:
        return (
            "Fill in the city profile first: it sets the approving authority and "
            "the number of accounts the city can sustain (P12)."
        )
    try:
        _check_cap(profile=profile, override_reason=override_reason)
    except CapReached as exc:
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
        raise CapReached(
            f"The city already has {count} accounts in service and considers "
            f"{profile.max_active_accounts} sustainable (P12). To approve another, "
            "give a reason for going beyond that number."
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
    account.save()
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


# --- the registry (P4, P5, P7, P13, P15) ---------------------------------------------


@transaction.atomic
def account_register(
    *,
    by: User,
    platform: Platform,
    handle: str,
    display_name: str,
    url: str,
    department: Department,
    city_controlled_confirmed: bool,
    kind: str = Account.Kind.CITY,
    slug: str = "",
    comments_enabled: bool = True,
    uses_shared_login: bool = False,
    reason: str = "",
    cap_override_reason: str = "",
) -> Account:
    """Put an account the city already runs on the registry (P7, P14).

    Registering stands in for approval, so only the approving authority may do it,
    and the P12 cap applies as it does to approvals.
    """
    _require(by, PERM_DECIDE, "register accounts")
    if not city_controlled_confirmed:
        # P6: personal accounts and accounts outside the city's control are not covered.
        raise ValidationError(
            {
                "city_controlled_confirmed": "Confirm that the city controls this "
                "account: personal accounts cannot be registered (P6)."
            }
        )
    reason = _require_reason(reason, what="the reason for registering it (P14)")
    account, *_ = _account_create(
        by=by,
        platform=platform,
        handle=handle,
        display_name=display_name,
        url=url,
        department=department,
        kind=kind,
        slug=slug,
        comments_enabled=comments_enabled,
        uses_shared_login=uses_shared_login,
        reason=reason,
        cap_override_reason=cap_override_reason,
        origin="registered",
    )
    return account


ACCOUNT_UPDATABLE = (
    "handle",
    "display_name",
    "url",
    "slug",
    "department",
    "comments_enabled",
    "uses_shared_login",
)


@transaction.atomic
def account_update(*, account: Account, by: User, **values: Any) -> Account:
    """Change an account's details (not its status or checklist: see below)."""
    _require(by, PERM_CHANGE_ACCOUNT, "change account details")
    unknown = set(values) - set(ACCOUNT_UPDATABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status == Account.Status.SHUT_DOWN:
        raise TransitionRefused(f"{account} is shut down; its record stands as it is.")
    before = audit.snapshot(account, ACCOUNT_UPDATABLE)
    for name, value in values.items():
        setattr(account, name, value.strip() if isinstance(value, str) else value)
    account.full_clean()
    after = audit.snapshot(account, ACCOUNT_UPDATABLE)
    changed = audit.changes(before, after)
    if not changed:
        return account
    account.save()
    audit.record_event(
        action="account.changed",
        target=account,
        actor=by,
        data={"changes": changed},
    )
    return account


def _set_status(
    *,
    account: Account,
    by: User,
    to: str,
    allowed: tuple[str, ...],
    doing: str,
    reason: str,
    action: str,
) -> Account:
    _require(by, PERM_STATUS, f"{doing.split()[0]} accounts")
    reason = _require_reason(reason, what=f"the reason the account is {doing} (P4)")
    account = Account.objects.select_for_update().get(pk=account.pk)
    _ensure_status(account, allowed=allowed, doing=doing)
    before = account.status
    account.status = to
    account.status_changed_at = clock.now()
    account.status_changed_by = by
    account.status_reason = reason
    account.save(
        update_fields=[
            "status",
            "status_changed_at",
            "status_changed_by",
            "status_reason",
            "updated_at",
        ]
    )
    audit.record_event(
        action=action,
        target=account,
        actor=by,
        data={"changes": {"status": [before, to]}},
        reason=reason,
    )
    return account


@transaction.atomic
def account_suspend(*, account: Account, by: User, reason: str) -> Account:
    """Take an active account out of use for now (P4)."""
    return _set_status(
        account=account,
        by=by,
        to=Account.Status.SUSPENDED,
        allowed=(Account.Status.ACTIVE,),
        doing="suspended",
        reason=reason,
        action="account.suspended",
    )


@transaction.atomic
def account_reactivate(*, account: Account, by: User, reason: str) -> Account:
    """Put a suspended account back in use (it still counts against the cap)."""
    return _set_status(
        account=account,
        by=by,
        to=Account.Status.ACTIVE,
        allowed=(Account.Status.SUSPENDED,),
        doing="reactivated",
        reason=reason,
        action="account.reactivated",
    )


@transaction.atomic
def account_shut_down(*, account: Account, by: User, reason: str) -> Account:
    """Shut an account down for good, at any time, for any reason (P4).

    Every current manager access to it is revoked in the same transaction.
    """
    account = _set_status(
        account=account,
        by=by,
        to=Account.Status.SHUT_DOWN,
        allowed=(Account.Status.ACTIVE, Account.Status.SUSPENDED),
        doing="shut down",
        reason=reason,
        action="account.shut_down",
    )
    for grant in ManagerAccess.objects.current().filter(account=account):
        _revoke(grant=grant, by=by, reason=f"Account shut down: {reason}")
    return account


CHECKLIST_LABELS = {
    "marked_as_city": "Marked as the city's (P5, P13)",
    "website_linked": "Linked to the official website (P5, P13)",
    "notice_linked": "Links to the public notice (P15)",
}


def _check_checklist_items(items: Iterable[str]) -> list[str]:
    items = list(dict.fromkeys(items))
    unknown = [i for i in items if i not in CHECKLIST_LABELS]
    if unknown or not items:
        raise ValueError(f"Unknown checklist items: {unknown or 'none given'}")
    return items


def _require_checklist_right(*, account: Account, by: User) -> None:
    from accounts.selectors import user_manages_account

    _require(by, PERM_CHECKLIST, "verify the account checklist")
    if not user_manages_account(user=by, account=account):
        raise NotPermitted(f"You do not manage {account}, so you cannot verify it.")


@transaction.atomic
def account_checklist_verify(
    *, account: Account, by: User, items: Iterable[str]
) -> list[str]:
    """Record that ``by`` checked the account shows these items (P5, P13, P15).

    Return the items newly verified; refuse when all were verified already.
    """
    items = _check_checklist_items(items)
    _require_checklist_right(account=account, by=by)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status == Account.Status.SHUT_DOWN:
        raise TransitionRefused(f"{account} is shut down: there is nothing to verify.")
    todo = [i for i in items if getattr(account, f"{i}_at") is None]
    if not todo:
        raise TransitionRefused(f"{account}: already verified.")
    when = clock.now()
    for item in todo:
        setattr(account, f"{item}_at", when)
        setattr(account, f"{item}_by", by)
    account.save()
    audit.record_event(
        action="account.checklist_verified",
        target=account,
        actor=by,
        data={"items": todo, "compliant": account.is_compliant},
    )
    return todo


@transaction.atomic
def account_checklist_withdraw(
    *, account: Account, by: User, item: str, reason: str
) -> Account:
    """Record that a checklist item no longer holds (e.g. the notice link is gone)."""
    (item,) = _check_checklist_items([item])
    _require_checklist_right(account=account, by=by)
    reason = _require_reason(reason, what="what you found")
    account = Account.objects.select_for_update().get(pk=account.pk)
    if getattr(account, f"{item}_at") is None:
        raise TransitionRefused(f"{account}: that item is not verified.")
    before = {
        "at": getattr(account, f"{item}_at"),
        "by": getattr(account, f"{item}_by_id"),
    }
    setattr(account, f"{item}_at", None)
    setattr(account, f"{item}_by", None)
    account.save()
    audit.record_event(
        action="account.checklist_withdrawn",
        target=account,
        actor=by,
        data={"item": item, "was_verified": before},
        reason=reason,
    )
    return account


# --- account requests (P12, P14) ----------------------------------------------------


def _request_data(request: AccountRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = [f for f in REQUEST_EDITABLE_FIELDS if f not in REQUEST_PERSONAL_FIELDS]
    return (
        audit.snapshot(request, fields),
        audit.snapshot(request, REQUEST_PERSONAL_FIELDS),
    )


def _validate_request_for_submission(request: AccountRequest) -> None:
    request.full_clean()
    if not request.city_controlled_confirmed:
        raise ValidationError(
            {
                "city_controlled_confirmed": "Confirm that the city will control "
                "this account: personal accounts cannot be registered (P6)."
            }
        )


@transaction.atomic
def account_request_create(
    *, by: User, submit: bool = False, **values: Any
) -> AccountRequest:
    """Start a department's request for a new account (P12), as a draft or submitted."""
    if not (by.is_active and by.is_staff):
        raise NotPermitted("Only city staff can request an account.")
    unknown = set(values) - set(REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    request = AccountRequest(requested_by=by, **values)
    if submit:
        _validate_request_for_submission(request)
        request.status = AccountRequest.Status.SUBMITTED
        request.submitted_at = clock.now()
    else:
        request.full_clean()
    request.save()
    data, personal = _request_data(request)
    audit.record_event(
        action="account_request.created",
        target=request,
        actor=by,
        data={"status": request.status, "after": data},
        personal=personal,
    )
    if submit:
        audit.record_event(
            action="account_request.submitted",
            target=request,
            actor=by,
            data={"changes": {"status": ["draft", "submitted"]}},
        )
    return request


def _may_act_for_request(request: AccountRequest, by: User) -> bool:
    return request.requested_by_id == by.pk or by.has_perm(PERM_DECIDE)


@transaction.atomic
def account_request_update(
    *, request: AccountRequest, by: User, **values: Any
) -> AccountRequest:
    """Change a draft request (only its requester, or the approving authority)."""
    unknown = set(values) - set(REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if not _may_act_for_request(request, by):
        raise NotPermitted("Only the person who made this request can change it.")
    _ensure_status(request, allowed=(AccountRequest.Status.DRAFT,), doing="changed")
    before, before_personal = _request_data(request)
    for name, value in values.items():
        setattr(request, name, value.strip() if isinstance(value, str) else value)
    request.full_clean()
    after, after_personal = _request_data(request)
    request.save()
    audit.record_event(
        action="account_request.changed",
        target=request,
        actor=by,
        data={"changes": audit.changes(before, after)},
        personal={"changes": audit.changes(before_personal, after_personal)},
    )
    return request


@transaction.atomic
def account_request_submit(*, request: AccountRequest, by: User) -> AccountRequest:
    """Send a draft to the approving authority (P12)."""
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id != by.pk:
        raise NotPermitted("Only the person who made this request can submit it.")
    _ensure_status(request, allowed=(AccountRequest.Status.DRAFT,), doing="submitted")
    _validate_request_for_submission(request)
    request.status = AccountRequest.Status.SUBMITTED
    request.submitted_at = clock.now()
    request.save()
    audit.record_event(
        action="account_request.submitted",
        target=request,
        actor=by,
        data={"changes": {"status": ["draft", "submitted"]}},
    )
    return request


@transaction.atomic
def account_request_withdraw(
    *, request: AccountRequest, by: User, reason: str = ""
) -> AccountRequest:
    """Withdraw a draft or submitted request (its requester or the authority)."""
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if not _may_act_for_request(request, by):
        raise NotPermitted("Only the person who made this request can withdraw it.")
    _ensure_status(
        request,
        allowed=(AccountRequest.Status.DRAFT, AccountRequest.Status.SUBMITTED),
        doing="withdrawn",
    )
    before = request.status
    request.status = AccountRequest.Status.WITHDRAWN
    request.withdrawn_at = clock.now()
    request.save()
    audit.record_event(
        action="account_request.withdrawn",
        target=request,
        actor=by,
        data={"changes": {"status": [before, request.status]}},
        reason=reason.strip(),
    )
    return request


@transaction.atomic
def account_request_approve(
    *,
    request: AccountRequest,
    by: User,
    reason: str,
    cap_override_reason: str = "",
    slug: str = "",
) -> Account:
    """Approve a submitted request and create its account, in one transaction (P12-P14).

    Beyond the city's sustainable number of accounts, approval needs a written
    override reason, which is recorded on the request and in the audit trail.
    """
    _require(by, PERM_DECIDE, "approve account requests")
    reason = _require_reason(reason, what="the reason for approving (P12)")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    _ensure_status(
        request, allowed=(AccountRequest.Status.SUBMITTED,), doing="approved"
    )
    try:
        account, count, overridden, profile = _account_create(
            by=by,
            platform=request.platform,
            handle=request.proposed_handle,
            display_name=request.display_name,
            url=request.proposed_url,
            department=request.department,
            kind=request.kind,
            slug=slug,
            comments_enabled=True,
            uses_shared_login=False,
            reason=f"Approved request {request.reference}: {reason}",
            cap_override_reason=cap_override_reason,
            origin="request",
            request=request,
        )
    except ValidationError as exc:
        # The registry changed since the request was made (e.g. the account was
        # registered meanwhile): say so against the request's own fields.
        mapping = {"url": "proposed_url", "handle": "proposed_handle"}
        raise ValidationError(
            {mapping.get(k, k): v for k, v in exc.message_dict.items()}
        ) from exc
    request.status = AccountRequest.Status.APPROVED
    request.decided_at = clock.now()
    request.decided_by = by
    request.decision_reason = reason
    request.account = account
    request.accounts_in_service_at_decision = count
    request.cap_override_reason = cap_override_reason.strip() if overridden else ""
    request.save()
    audit.record_event(
        action="account_request.approved",
        target=request,
        actor=by,
        data={
            "changes": {"status": ["submitted", "approved"]},
            "account": account.pk,
            "accounts_in_service_before": count,
            "max_active_accounts": profile.max_active_accounts,
            "cap_overridden": overridden,
            "cap_override_reason": request.cap_override_reason,
        },
        reason=reason,
    )
    return account


@transaction.atomic
def account_request_deny(
    *, request: AccountRequest, by: User, reason: str
) -> AccountRequest:
    """Deny a submitted request with a written reason (P12)."""
    _require(by, PERM_DECIDE, "deny account requests")
    reason = _require_reason(reason, what="the reason for denying it (P12)")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    _ensure_status(request, allowed=(AccountRequest.Status.SUBMITTED,), doing="denied")
    request.status = AccountRequest.Status.DENIED
    request.decided_at = clock.now()
    request.decided_by = by
    request.decision_reason = reason
    request.save()
    audit.record_event(
        action="account_request.denied",
        target=request,
        actor=by,
        data={"changes": {"status": ["submitted", "denied"]}},
        reason=reason,
    )
    return request


# --- manager access (P3, P10, P11, P17, P18) ------------------------------------------


def _review_interval(profile: CityProfile | None) -> timedelta:
    return timedelta(days=profile.access_review_interval_days if profile else 180)


def access_grant_problems(
    *,
    account: Account | None,
    manager: User | None,
    policy_acknowledged_at: datetime | None,
    platform_mfa_confirmed: bool,
) -> dict[str, str]:
    """Return why this grant cannot be made, by field (empty when it can).

    Shared by :func:`access_grant` and the admin's grant form, so both say the same.
    """
    errors: dict[str, str] = {}
    if account is not None and account.status == Account.Status.SHUT_DOWN:
        errors["account"] = (
            f"{account} is shut down (P4): nobody can be given access to it."
        )
    if manager is not None and not (manager.is_active and manager.is_staff):
        errors["manager"] = "Access can only be given to an active staff member."
    if policy_acknowledged_at is None:
        errors["policy_acknowledged_at"] = (
            "Record when the manager acknowledged the social media policy (P17, P18)."
        )
    elif policy_acknowledged_at > clock.now():
        errors["policy_acknowledged_at"] = "This date is in the future."
    if not platform_mfa_confirmed:
        errors["platform_mfa_confirmed"] = (
            "Confirm that the manager signs in to the platform with multi-factor "
            "sign-in: access cannot be given without it."
        )
    if (
        account is not None
        and manager is not None
        and "account" not in errors
        and ManagerAccess.objects.current()
        .filter(account=account, manager=manager)
        .exists()
    ):
        errors["manager"] = "This person already has current access to this account."
    return errors


@transaction.atomic
def access_grant(
    *,
    account: Account,
    manager: User,
    by: User,
    policy_acknowledged_at: datetime | None,
    platform_mfa_confirmed: bool,
) -> ManagerAccess:
    """Give ``manager`` administrator access to ``account`` (P3, P11).

    The manager must have acknowledged the policy (P17, P18) and use multi-factor
    sign-in on the platform. Only the City Administrator grants.
    """
    _require(by, PERM_GRANT, "grant access to accounts")
    account = Account.objects.select_for_update().get(pk=account.pk)
    errors = access_grant_problems(
        account=account,
        manager=manager,
        policy_acknowledged_at=policy_acknowledged_at,
        platform_mfa_confirmed=platform_mfa_confirmed,
    )
    if errors:
        raise ValidationError(errors)
    profile = CityProfile.objects.first()
    grant = ManagerAccess(
        account=account,
        manager=manager,
        granted_by=by,
        granted_at=clock.now(),
        policy_acknowledged_at=policy_acknowledged_at,
        platform_mfa_confirmed=True,
        last_reviewed_at=clock.now(),
        last_reviewed_by=by,
        review_due_on=clock.today() + _review_interval(profile),
    )
    grant.full_clean()
    grant.save()
    audit.record_event(
        action="manager_access.granted",
        target=grant,
        actor=by,
        data={
            "account": account.pk,
            "manager": manager.pk,
            "policy_acknowledged_at": policy_acknowledged_at,
            "platform_mfa_confirmed": True,
            "review_due_on": grant.review_due_on,
        },
        personal={"manager": manager.get_full_name() or manager.get_username()},
    )
    return grant


def _revoke(*, grant: ManagerAccess, by: User, reason: str) -> ManagerAccess:
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise TransitionRefused(
            f"{grant} was already revoked on "
            f"{timezone.localtime(grant.revoked_at):%Y-%m-%d %H:%M}."
        )
    grant.revoked_at = clock.now()
    grant.revoked_by = by
    grant.revoke_reason = reason
    grant.save()
    audit.record_event(
        action="manager_access.revoked",
        target=grant,
        actor=by,
        data={"account": grant.account_id, "manager": grant.manager_id},
        reason=reason,
    )
    return grant


@transaction.atomic
def access_revoke(*, grant: ManagerAccess, by: User, reason: str) -> ManagerAccess:
    """Withdraw a manager's access (P3), with who, when and why."""
    _require(by, PERM_GRANT, "revoke access to accounts")
    reason = _require_reason(reason, what="the reason access is withdrawn (P3)")
    return _revoke(grant=grant, by=by, reason=reason)


@transaction.atomic
def access_recertify(
    *,
    grant: ManagerAccess,
    by: User,
    platform_mfa_confirmed: bool,
    policy_acknowledged_at: datetime | None = None,
) -> ManagerAccess:
    """Record the periodic review of a current grant (P3): still needed, MFA on."""
    _require(by, PERM_GRANT, "re-certify access")
    grant = ManagerAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise TransitionRefused(f"{grant} was revoked: there is nothing to re-certify.")
    if not platform_mfa_confirmed:
        raise ValidationError(
            {
                "platform_mfa_confirmed": "Confirm multi-factor sign-in is still on, "
                "or revoke the access instead."
            }
        )
    if policy_acknowledged_at is not None and policy_acknowledged_at > clock.now():
        raise ValidationError({"policy_acknowledged_at": "This date is in the future."})
    before = audit.snapshot(grant, ["review_due_on", "policy_acknowledged_at"])
    grant.last_reviewed_at = clock.now()
    grant.last_reviewed_by = by
    grant.review_due_on = clock.today() + _review_interval(CityProfile.objects.first())
    grant.review_overdue_reported_on = None
    if policy_acknowledged_at is not None:
        grant.policy_acknowledged_at = policy_acknowledged_at
    grant.save()
    audit.record_event(
        action="manager_access.recertified",
        target=grant,
        actor=by,
        data={
            "changes": audit.changes(
                before,
                audit.snapshot(grant, ["review_due_on", "policy_acknowledged_at"]),
            ),
            "platform_mfa_confirmed": True,
        },
    )
    return grant


# --- offboarding (P3) ---------------------------------------------------------------


@transaction.atomic
def offboarding_start(*, person: User, by: User, reason: str) -> Offboarding:
    """Revoke every current grant of ``person`` and list the platform steps to do.

    For each account: remove them as administrator on the platform; where the
    managers share one sign-in, rotate it. Credentials themselves are never stored.
    """
    _require(by, PERM_GRANT, "offboard managers")
    reason = _require_reason(reason, what="the reason (e.g. left the city)")
    grants = list(
        ManagerAccess.objects.current()
        .select_for_update()
        .filter(manager=person)
        .select_related("account")
    )
    if not grants:
        raise TransitionRefused(
            "This person holds no current access to any account: there is nothing "
            "to offboard."
        )
    offboarding = Offboarding.objects.create(
        person=person, reason=reason, started_by=by, started_at=clock.now()
    )
    steps = []
    for grant in grants:
        _revoke(grant=grant, by=by, reason=f"Offboarding #{offboarding.pk}: {reason}")
        steps.append(
            OffboardingStep(
                offboarding=offboarding,
                account=grant.account,
                grant=grant,
                kind=OffboardingStep.Kind.REMOVE_ADMIN,
            )
        )
        if grant.account.uses_shared_login:
            steps.append(
                OffboardingStep(
                    offboarding=offboarding,
                    account=grant.account,
                    grant=grant,
                    kind=OffboardingStep.Kind.ROTATE_CREDENTIALS,
                )
            )
    OffboardingStep.objects.bulk_create(steps)
    audit.record_event(
        action="offboarding.started",
        target=offboarding,
        actor=by,
        data={
            "person": person.pk,
            "grants_revoked": [g.pk for g in grants],
            "steps": [[s.account_id, s.kind] for s in steps],
        },
        personal={"person": person.get_full_name() or person.get_username()},
        reason=reason,
    )
    return offboarding


@transaction.atomic
def offboarding_step_complete(
    *, step: OffboardingStep, by: User, note: str = ""
) -> OffboardingStep:
    """Record a platform-side step as done; the last one closes the offboarding."""
    _require(by, PERM_GRANT, "record offboarding steps")
    step = OffboardingStep.objects.select_for_update().get(pk=step.pk)
    if step.completed_at is not None:
        raise TransitionRefused(f"'{step}' was already recorded as done.")
    step.completed_at = clock.now()
    step.completed_by = by
    step.note = note.strip()
    step.save()
    audit.record_event(
        action="offboarding.step_completed",
        target=step.offboarding,
        actor=by,
        data={"step": step.pk, "account": step.account_id, "kind": step.kind},
        reason=step.note,
    )
    offboarding = Offboarding.objects.select_for_update().get(pk=step.offboarding_id)
    if not offboarding.steps.filter(completed_at__isnull=True).exists():
        offboarding.status = Offboarding.Status.COMPLETED
        offboarding.completed_at = clock.now()
        offboarding.save()
        audit.record_event(
            action="offboarding.completed",
            target=offboarding,
            actor=by,
            data={"changes": {"status": ["open", "completed"]}},
        )
    return step


# --- the daily access review report (P3) --------------------------------------------


def _city_administrator_emails() -> list[str]:
    return sorted(
        User.objects.filter(groups__name=roles.CITY_ADMINISTRATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def access_review_report_overdue(
    *, today: date | None = None, dry_run: bool = False
) -> dict[str, int]:
    """E-mail the City Administrators the access reviews that are overdue (P3).

    Marks each reported grant (the dashboard shows the mark). Safe to run twice
    the same day: the rows are locked, and grants already reported today are not
    reported again; with nothing new, no e-mail goes out.
    """
    today = today or clock.today()
    overdue = list(
        ManagerAccess.objects.current()
        .select_for_update()
        .filter(review_due_on__lt=today)
        .select_related("account__platform", "manager")
        .order_by("review_due_on", "pk")
    )
    new = [g for g in overdue if g.review_overdue_reported_on != today]
    result = {"overdue": len(overdue), "newly_reported": len(new), "emails": 0}
    if not new or dry_run:
        return result
    recipients = _city_administrator_emails()
    if recipients:
        url = reverse("admin:accounts_manageraccess_changelist")
        lines = [
            f"- {g.account} ({g.account.url}): {g.manager.get_full_name() or g.manager}"
            f", review due {g.review_due_on:%Y-%m-%d} "
            f"({(today - g.review_due_on).days} days overdue)"
            for g in overdue
        ]
        send_mail(
            subject=f"{len(overdue)} manager access review(s) overdue",
            message=(
                "These managers' access to city social media accounts is past its "
                "periodic review (P3). Re-certify or revoke each one:\n\n"
                + "\n".join(lines)
                + f"\n\nManager access: {url}?review=overdue\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        result["emails"] = 1
    else:
        logger.warning("No active City Administrator has an e-mail address.")
    ManagerAccess.objects.filter(pk__in=[g.pk for g in overdue]).update(
        review_overdue_reported_on=today
    )
    audit.record_event(
        action="manager_access.review_overdue_reported",
        data={
            "grants": [g.pk for g in overdue],
            "recipients": len(recipients),
            "today": today,
        },
    )
    return result
