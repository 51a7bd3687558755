"""The one check a service makes before it changes anything: :func:`require`.

Model permissions are held by the role groups (each app's ``<app>/permissions.py``
declares its ``ROLE_PERMISSIONS``, see ``core.roles``); what depends on the record
itself is a ``rules`` object permission declared in the same module (e.g.
``accounts.act_on_account`` in ``accounts.permissions``). ``require`` asks Django
for either, so both are checked the same way.
"""

from __future__ import annotations

from typing import Any

from core.exceptions import NotPermitted
from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

# What each role holds of core's own records (the audit trail, the holidays, the
# outbox) and of the sign-in security records (lockouts, second factors).
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {
        "core.view_auditevent",
        "core.view_holiday",
        # Every email sent or waiting (core.outbox).
        "core.view_outboxmessage",
        "core.add_holiday",
        "core.change_holiday",
        "core.delete_holiday",
        # Sign-in security: unlock lockouts, reset a lost second factor.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    },
    SOCIAL_MEDIA_MANAGER: set(),
    RECORDS_OFFICER: {"core.view_auditevent"},
    CITY_ATTORNEY: set(),
}


def holds(user: Any, perm: str, obj: Any = None) -> bool:
    """Return True when ``user`` is active and holds ``perm``, on ``obj`` when
    given (a ``rules`` object permission): the one test of a permission, used by
    :func:`require` and by a service that asks it of someone other than the
    person acting (e.g. whether the attorney named is the City Attorney)."""
    return bool(user is not None and user.is_active and user.has_perm(perm, obj))


def require(user: Any, perm: str, obj: Any = None, *, doing: str) -> None:
    """Refuse (``NotPermitted``) unless ``user`` :func:`holds` ``perm``, on
    ``obj`` when given (a ``rules`` object permission): the one check a service
    makes before it changes anything. ``doing`` completes "You may not ...".
    """
    if holds(user, perm, obj):
        return
    raise NotPermitted(f"You may not {doing}.")
