"""Access to staff pages: one decorator, so the sign-in rules live in one place.

A staff page needs a signed-in, active staff member who has verified a second
factor in this session (django-otp: a TOTP code or a one-time backup code). Only
the embedded demo may relax the second factor (``TWO_FACTOR_REQUIRED=false``,
read only by ``config.settings.local``); the admin site uses the same rule
(``core.admin_site``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device


def is_staff(user: Any) -> bool:
    """Return True when ``user`` is signed in, active and staff (password only)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_second_factor_verified(user: Any) -> bool:
    """Return True when this session verified a second factor (or the demo
    relaxes it)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def is_staff_verified(user: Any) -> bool:
    """Return True when ``user`` may use staff pages: staff and second factor."""
    return is_staff(user) and is_second_factor_verified(user)


def second_factor_redirect(
    request: HttpRequest, *, next_url: str | None = None
) -> HttpResponse:
    """Send the visitor to the step of sign-in they still need.

    Not signed in, or signed in with a device but not verified: the sign-in page.
    Signed in as staff without any device yet: the two-factor setup page.
    """
    next_url = next_url or request.get_full_path()
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    user = request.user
    if is_staff(user) and not user_has_device(user):
        return redirect_to_login(next_url, "two_factor:setup")
    return redirect_to_login(next_url)


def staff_required(
    view: Callable[..., HttpResponseBase] | None = None,
    *,
    perm: str = "",
) -> Any:
    """Require a signed-in staff member with a verified second factor, holding
    ``perm`` when given (a model permission: ``"appeals.handle_appeal"``).

    Anonymous visitors are sent to sign in; staff who have not verified a second
    factor are sent to verify it (or set one up); signed-in staff without the
    permission get 403.
    """

    def decorator(
        func: Callable[..., HttpResponseBase],
    ) -> Callable[..., HttpResponseBase]:
        @wraps(func)
        def wrapper(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not is_staff_verified(request.user):
                return second_factor_redirect(request)
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        wrapper.staff_required = True  # type: ignore[attr-defined]
        wrapper.staff_perm = perm  # type: ignore[attr-defined]
        return wrapper

    return decorator(view) if view is not None else decorator


def can_open(user: Any, url_name: str, *args: Any) -> bool:
    """Return True when ``user`` may open the staff page named ``url_name``, so
    menus offer only the pages that will not answer 403."""
    from django.urls import resolve, reverse

    view = resolve(reverse(url_name, args=args)).func
    if not getattr(view, "staff_required", False):
        return True
    perm = getattr(view, "staff_perm", "")
    return is_staff_verified(user) and (not perm or user.has_perm(perm))
