"""The admin site, behind the same two-factor sign-in as every staff page.

``INSTALLED_APPS`` lists :class:`CityAdminConfig` instead of
``django.contrib.admin``, so ``admin.site`` (and every ``@admin.register``) is a
:class:`CityAdminSite`: a signed-in staff member who has not verified a second
factor is sent to verify it (or to set one up) before any admin page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse


class CityAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from core.auth import is_staff_verified

        return is_staff_verified(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send every admin sign-in through the two-factor sign-in pages."""
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import url_has_allowed_host_and_scheme

        from core.auth import second_factor_redirect

        next_url = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}
        ):
            next_url = reverse("admin:index")
        if self.has_permission(request):
            return redirect(next_url)
        return second_factor_redirect(request, next_url=next_url)


class CityAdminConfig(AdminConfig):
    default_site = "core.admin_site.CityAdminSite"
