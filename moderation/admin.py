"""The removal log in the admin: read-only lists, filters, search and CSV export.

Decisions are logged on the staff form (``moderation:removal-new``) and never
changed here (P20 spirit): no add, change or delete; opening one shows its
printable record page, where amendments are appended through the services.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.contrib import admin
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from accounts.models import User
from appeals.admin_filters import AppealedFilter, AppealOutcomeFilter
from core import audit, clock
from core.admin import AuditedModelAdmin
from core.roles import CITY_ADMINISTRATOR, SOCIAL_MEDIA_MANAGER
from moderation import selectors
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
)
from moderation.paginator import EstimatedCountPaginator, planner_estimate


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


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from accounts.models import Account
        from accounts.selectors import account_list_managed_by

        accounts = (
            Account.objects.select_related("platform")
            if selectors.user_sees_all_removals(request.user)
            else account_list_managed_by(user=request.user)
        )
        return [(str(a.pk), f"{a.handle} ({a.platform.name})") for a in accounts]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        if value.isdigit():
            return queryset.filter(account_id=int(value))
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """Categories ticked when the removal was logged (P21)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(c.number), str(c)) for c in RemovalCategory.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        if value.isdigit():
            # By category id, without a join, so PostgreSQL estimates the rows
            # from the link table's statistics.
            category = RemovalCategory.objects.filter(number=int(value)).first()
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
        users = User.objects.filter(
            groups__name__in=(SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR)
        ).distinct()
        return [(str(u.pk), str(u)) for u in users.order_by("last_name", "username")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        if value.isdigit():
            return queryset.filter(removed_by_id=int(value))
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

    @staticmethod
    def _start_of(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        start, end = self._date(self.parameter_from), self._date(self.parameter_to)
        if start:
            queryset = queryset.filter(removed_at__gte=self._start_of(start))
        if end:
            queryset = queryset.filter(
                removed_at__lt=self._start_of(end + timedelta(days=1))
            )
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


# Cells starting with these are read as formulas by spreadsheets; comments come
# from the public, so they are neutralised in the export (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, tz: Any = None) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat(
            timespec="seconds"
        )
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "reference",
    "account",
    "platform",
    "comment_id",
    "comment_url",
    "author_name",
    "author_handle",
    "posted_at",
    "removed_at",
    "removed_by",
    "categories",
    "link_to_material",
    "facts",
    "reasoning",
    "platform_action",
    "author_told",
    "author_told_at",
    "restored",
    "corrected",
    "comment_text",
    "notice_version",
    "classification",
    "logged_at",
]


# Columns read for the export, in one query per chunk (no model instances: the
# export of a million rows must be fast and run in constant memory).
_EXPORT_FIELDS = (
    "id",
    "account__handle",
    "account__platform__name",
    "comment_id",
    "comment_url",
    "author_name",
    "author_handle",
    "posted_at",
    "removed_at",
    "removed_by__username",
    "link_to_material",
    "facts",
    "reasoning",
    "platform_action",
    "classification",
    "notified_via",
    "notified_at",
    "comment_text",
    "notice_version__number",
    "created_at",
)
EXPORT_CHUNK = 2000
# A search matching at most this many decisions is answered through their ids.
SEARCH_ID_LIST_MAX = 5000


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def export_rows(queryset: QuerySet[RemovalDecision]) -> Iterator[list[Any]]:
    """Yield the CSV rows of ``queryset`` in constant memory: a server-side cursor
    on PostgreSQL, read 2,000 decisions at a time, each chunk's categories and
    amendments in one query each. Values are as they stand after corrections."""
    yield EXPORT_COLUMNS
    tz = timezone.get_current_timezone()
    rows = (
        queryset.prefetch_related(None)
        .values_list(*_EXPORT_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for chunk in _chunks(rows, EXPORT_CHUNK):
        ids = [row[0] for row in chunk]
        numbers: dict[int, list[int]] = defaultdict(list)
        for decision_id, number in (
            RemovalDecisionCategory.objects.filter(decision_id__in=ids)
            .order_by("category__number")
            .values_list("decision_id", "category__number")
        ):
            numbers[decision_id].append(number)
        appended: dict[int, list[tuple]] = defaultdict(list)
        for decision_id, *rest in (
            RemovalAmendment.objects.filter(decision_id__in=ids)
            .order_by("made_at", "id")
            .values_list(
                "decision_id",
                "kind",
                "field",
                "new_value",
                "notified_via",
                "notified_at",
            )
        ):
            appended[decision_id].append(tuple(rest))
        for row in chunk:
            values = dict(zip(_EXPORT_FIELDS, row, strict=True))
            values["categories"] = numbers[values["id"]]
            told = (
                (values["notified_via"], values["notified_at"])
                if values["notified_via"]
                else None
            )
            kinds = set()
            for kind, field, new_value, via, at in appended[values["id"]]:
                kinds.add(kind)
                if kind == RemovalAmendment.Kind.CORRECTION:
                    values[field] = selectors.correction_value(field, new_value)
                elif kind == RemovalAmendment.Kind.AUTHOR_NOTIFIED:
                    told = (via, at)
            yield [
                _cell(value, tz)
                for value in (
                    f"Removal #{values['id']}",
                    values["account__handle"],
                    values["account__platform__name"],
                    values["comment_id"],
                    values["comment_url"],
                    values["author_name"],
                    values["author_handle"],
                    values["posted_at"],
                    values["removed_at"],
                    values["removed_by__username"],
                    " ".join(str(n) for n in sorted(values["categories"])),
                    values["link_to_material"],
                    values["facts"],
                    values["reasoning"],
                    values["platform_action"],
                    told[0] if told else "",
                    told[1] if told and told[1] else "",
                    "yes" if RemovalAmendment.Kind.RESTORATION in kinds else "no",
                    "yes" if RemovalAmendment.Kind.CORRECTION in kinds else "no",
                    values["comment_text"],
                    values["notice_version__number"] or "",
                    values["classification"],
                    values["created_at"],
                )
            ]


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
        # Appeals (issue #6, P22): appealed or not, and the appeal's outcome.
        AppealedFilter,
        AppealOutcomeFilter,
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
        if not str(object_id).isdigit():
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect("moderation:removal-detail", pk=int(object_id))

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
        """Stream the filtered list as CSV, in constant memory (issue #5 item 5)."""
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
