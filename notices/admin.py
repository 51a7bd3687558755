"""Versions are read-only in the admin: they are prepared and published on the
review page (``notices:review``) through ``notices.services``."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdminMixin
from notices.models import DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "number", "status", "published_at", "page")
    list_filter = ("kind", "status")
    list_select_related = ("published_by", "created_by")
    fields = (
        "kind",
        "number",
        "status",
        "title",
        "page",
        "content_hash",
        "generator_version",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
        "superseded_at",
    )
    readonly_fields = fields

    @admin.display(description="page")
    def page(self, obj: DocumentVersion) -> str:
        if obj.is_draft:
            return format_html(
                '<a href="{}">Review the draft</a>', reverse("notices:review")
            )
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("sections")
