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


def require(user: Any, perm: str, obj: Any = None, *, doing: str) -> None:
    """Refuse (``NotPermitted``) unless ``user`` is active and holds ``perm``, on
    ``obj`` when given (a ``rules`` object permission): the one check a service
    makes before it changes anything. ``doing`` completes "You may not ...".
    """
    if user is not None and user.is_active and user.has_perm(perm, obj):
        return
    raise NotPermitted(f"You may not {doing}.")
