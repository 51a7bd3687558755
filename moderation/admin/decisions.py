"""The removal log in the admin: the read-only list, its search, and the CSV
export of what it shows."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from core import audit, clock
from core.ids import parse_id
from moderation import extensions, selectors
from moderation.admin.export import _Echo, export_rows
from moderation.admin.filters import (
    AccountFilter,
    AuthorToldFilter,
    CategoryFilter,
    RemovedDateFilter,
    RemoverFilter,
    RestoredFilter,
)
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
)
from moderation.paginator import EstimatedCountPaginator, planner_estimate

# A search matching at most this many decisions is answered through their ids.
SEARCH_ID_LIST_MAX = 5000


@admin.register(RemovalDecision)
class RemovalDecisionAdmin(admin.ModelAdmin):
    list_display = (
        "reference_link",
        "removed_at",
        "account_label",
        "category_numbers",
        "removed_by",
        "told",
        "is_restored",
    )
    list_display_links = None
    list_filter = (
        AccountFilter,
        CategoryFilter,
        RemoverFilter,
        RemovedDateFilter,
        AuthorToldFilter,
        RestoredFilter,
        "platform_action",
    )
    # Searched by get_search_results below: the exact comment id, and words of the
    # author's name or handle or of the comment (trigram indexes, migration 0005).
    search_fields = ("comment_id", "author_handle", "author_name", "comment_text")
    search_help_text = (
        "Search by author name or handle, words of the comment, or the exact "
        "comment id."
    )
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    change_list_template = "admin/moderation/removaldecision/change_list.html"
    ordering = ("-removed_at", "-id")

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Apps on the right add theirs (appeals: appealed, appeal outcome, P22).
        return (*self.list_filter, *extensions.list_filters())

    def get_queryset(self, request: HttpRequest) -> QuerySet[RemovalDecision]:
        # Told/restored come from the page's amendments (one prefetch query), not
        # EXISTS annotations, which PostgreSQL plans as a scan of every amendment.
        return selectors.removal_list_visible_to(user=request.user).prefetch_related(
            Prefetch("categories", queryset=RemovalCategory.objects.only("number")),
            Prefetch(
                "amendments",
                queryset=RemovalAmendment.objects.only("decision_id", "kind"),
                to_attr="page_amendments",
            ),
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Match every word (quotes keep a phrase) against the author's name and
        handle and the comment text, or the exact comment id (not the admin's
        case-insensitive "=", which no index serves).

        On PostgreSQL a search that matches few rows is answered through its ids:
        otherwise the planner may walk the date index past a million rows to find
        a rare author (seconds); a search matching many rows keeps that fast walk.
        """
        terms = [
            unescape_string_literal(term)
            if len(term) > 1 and term[0] in "'\"" and term[-1] == term[0]
            else term
            for term in smart_split(search_term)
        ]
        terms = [term for term in terms if term.strip()]
        if not terms:
            return queryset, False
        condition = Q()
        for term in terms:
            condition &= (
                Q(comment_id=term)
                | Q(author_handle__icontains=term)
                | Q(author_name__icontains=term)
                | Q(comment_text__icontains=term)
            )
        matches = queryset.filter(condition)
        if connection.vendor != "postgresql":
            return matches, False
        estimate = planner_estimate(matches) or 0
        if estimate > SEARCH_ID_LIST_MAX * 4:
            # Common words: the walk down the date index finds a page at once.
            return matches, False
        ids = list(
            matches.order_by().values_list("pk", flat=True)[: SEARCH_ID_LIST_MAX + 1]
        )
        if len(ids) <= SEARCH_ID_LIST_MAX:
            return queryset.filter(pk__in=ids), False
        return matches, False

    # Records stand as made (P20 spirit): nothing is added, changed or deleted here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        """Show the printable record page, where amendments are appended."""
        pk = parse_id(object_id)
        if pk is None:  # the admin says that no such removal exists
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect("moderation:removal-detail", pk=pk)

    @admin.display(description="Removal", ordering="id")
    def reference_link(self, obj: RemovalDecision) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("moderation:removal-detail", args=[obj.pk]),
            obj.reference,
        )

    @admin.display(description="Account", ordering="account__handle")
    def account_label(self, obj: RemovalDecision) -> str:
        return f"{obj.account.handle} ({obj.account.platform.name})"

    @admin.display(description="Categories")
    def category_numbers(self, obj: RemovalDecision) -> str:
        return ", ".join(str(c.number) for c in obj.categories.all())

    @admin.display(description="Author told", boolean=True)
    def told(self, obj: RemovalDecision) -> bool:
        return bool(obj.notified_via) or any(
            a.kind == RemovalAmendment.Kind.AUTHOR_NOTIFIED
            for a in getattr(obj, "page_amendments", ())
        )

    @admin.display(description="Restored", boolean=True)
    def is_restored(self, obj: RemovalDecision) -> bool:
        return any(
            a.kind == RemovalAmendment.Kind.RESTORATION
            for a in getattr(obj, "page_amendments", ())
        )

    def get_urls(self) -> list:
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="moderation_removaldecision_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        query = request.GET.urlencode()
        extra_context["export_url"] = reverse(
            "admin:moderation_removaldecision_export"
        ) + (f"?{query}" if query else "")
        extra_context["log_url"] = reverse("moderation:removal-new")
        return super().changelist_view(request, extra_context)

    def export_csv(self, request: HttpRequest) -> HttpResponseBase:
        """Stream the filtered list as CSV, in constant memory."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        # The list's own prefetch is replaced by the export's, chunk by chunk.
        queryset = changelist.get_queryset(request).prefetch_related(None)
        filters = {k: v for k, v in request.GET.items() if k != "q"}
        audit.record_event(
            action="moderation.removals.exported",
            actor=request.user,
            data={"filters": filters, "format": "csv"},
            personal={"search": request.GET["q"]} if request.GET.get("q") else None,
        )
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in export_rows(queryset)),
            content_type="text/csv; charset=utf-8",
        )
        stamp = clock.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="removals-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
