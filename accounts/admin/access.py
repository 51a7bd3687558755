"""Admin for manager access and offboarding (P3, P10, P11): grants made through
the service, re-certified or revoked by actions, offboardings read-only here (the
staff page records their steps)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html

from accounts import services
from accounts.admin.common import history_html, run_form_action
from accounts.forms import GrantForm, ReasonForm, RecertifyForm
from accounts.models import ManagerAccess, Offboarding, OffboardingStep
from core import clock
from core.admin import ReadOnlyAdminMixin

__all__ = [
    "ManagerAccessAdmin",
    "OffboardingAdmin",
    "OffboardingStepInline",
    "ReviewFilter",
]

# --- manager access -------------------------------------------------------------------


class ReviewFilter(admin.SimpleListFilter):
    """P3: where each grant stands in its periodic review."""

    title = "access review"
    parameter_name = "review"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return (
            ("overdue", "Review overdue"),
            ("soon", "Review due within 30 days"),
            ("current", "Current"),
            ("revoked", "Revoked"),
        )

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        today = clock.today()
        if self.value() == "overdue":
            return queryset.current().filter(review_due_on__lt=today)
        if self.value() == "soon":
            return queryset.current().filter(
                review_due_on__gte=today,
                review_due_on__lte=today + timedelta(days=30),
            )
        if self.value() == "current":
            return queryset.current()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ManagerAccess)
class ManagerAccessAdmin(admin.ModelAdmin):
    list_display = (
        "manager",
        "account",
        "granted_at",
        "granted_by",
        "review_due_on",
        "review_state",
        "revoked_at",
    )
    list_filter = (ReviewFilter, "account__platform", "account__department")
    search_fields = (
        "manager__username",
        "manager__first_name",
        "manager__last_name",
        "account__handle",
        "account__display_name",
    )
    list_select_related = ("manager", "account__platform", "granted_by")
    actions = ("recertify", "revoke", "offboard")
    add_form = GrantForm

    @admin.display(description="review")
    def review_state(self, obj: ManagerAccess) -> str:
        if obj.revoked_at:
            return "revoked"
        if obj.review_due_on < clock.today():
            if obj.review_overdue_reported_on:
                reported = date_format(obj.review_overdue_reported_on)
                return f"OVERDUE (reported {reported})"
            return "OVERDUE"
        return "current"

    @admin.display(description="history (audit trail)")
    def history(self, obj: ManagerAccess) -> str:
        return history_html(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ManagerAccess]:
        qs = super().get_queryset(request)
        user = request.user
        if user.has_perm(services.PERM_GRANT) or user.has_perm(
            "accounts.view_every_account"
        ):
            return qs
        return qs.filter(manager=user)  # a manager sees their own grants

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        if obj is None:
            # The grant's rules are the model's, checked as the form validates.
            kwargs["form"] = GrantForm
            kwargs["fields"] = GrantForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return list(GrantForm.Meta.fields)
        return [
            "account",
            "manager",
            "granted_at",
            "granted_by",
            "platform_mfa_confirmed",
            "last_reviewed_at",
            "last_reviewed_by",
            "review_due_on",
            "review_overdue_reported_on",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
            "history",
        ]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return () if obj is None else self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PERM_GRANT)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Grants stand as made; they move only through the actions (services).
        return False

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_view_permission(request, obj) or request.user.has_perm(
            services.PERM_GRANT
        )

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_grant_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PERM_GRANT)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        grant = services.access_grant(
            account=data["account"],
            manager=data["manager"],
            by=request.user,
            platform_mfa_confirmed=data["platform_mfa_confirmed"],
        )
        obj.pk = grant.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        pass

    def log_addition(self, request, obj, message):  # type: ignore[no-untyped-def]
        return None

    @admin.action(description="Re-certify selected access (P3)", permissions=["grant"])
    def recertify(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=RecertifyForm,
            title="Re-certify manager access",
            intro="Each access stays in place for another review interval.",
            apply=lambda obj, data: services.access_recertify(
                grant=obj,
                by=request.user,
                platform_mfa_confirmed=data["platform_mfa_confirmed"],
            ),
            done="{count} access grant{s} re-certified.",
        )

    @admin.action(description="Revoke selected access (P3)", permissions=["grant"])
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Revoke manager access",
            intro="Remove them as administrator on the platform too.",
            apply=lambda obj, data: services.access_revoke(
                grant=obj, by=request.user, reason=data["reason"]
            ),
            done="{count} access grant{s} revoked.",
        )

    @admin.action(description="Offboard the selected person", permissions=["grant"])
    def offboard(self, request, queryset):  # type: ignore[no-untyped-def]
        people = {g.manager_id for g in queryset}
        if len(people) != 1:
            self.message_user(
                request,
                "Select grants of exactly one person to offboard.",
                messages.ERROR,
            )
            return None
        url = reverse("accounts:offboarding-list")
        return HttpResponseRedirect(f"{url}?person={people.pop()}")


# --- offboarding ----------------------------------------------------------------------


class OffboardingStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OffboardingStep
    fields = ("account", "kind", "completed_at", "completed_by", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Offboarding)
class OffboardingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "person",
        "status",
        "started_at",
        "started_by",
        "completed_at",
    )
    list_filter = ("status",)
    search_fields = ("person__username", "person__first_name", "person__last_name")
    list_select_related = ("person", "started_by")
    fields = (
        "staff_page",
        "person",
        "reason",
        "deactivate_sign_in",
        "status",
        "started_at",
        "started_by",
        "completed_at",
    )
    readonly_fields = fields
    inlines = (OffboardingStepInline,)

    @admin.display(description="staff page")
    def staff_page(self, obj: Offboarding) -> str:
        return format_html(
            '<a href="{}">Record the platform steps</a>', obj.get_absolute_url()
        )

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return request.user.has_perm(
            services.PERM_GRANT
        ) or super().has_view_permission(request, obj)
