"""Who may do what with comment removals (P11, P20-P22).

``ROLE_PERMISSIONS`` says which permissions each role group holds (collected by
``core.roles.role_permissions`` after every ``migrate``). Code never tests a
group's name: it asks ``user.has_perm(...)`` (``core.permissions.require`` in a
service), so a permission given to one person directly works as it does for a
role.

Decisions are never changed or deleted (P20 spirit), so no role holds change or
delete on them; "add" is logging one and appending amendments and evidence.

What depends on the account is a ``rules`` object permission under the model
permission's own name: ``user.has_perm("moderation.add_removaldecision",
account)`` is true when the person holds ``moderation.add_removaldecision`` and
acts for that account (``accounts.act_on_account``: the account's current
managers, P11, or whoever holds ``accounts.manage_every_account``). The same
holds for ``add_removalamendment`` and ``add_removalevidence`` on a decision or
its account. Asked without an object, Django's model permission answers alone.

Which removals a person may read is ``moderation.selectors.removal_list_visible_to``
(their accounts, every account for the oversight roles, plus what apps on the
right add through ``moderation.visibility``).
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.permissions import manages_account
from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

# Reading the removal log: every role (data requests, appeal advice, managers).
_READ = {
    "moderation.view_removalcategory",
    "moderation.view_removaldecision",
    "moderation.view_removalamendment",
    "moderation.view_removalevidence",
    "moderation.view_restorationtask",
}
# Logging removals and appending to them (only for the accounts one acts for).
_LOG = {
    "moderation.add_removaldecision",
    "moderation.add_removalamendment",
    "moderation.add_removalevidence",
    # P22: asking for a comment to be restored (a reversed appeal).
    "moderation.add_restorationtask",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: _READ | _LOG | {"moderation.change_removalcategory"},
    SOCIAL_MEDIA_MANAGER: _READ | _LOG,
    RECORDS_OFFICER: set(_READ),
    CITY_ATTORNEY: set(_READ),
}

# Model permissions that, asked about an account (or a record of one), also
# need the person to act for that account.
ACCOUNT_SCOPED = (
    "moderation.add_removaldecision",
    "moderation.add_removalamendment",
    "moderation.add_removalevidence",
)


def _holds_for_account(perm: str) -> Any:
    @rules.predicate(name=f"holds {perm} for the account")
    def holds(user: Any, obj: Any) -> bool:
        # Asked without an object, ModelBackend answers: this rule only adds the
        # account. get_all_permissions() asks the model backends, not this rule.
        if obj is None or not user.is_active:
            return False
        return perm in user.get_all_permissions() and bool(manages_account(user, obj))

    return holds


for _perm in ACCOUNT_SCOPED:
    rules.add_perm(_perm, _holds_for_account(_perm))
