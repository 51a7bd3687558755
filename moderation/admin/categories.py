"""The eight removal categories (P21) in the admin."""

from __future__ import annotations

from django.contrib import admin

from core.admin import AuditedModelAdmin
from moderation.models import RemovalCategory


@admin.register(RemovalCategory)
class RemovalCategoryAdmin(AuditedModelAdmin):
    """P21: the eight categories are fixed; only the local explanation is editable."""

    list_display = ("number", "name", "code")
    readonly_fields = ("number", "code", "name", "explanation")
    fields = ("number", "code", "name", "explanation", "local_explanation")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
