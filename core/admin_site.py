"""The admin site, behind the same two-factor sign-in as every staff page.

``INSTALLED_APPS`` lists :class:`CityAdminConfig` instead of
``django.contrib.admin``, so ``admin.site`` (and every ``@admin.register``) is a
:class:`CityAdminSite`: a signed-in staff member who has not verified a second
factor is sent to verify it (or to set one up) before any admin page. Every admin
page also refuses a lookup in its address that the database could only fail on
(400): a regular expression, and on a database without JSON containment (SQLite)
``contains`` or ``contained_by`` on a JSON field. A list's date drill-down
(``date_hierarchy``) to a date past the ends of the calendar is treated as Django
treats any other invalid one: back to the unfiltered list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest, FieldDoesNotExist
from django.db import connection, models
from django.db.models.constants import LOOKUP_SEP
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
)

# Lookups the admin's own pages never put in an address, whose value the database
# compiles as a pattern: an invalid one ("?handle__regex=(") is an error at query
# time, past the admin's checks (a 500 on SQLite and PostgreSQL alike).
REFUSED_LOOKUPS = frozenset({"regex", "iregex"})
# JSON containment, which SQLite cannot run ("?data__contains=x" was a 500 there).
JSON_CONTAINMENT = frozenset({"contains", "contained_by"})

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def _through_json_field(model: type[models.Model] | None, parts: list[str]) -> bool:
    """Whether the field path ``parts`` from ``model`` reaches a JSON field."""
    opts = model._meta if model is not None else None
    for part in parts:
        if opts is None:
            return False
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if isinstance(field, models.JSONField):
            return True
        related = field.related_model if field.is_relation else None
        opts = related._meta if isinstance(related, type) else None
    return False


def _date_drill_down_off_calendar(query: QueryDict) -> bool:
    """Whether ``<field>__year`` (with ``__month``, ``__day``) names a period that
    runs past the ends of the calendar.

    Django's changelist turns the drill-down into ``[start, start + a day, month or
    year)`` and catches a ValueError from the start only: year 9999 (whose end is
    in year 10000) and a number too large for a C long raise past it (a 500). A
    year, month or day that is no number, or no date, Django refuses itself.
    """
    for key in query:
        if not key.endswith(f"{LOOKUP_SEP}year"):
            continue
        field = key.removesuffix(f"{LOOKUP_SEP}year")
        values = (
            query.get(key),
            query.get(f"{field}{LOOKUP_SEP}month"),
            query.get(f"{field}{LOOKUP_SEP}day"),
        )
        try:
            year, month, day = (int(v) if v is not None else None for v in values)
        except ValueError:
            continue
        try:
            start = datetime(year or 0, month or 1, day or 1)
        except ValueError:
            continue
        except OverflowError:
            return True
        try:
            if day:
                start + timedelta(days=1)
            elif month:
                start + timedelta(days=32)
            else:
                start.replace(year=start.year + 1)
        except (OverflowError, ValueError):
            return True
    return False


def _refuse_failing_lookups(view: _View) -> _View:
    # The admin's own views are bound methods of their ModelAdmin.
    model = getattr(getattr(view, "__self__", None), "model", None)

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        for key in request.GET:
            parts = key.split(LOOKUP_SEP)
            if REFUSED_LOOKUPS.intersection(parts[1:]):
                raise BadRequest("A regular-expression lookup in an admin address.")
            if (
                len(parts) > 1
                and parts[-1] in JSON_CONTAINMENT
                and not connection.features.supports_json_field_contains
                and _through_json_field(model, parts[:-1])
            ):
                raise BadRequest("This database cannot search inside JSON that way.")
        if _date_drill_down_off_calendar(request.GET):
            # As Django answers an invalid drill-down: the list, unfiltered.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return view(request, *args, **kwargs)

    return cast(_View, checked)


class CityAdminSite(admin.AdminSite):
    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin page, as Django's, refusing lookups that could only fail."""
        return super().admin_view(_refuse_failing_lookups(view), cacheable)

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
