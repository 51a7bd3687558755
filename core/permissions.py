"""Object-level permissions (django-rules): what a role may do with one record.

Model permissions (``core.roles.ROLE_PERMISSIONS``, held by the role groups) say
what a role may do with a kind of record. The rules here add what depends on the
record itself:

- a Social Media Manager sees and acts only on the accounts they manage (P11),
  and on the records (removals, messages) of those accounts;
- privileged attorney consultation notes are only for the City Attorney and the
  City Administrator;
- a Records Officer places legal holds (R3) but does not approve accounts (P12).

Check them with ``user.has_perm("accounts.act_on_account", account)`` (the
``rules`` backend is in ``AUTHENTICATION_BACKENDS``), scope querysets with
:func:`scope_to_managed_accounts`, and give an admin both with
:class:`ManagedAccountAdminMixin`.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from core.exceptions import NotPermitted
from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
    has_role,
)


@rules.predicate
def is_city_administrator(user: Any) -> bool:
    return has_role(user, CITY_ADMINISTRATOR)


@rules.predicate
def is_records_officer(user: Any) -> bool:
    return has_role(user, RECORDS_OFFICER)


@rules.predicate
def is_city_attorney(user: Any) -> bool:
    return has_role(user, CITY_ATTORNEY)


@rules.predicate
def is_social_media_manager(user: Any) -> bool:
    return has_role(user, SOCIAL_MEDIA_MANAGER)


def _account_of(obj: Any) -> Any:
    """Return the account ``obj`` is (an Account) or belongs to (``.account``)."""
    if obj is None:
        return None
    if obj._meta.label == "accounts.Account":
        return obj
    return getattr(obj, "account", None)


@rules.predicate
def manages_account(user: Any, obj: Any) -> bool:
    """The user currently manages the account of ``obj`` (P11)."""
    from accounts.selectors import user_manages_account

    account = _account_of(obj)
    return account is not None and user_manages_account(user=user, account=account)


# Roles that see every account's records (oversight, records, legal advice).
sees_every_account = is_city_administrator | is_records_officer | is_city_attorney
# Acting on an account's records: the City Administrator, or its own managers.
can_act_on_account = is_city_administrator | manages_account
can_read_privileged = is_city_administrator | is_city_attorney
can_place_hold = is_records_officer
can_approve_account = is_city_administrator

rules.add_perm("accounts.see_account", sees_every_account | manages_account)
rules.add_perm("accounts.act_on_account", can_act_on_account)
rules.add_perm("accounts.approve_account", can_approve_account)
rules.add_perm("appeals.read_privileged", can_read_privileged)
rules.add_perm("retention.place_hold", can_place_hold)


def require(user: Any, perm: str, obj: Any = None, *, doing: str) -> None:
    """Refuse (``NotPermitted``) unless ``user`` is active and holds ``perm``, on
    ``obj`` when given (a ``rules`` object permission): the one check a service
    makes before it changes anything. ``doing`` completes "You may not ...".
    """
    if user is not None and user.is_active and user.has_perm(perm, obj):
        return
    raise NotPermitted(f"You may not {doing}.")


def scope_to_managed_accounts(
    queryset: QuerySet[Any], user: Any, *, account_path: str = "account"
) -> QuerySet[Any]:
    """Return the rows of ``queryset`` that ``user`` may see.

    Oversight roles see every row; anyone else (a Social Media Manager) only the
    rows of the accounts they currently manage. ``account_path`` is the lookup
    from the model to its account (``""`` for the Account model itself).
    """
    from accounts.selectors import account_list_managed_by

    if sees_every_account(user):
        return queryset
    managed = account_list_managed_by(user=user).values("pk")
    lookup = f"{account_path}__in" if account_path else "pk__in"
    return queryset.filter(**{lookup: managed})


class ManagedAccountAdminMixin:
    """Limit an admin's rows, account choices and object permissions to the
    accounts the user may see (all for oversight roles, their own for managers).
    """

    account_path = "account"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_to_managed_accounts(
            queryset, request.user, account_path=self.account_path
        )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == self.account_path and self.account_path:
            kwargs["queryset"] = scope_to_managed_accounts(
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
