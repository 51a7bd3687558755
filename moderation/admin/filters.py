"""The filters of the removal list: account, category (P21), who removed it,
author told, comment restored, and the date range. A value a filter cannot read
(not an id, not a date) is ignored, never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_date

from accounts.models import User
from core import clock
from core.ids import parse_id
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
)


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from accounts.selectors import account_list_visible_to

        accounts = account_list_visible_to(user=request.user)
        return [(str(a.pk), f"{a.handle} ({a.platform.name})") for a in accounts]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        account_id = parse_id(self.value())
        if account_id is not None:
            return queryset.filter(account_id=account_id)
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """Categories ticked when the removal was logged (P21)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(c.number), str(c)) for c in RemovalCategory.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        number = parse_id(self.value())
        if number is not None:
            # By category id, without a join, so PostgreSQL estimates the rows
            # from the link table's statistics.
            category = RemovalCategory.objects.filter(number=number).first()
            return queryset.filter(
                Exists(
                    RemovalDecisionCategory.objects.filter(
                        decision=OuterRef("pk"),
                        category_id=category.pk if category else 0,
                    )
                )
            )
        return queryset


class RemoverFilter(admin.SimpleListFilter):
    title = "removed by"
    parameter_name = "remover"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The people who logged a removal (whatever their role is now).
        users = User.objects.filter(
            pk__in=RemovalDecision.objects.order_by().values("removed_by")
        )
        return [(str(u.pk), str(u)) for u in users.order_by("last_name", "username")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        user_id = parse_id(self.value())
        if user_id is not None:
            return queryset.filter(removed_by_id=user_id)
        return queryset


class AuthorToldFilter(admin.SimpleListFilter):
    title = "author told"
    parameter_name = "told"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Told"), ("no", "Not told yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        told_later = Exists(
            RemovalAmendment.objects.filter(
                decision=OuterRef("pk"), kind=RemovalAmendment.Kind.AUTHOR_NOTIFIED
            )
        )
        if self.value() == "no":
            return queryset.filter(notified_via="").exclude(told_later)
        if self.value() == "yes":
            return queryset.filter(~Q(notified_via="") | told_later)
        return queryset


class RestoredFilter(admin.SimpleListFilter):
    title = "comment restored"
    parameter_name = "restored"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Restored"), ("no", "Still removed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        restored = Exists(
            RemovalAmendment.objects.filter(
                decision=OuterRef("pk"), kind=RemovalAmendment.Kind.RESTORATION
            )
        )
        if self.value() == "yes":
            return queryset.filter(restored)
        if self.value() == "no":
            return queryset.exclude(restored)
        return queryset


class RemovedDateFilter(admin.ListFilter):
    """Removed between two dates (inclusive, the city's time zone), with presets."""

    title = "date removed"
    template = "admin/moderation/date_range_filter.html"
    parameter_from = "removed_from"
    parameter_to = "removed_to"

    def __init__(
        self, request: HttpRequest, params: dict, model: Any, model_admin: Any
    ) -> None:
        super().__init__(request, params, model, model_admin)
        self.values: dict[str, str] = {}
        for name in (self.parameter_from, self.parameter_to):
            if name in params:
                value = params.pop(name)
                self.values[name] = value[-1] if isinstance(value, list) else value
        self.hidden_params = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in (self.parameter_from, self.parameter_to, "p")
            for value in values
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return [self.parameter_from, self.parameter_to]

    def _date(self, name: str) -> date | None:
        try:
            return parse_date(self.values.get(name, "") or "")
        except ValueError:
            return None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        start, end = self._date(self.parameter_from), self._date(self.parameter_to)
        if start and (since := clock.day_start(start)):
            queryset = queryset.filter(removed_at__gte=since)
        if end and (until := clock.day_start(end, days_later=1)):
            queryset = queryset.filter(removed_at__lt=until)
        return queryset

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        today = clock.today()
        presets = [
            ("Any date", None, None),
            ("Today", today, today),
            ("Past 7 days", today - timedelta(days=6), today),
            ("Past 30 days", today - timedelta(days=29), today),
            ("This year", date(today.year, 1, 1), today),
        ]
        current = (
            self.values.get(self.parameter_from, ""),
            self.values.get(self.parameter_to, ""),
        )
        for label, start, end in presets:
            wanted = (
                start.isoformat() if start else "",
                end.isoformat() if end else "",
            )
            params = {
                self.parameter_from: wanted[0],
                self.parameter_to: wanted[1],
            }
            yield {
                "selected": current == wanted,
                "query_string": changelist.get_query_string(
                    {k: v for k, v in params.items() if v},
                    [self.parameter_from, self.parameter_to],
                ),
                "display": label,
            }
