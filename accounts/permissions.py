"""Who may do what in the accounts app (P3, P4, P11, P12, P16-P18).

``ROLE_PERMISSIONS`` says which permissions each role group holds (collected by
``core.roles.role_permissions`` after every ``migrate``). Code never tests a
group's name: it asks ``user.has_perm(...)`` (``core.permissions.require`` in a
service), so a permission given to one person directly works as it does for a
role.

What depends on the account itself is a ``rules`` object permission, built from
model permissions and the person's current grants, never from a group name:

- ``accounts.see_account``: a person who holds ``accounts.view_every_account``
  (the oversight roles) sees every account's records; anyone else the accounts
  they act for;
- ``accounts.act_on_account``: a person who holds ``accounts.manage_every_account``
  (the City Administrator) acts for every account; anyone else for the accounts
  they hold current access to (P11).

Querysets are scoped the same way by :func:`scope_to_visible_accounts`, and an
admin gets both with :class:`ManagedAccountAdminMixin`.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts import selectors
from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

# What every role sees of the registry (the admin's own view permissions).
_READ_REGISTRY = {"accounts.view_account", "accounts.view_platform"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: _READ_REGISTRY
    | {
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_cityprofile",
        "accounts.change_cityprofile",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.add_platform",
        "accounts.change_platform",
        "accounts.add_account",
        "accounts.change_account",
        "accounts.view_manageraccess",
        "accounts.add_manageraccess",
        "accounts.change_manageraccess",
        # The approving authority (P12) and the oversight of every account (P3, P4).
        "accounts.view_every_account",
        "accounts.manage_every_account",
        "accounts.change_account_status",
        "accounts.verify_account_checklist",
        "accounts.view_accountrequest",
        "accounts.decide_accountrequest",
        "accounts.grant_manageraccess",
        "accounts.view_offboarding",
        # P16-P18: records and closes incidents.
        "accounts.view_incident",
        "accounts.add_incident",
        "accounts.close_incident",
    },
    SOCIAL_MEDIA_MANAGER: _READ_REGISTRY
    | {
        # Their own grants, and the checklist of the accounts they manage (P15).
        "accounts.view_manageraccess",
        "accounts.verify_account_checklist",
    },
    RECORDS_OFFICER: _READ_REGISTRY
    | {
        "accounts.view_every_account",
        # R2: account approvals, access grants and incidents are records the
        # city keeps.
        "accounts.view_accountrequest",
        "accounts.view_manageraccess",
        "accounts.view_incident",
    },
    # Legal advice reads every account's records.
    CITY_ATTORNEY: {"accounts.view_account", "accounts.view_every_account"},
}


def _account_of(obj: Any) -> Any:
    """Return the account ``obj`` is (an Account) or belongs to (``.account``)."""
    if obj is None:
        return None
    if obj._meta.label == "accounts.Account":
        return obj
    return getattr(obj, "account", None)


@rules.predicate
def sees_every_account(user: Any) -> bool:
    """The person oversees every account's records (P3, R2, legal advice)."""
    return bool(user.has_perm("accounts.view_every_account"))


@rules.predicate
def manages_account(user: Any, obj: Any) -> bool:
    """The person acts for the account of ``obj``: every account with
    ``accounts.manage_every_account``, else those they hold current access to."""
    account = _account_of(obj)
    return account is not None and selectors.user_manages_account(
        user=user, account=account
    )


rules.add_perm("accounts.see_account", sees_every_account | manages_account)
rules.add_perm("accounts.act_on_account", manages_account)


def scope_to_visible_accounts(
    queryset: QuerySet[Any], user: Any, *, account_path: str = "account"
) -> QuerySet[Any]:
    """Return the rows of ``queryset`` whose account ``user`` may see
    (``selectors.account_list_visible_to``). ``account_path`` is the lookup from
    the model to its account (``""`` for the Account model itself)."""
    if sees_every_account(user):
        return queryset
    visible = selectors.account_list_visible_to(user=user).values("pk")
    lookup = f"{account_path}__in" if account_path else "pk__in"
    return queryset.filter(**{lookup: visible})


class ManagedAccountAdminMixin:
    """Limit an admin's rows, account choices and object permissions to the
    accounts the user may see (all for the oversight roles, their own for
    managers)."""

    account_path = "account"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_to_visible_accounts(
            queryset, request.user, account_path=self.account_path
        )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == self.account_path and self.account_path:
            kwargs["queryset"] = scope_to_visible_accounts(
                db_field.remote_field.model._default_manager.all(),
                request.user,
                account_path="",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def _may_see(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or bool(
            request.user.has_perm("accounts.see_account", _account_of(obj))
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._may_see(  # type: ignore[misc]
            request, obj
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_see(  # type: ignore[misc]
            request, obj
        )
