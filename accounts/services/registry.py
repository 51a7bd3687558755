"""The registry: register, edit, suspend, reactivate, shut down (P4, P7, P14) and
the P5/P13/P15 checklist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.exceptions import NotPermitted, TransitionRefused
from accounts.models import (
    Account,
    Department,
    ManagerAccess,
    Platform,
    User,
)
from accounts.services._base import (
    PERM_CHANGE_ACCOUNT,
    PERM_CHECKLIST,
    PERM_DECIDE,
    PERM_STATUS,
    _account_create,
    _ensure_status,
    _require,
    _require_reason,
)
from accounts.services.access import _revoke
from core import audit, clock


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
    # Issue #17: the id the platform's deliveries name the account by.
    "platform_account_id",
)


def account_update_problem(account: Account) -> str:
    """Why ``account``'s details cannot be changed now, or "" (P4: a shut-down
    account's record stands as it is)."""
    if account.status == Account.Status.SHUT_DOWN:
        return f"{account} is shut down; its record stands as it is."
    return ""


@transaction.atomic
def account_update(*, account: Account, by: User, **values: Any) -> Account:
    """Change an account's details (not its status or checklist: see below)."""
    _require(by, PERM_CHANGE_ACCOUNT, "change account details")
    unknown = set(values) - set(ACCOUNT_UPDATABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    account = Account.objects.select_for_update().get(pk=account.pk)
    problem = account_update_problem(account)
    if problem:
        raise TransitionRefused(problem)
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
