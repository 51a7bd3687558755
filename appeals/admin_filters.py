"""What the removal pages (moderation) show of appeals, registered in
``AppealsConfig.ready()`` through ``moderation.extensions``: the removal list's
filters (was a removal appealed, and with what outcome, P22) and the appeals
listed on a removal's record page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from appeals.models import Appeal, Filing


def _appealed(**filters: Any) -> QuerySet:
    return Appeal.objects.filter(removal__isnull=False, **filters).values("removal_id")


class AppealedFilter(admin.SimpleListFilter):
    title = "appealed"
    parameter_name = "appealed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("open", "Appeal open"),
            ("yes", "Appealed (any)"),
            ("no", "Not appealed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(pk__in=_appealed(status__in=Filing.OPEN_STATUSES))
        if self.value() == "yes":
            return queryset.filter(pk__in=_appealed())
        if self.value() == "no":
            return queryset.exclude(pk__in=_appealed())
        return queryset


class AppealOutcomeFilter(admin.SimpleListFilter):
    title = "appeal outcome"
    parameter_name = "appeal_outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Appeal.Outcome.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Appeal.Outcome.values:
            return queryset.filter(pk__in=_appealed(outcome=self.value()))
        return queryset


def removal_appeals(decision: Any) -> tuple[str, list[tuple[str, str]]]:
    """The appeals of a removal, for its record page (P22)."""
    items = []
    for appeal in Appeal.objects.filter(removal=decision).order_by("pk"):
        text = f"{appeal}: {appeal.get_status_display()}"
        if appeal.outcome:
            text += f", {appeal.get_outcome_display().lower()}"
        items.append((text, appeal.get_absolute_url()))
    return ("Appeals (P22)", items)
