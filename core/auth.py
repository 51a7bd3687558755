"""Access to staff pages: one decorator, so the sign-in rules live in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.roles import has_role


def is_staff_verified(user: Any) -> bool:
    """Return True when ``user`` may use staff pages (signed in, active, staff)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def staff_required(
    view: Callable[..., HttpResponse] | None = None, *, roles: tuple[str, ...] = ()
) -> Any:
    """Require a signed-in staff member, and one of ``roles`` when given.

    Anonymous visitors are sent to sign in; signed-in users without the role get 403.
    """

    def decorator(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_staff_verified(request.user):
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(request.user, *roles):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
