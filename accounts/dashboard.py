"""The accounts app's panels on the staff dashboard (a fixed few queries each)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from accounts import selectors
from accounts.models import AccountRequest, User
from core import clock
from core.dashboard import Panel

LIMIT = 10


def non_compliant_panel(request: HttpRequest) -> Panel | None:
    """P5, P13, P15: accounts missing a checklist item that this user can see."""
    user = request.user
    if not user.has_perm("accounts.view_account"):
        return None
    accounts = selectors.account_list_non_compliant(user=user)
    shown = list(accounts[: LIMIT + 1])
    if not shown and not user.has_perm("accounts.verify_account_checklist"):
        return None
    return Panel(
        title="Accounts not compliant",
        template="accounts/panels/non_compliant.html",
        context={
            "accounts": shown[:LIMIT],
            "more": len(shown) > LIMIT,
            "total": accounts.count() if len(shown) > LIMIT else len(shown),
        },
        order=20,
        alert=bool(shown),
    )


def unmanaged_panel(request: HttpRequest) -> Panel | None:
    """P11: accounts in service that nobody manages, for whoever grants access.
    They are off the public list (P7) until someone is given access."""
    if not request.user.has_perm("accounts.grant_manageraccess"):
        return None
    accounts = list(selectors.account_list_unmanaged()[: LIMIT + 1])
    if not accounts:
        return None
    return Panel(
        title="Accounts nobody manages",
        template="accounts/panels/unmanaged.html",
        context={"accounts": accounts[:LIMIT], "more": len(accounts) > LIMIT},
        order=25,
        alert=True,
    )


def overdue_reviews_panel(request: HttpRequest) -> Panel | None:
    """P3: access reviews past due (all for the City Administrator, else one's own)."""
    user = request.user
    is_granter = user.has_perm("accounts.grant_manageraccess")
    grants = selectors.grant_list_overdue(today=clock.today(), user=user)
    shown = list(grants[: LIMIT + 1])
    open_offboardings = (
        list(selectors.offboarding_list_open()[:LIMIT]) if is_granter else []
    )
    if not shown and not open_offboardings and not is_granter:
        return None
    return Panel(
        title="Manager access reviews",
        template="accounts/panels/overdue_reviews.html",
        context={
            "grants": shown[:LIMIT],
            "more": len(shown) > LIMIT,
            "is_granter": is_granter,
            "offboardings": open_offboardings,
            "today": clock.today(),
        },
        order=30,
        alert=bool(shown) or bool(open_offboardings),
    )


def pending_requests_panel(request: HttpRequest) -> Panel | None:
    """P12: requests waiting for the approving authority, or one's own open ones."""
    user = request.user
    can_decide = user.has_perm("accounts.decide_accountrequest")
    if can_decide:
        requests = list(selectors.request_list_pending()[: LIMIT + 1])
    else:
        requests = list(
            selectors.request_list_visible_to(user=user).filter(
                requested_by=cast(User, user),
                status__in=(
                    AccountRequest.Status.DRAFT,
                    AccountRequest.Status.SUBMITTED,
                ),
            )[: LIMIT + 1]
        )
    return Panel(
        title="Account requests waiting for a decision"
        if can_decide
        else "Your account requests",
        template="accounts/panels/pending_requests.html",
        context={
            "requests": requests[:LIMIT],
            "more": len(requests) > LIMIT,
            "can_decide": can_decide,
        },
        order=40,
        alert=can_decide and bool(requests),
    )
