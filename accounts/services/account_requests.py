"""Requests for new accounts and their decision (P12, P14)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import (
    Account,
    AccountRequest,
    User,
)
from accounts.services._base import (
    PERM_DECIDE,
    REQUEST_PERSONAL_FIELDS,
    _account_create,
    _require_reason,
)
from core import audit, clock
from core.exceptions import DomainError, NotPermitted, ensure_status
from core.permissions import require


def _request_data(request: AccountRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = [
        f for f in AccountRequest.EDITABLE_FIELDS if f not in REQUEST_PERSONAL_FIELDS
    ]
    return (
        audit.snapshot(request, fields),
        audit.snapshot(request, REQUEST_PERSONAL_FIELDS),
    )


def _validate_request_for_submission(request: AccountRequest) -> None:
    request.full_clean()
    if not request.city_controlled_confirmed:
        raise DomainError(
            "Confirm that the city will control this account: personal accounts "
            "cannot be registered (P6).",
            field="city_controlled_confirmed",
        )


@transaction.atomic
def account_request_create(
    *, by: User, submit: bool = False, **values: Any
) -> AccountRequest:
    """Start a department's request for a new account (P12), as a draft or submitted."""
    if not (by.is_active and by.is_staff):
        raise NotPermitted("Only city staff can request an account.")
    unknown = set(values) - set(AccountRequest.EDITABLE_FIELDS)
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
    *, request: AccountRequest, by: User, submit: bool = False, **values: Any
) -> AccountRequest:
    """Change a draft request (only its requester, or the approving authority).

    With ``submit``, also send it to the approving authority (P12) in the same
    transaction: when it cannot be submitted, the changes are not saved either.
    """
    unknown = set(values) - set(AccountRequest.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if not _may_act_for_request(request, by):
        raise NotPermitted("Only the person who made this request can change it.")
    ensure_status(request, allowed=(AccountRequest.Status.DRAFT,), doing="changed")
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
    if submit:
        request = account_request_submit(request=request, by=by)
    return request


@transaction.atomic
def account_request_submit(*, request: AccountRequest, by: User) -> AccountRequest:
    """Send a draft to the approving authority (P12)."""
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id != by.pk:
        raise NotPermitted("Only the person who made this request can submit it.")
    ensure_status(request, allowed=(AccountRequest.Status.DRAFT,), doing="submitted")
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
    ensure_status(
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
    require(by, PERM_DECIDE, doing="approve account requests")
    reason = _require_reason(reason, what="the reason for approving (P12)")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    ensure_status(request, allowed=(AccountRequest.Status.SUBMITTED,), doing="approved")
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
        if not set(getattr(exc, "error_dict", ())) & set(mapping):
            raise
        raise ValidationError(
            {mapping.get(k, k): v for k, v in exc.error_dict.items()}
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
    require(by, PERM_DECIDE, doing="deny account requests")
    reason = _require_reason(reason, what="the reason for denying it (P12)")
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    ensure_status(request, allowed=(AccountRequest.Status.SUBMITTED,), doing="denied")
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
