"""Admin for requests for new accounts (P12, P14): read-only records, decided
by the approve and deny actions (or on the staff page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

from accounts import services
from accounts.admin.common import history_html, run_form_action
from accounts.forms import ApproveForm, ReasonForm
from accounts.models import AccountRequest

__all__ = ["AccountRequestAdmin"]

# --- account requests -----------------------------------------------------------------


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "platform",
        "display_name",
        "department",
        "status",
        "requested_by",
        "submitted_at",
        "decided_at",
    )
    list_filter = ("status", "platform", "department")
    search_fields = ("proposed_handle", "display_name", "proposed_url", "purpose")
    list_select_related = ("platform", "department", "requested_by")
    actions = ("approve", "deny")
    readonly_fields = (
        "reference",
        "staff_page",
        *[f.name for f in AccountRequest._meta.fields if f.name != "id"],
        "history",
    )

    @admin.display(description="reference")
    def reference(self, obj: AccountRequest) -> str:
        return obj.reference

    @admin.display(description="staff page")
    def staff_page(self, obj: AccountRequest) -> str:
        return format_html(
            '<a href="{}">Open {} to decide</a>', obj.get_absolute_url(), obj.reference
        )

    @admin.display(description="history (audit trail)")
    def history(self, obj: AccountRequest) -> str:
        return history_html(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests are made on the staff page (accounts:request-create)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # moved only by the actions below (services)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PERM_DECIDE)

    @admin.action(description="Approve selected requests (P12)", permissions=["decide"])
    def approve(self, request, queryset):  # type: ignore[no-untyped-def]
        in_service = services.accounts_in_service_count()
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ApproveForm,
            title="Approve account requests",
            intro=(
                f"The city has {in_service} account{pluralize(in_service)} in "
                "service. Approving creates each account on the registry. Beyond the "
                "sustainable number in the city profile, give an override reason."
            ),
            apply=lambda obj, data: services.account_request_approve(
                request=obj,
                by=request.user,
                reason=data["reason"],
                cap_override_reason=data["cap_override_reason"],
                slug=data["slug"] if len(queryset) == 1 else "",
            ),
            done="{count} request{s} approved; their accounts are on the registry.",
        )

    @admin.action(description="Deny selected requests (P12)", permissions=["decide"])
    def deny(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Deny account requests",
            intro="The reason is kept in each request's record.",
            apply=lambda obj, data: services.account_request_deny(
                request=obj, by=request.user, reason=data["reason"]
            ),
            done="{count} request{s} denied.",
        )
