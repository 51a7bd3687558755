"""The accounts admin: changelists with search and filters, actions that call the
services, and per-role permissions (P3, P4, P11, P12).

Only holders of the workflow permissions (the City Administrator by default, see
``core.roles``) approve, shut down and grant; a Social Media Manager sees only the
accounts they manage and their own grants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts import selectors, services
from accounts.exceptions import AccountsError
from accounts.forms import (
    AccountChangeForm,
    AccountRegisterForm,
    ApproveForm,
    GrantForm,
    ReasonForm,
    RecertifyForm,
)
from accounts.models import (
    Account,
    AccountRequest,
    CityProfile,
    Department,
    ManagerAccess,
    Offboarding,
    OffboardingStep,
    Platform,
    User,
)
from core import audit, clock
from core.admin import AuditedAdminMixin, AuditedModelAdmin, ReadOnlyAdminMixin
from core.roles import CITY_ADMINISTRATOR, CITY_ATTORNEY, RECORDS_OFFICER, has_role

# Addresses typed without a scheme are taken as https (Django 6 default).
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"}
}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def run_form_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    apply: Callable[[Any, dict[str, Any]], Any],
    done: str,
) -> HttpResponse | None:
    """An admin action that first asks for a reason (or other input), then calls
    ``apply(obj, cleaned_data)`` (a service) for each selected record.

    Each record is its own transaction: a refused one is reported by name and left
    exactly as it was.
    """
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            succeeded = 0
            for obj in queryset:
                label = str(obj)
                try:
                    apply(obj, form.cleaned_data)
                except (ValidationError, AccountsError) as exc:
                    text = _message(exc)
                    if label not in text:
                        text = f"{label}: {text}"
                    modeladmin.message_user(request, text, messages.ERROR)
                else:
                    succeeded += 1
            if succeeded:
                modeladmin.message_user(
                    request, done.format(count=succeeded), messages.SUCCESS
                )
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/accounts/action_form.html", context)


def history_html(obj: Any) -> str:
    """The audit events about ``obj``, newest first, for its change page (P4)."""
    if obj is None or obj.pk is None:
        return "-"
    events = list(audit.events_for(obj).select_related("actor"))[::-1]
    if not events:
        return "No recorded changes."
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{} · {} · {}{}</li>",
            (
                (
                    timezone.localtime(e.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    e.action,
                    e.actor_label,
                    f" · {e.reason}" if e.reason else "",
                )
                for e in events
            ),
        ),
    )


# --- people and plain data --------------------------------------------------------


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Staff users. Every change (roles included) and password reset is audited
    (issue #9: role grants are the most sensitive change in the system)."""

    fieldsets = (
        # django-stubs types UserAdmin.fieldsets as optional; Django always sets it.
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("City", {"fields": ("job_title", "department")}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "department",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "department")

    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit.record_event(
                action="accounts.user.password_set",
                target=self.get_object(request, id),
                actor=request.user,
            )
        return response


@admin.register(CityProfile)
class CityProfileAdmin(AuditedModelAdmin):
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        ("The city", {"fields": ("city_name", "official_website")}),
        (
            "Accounts (P6, P12, P3)",
            {
                "fields": (
                    "approving_authority",
                    "councilmember_accounts_covered",
                    "max_active_accounts",
                    "access_review_interval_days",
                )
            },
        ),
        (
            "Contacts (P8, P18, N6-N8)",
            {
                "fields": (
                    "scope_contact",
                    "sensitive_info_contact",
                    "appeal_contact",
                    "appeal_email",
                    "appeal_postal_address",
                    "legality_contact",
                    "legality_email",
                    "legality_postal_address",
                    "general_contact",
                    "general_email",
                    "general_phone",
                )
            },
        ),
        (
            "Deadlines (business days, P22, P23)",
            {
                "fields": (
                    "appeal_ack_days",
                    "appeal_answer_days",
                    "challenge_ack_days",
                    "challenge_answer_days",
                    "due_soon_days",
                )
            },
        ),
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return super().has_add_permission(request) and not CityProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Platform)
class PlatformAdmin(AuditedModelAdmin):
    list_display = ("name", "hosts", "active")
    list_filter = ("active",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "hosts")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# --- the registry -------------------------------------------------------------------


class ComplianceFilter(admin.SimpleListFilter):
    """P5, P13, P15: whether every checklist item is verified."""

    title = "compliance"
    parameter_name = "compliance"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return (("yes", "Compliant"), ("no", "Missing a checklist item"))

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "yes":
            return queryset.compliant()
        if self.value() == "no":
            return queryset.non_compliant()
        return queryset


class ChecklistForm(forms.Form):
    items = forms.MultipleChoiceField(
        label="I checked on the platform that the account",
        choices=list(services.CHECKLIST_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = (
        "handle",
        "display_name",
        "platform",
        "department",
        "kind",
        "status",
        "compliant",
        "comments_enabled",
    )
    list_filter = ("platform", "department", "status", ComplianceFilter, "kind")
    search_fields = ("handle", "display_name", "url", "department__name")
    list_select_related = ("platform", "department")
    actions = ("verify_checklist", "suspend", "reactivate", "shut_down")
    checklist_readonly = (
        "marked_as_city_at",
        "marked_as_city_by",
        "website_linked_at",
        "website_linked_by",
        "notice_linked_at",
        "notice_linked_by",
    )
    status_readonly = (
        "status",
        "status_changed_at",
        "status_changed_by",
        "status_reason",
    )

    @admin.display(boolean=True, description="compliant")
    def compliant(self, obj: Account) -> bool:
        return obj.is_compliant

    @admin.display(description="managers")
    def current_managers(self, obj: Account) -> str:
        grants = obj.grants.current().select_related("manager")
        if not grants:
            return "Nobody manages this account yet."
        return format_html_join(
            ", ", "{} (review due {})", ((g.manager, g.review_due_on) for g in grants)
        )

    @admin.display(description="history (audit trail)")
    def history(self, obj: Account) -> str:
        return history_html(obj)

    @admin.display(description="public notice link (P15)")
    def notice_link(self, obj: Account) -> str:
        # Added by the notices app (issue #8): the link, copy button and QR code.
        return format_html(
            '<a href="{}">Notice link, copy button and QR code</a>',
            reverse("notices:account-link", args=[obj.pk]),
        )

    @admin.display(description="approved through")
    def approval(self, obj: Account) -> str:
        request = AccountRequest.objects.filter(account=obj).first()
        if request is None:
            return "Registered directly (no request)."
        return format_html(
            '<a href="{}">{}</a>', request.get_absolute_url(), request.reference
        )

    # Permissions ---------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        # P11: a manager sees only the accounts they manage.
        return selectors.account_list_visible_to(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registering stands in for approval (P14).
        return request.user.has_perm(services.PERM_DECIDE)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_status_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PERM_STATUS)

    def has_checklist_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PERM_CHECKLIST)

    # Forms: adding and changing go through the services ---------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["form"] = AccountChangeForm if obj is not None else AccountRegisterForm
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class WithCap(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                if obj is None:
                    problem = services.cap_problem(
                        override_reason=data.get("cap_override_reason", "")
                    )
                    if problem:
                        self.add_error("cap_override_reason", problem)
                self._acting_user = user
                return data

        return WithCap

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return [
                *AccountRegisterForm.Meta.fields,
                "city_controlled_confirmed",
                "reason",
                "cap_override_reason",
            ]
        return [
            "platform",
            "kind",
            *AccountChangeForm.Meta.fields,
            *self.status_readonly,
            *self.checklist_readonly,
            "notice_link",
            "approval",
            "current_managers",
            "history",
        ]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ()
        readonly = [
            "platform",
            "kind",
            *self.status_readonly,
            *self.checklist_readonly,
            "notice_link",
            "approval",
            "current_managers",
            "history",
        ]
        if obj.status == Account.Status.SHUT_DOWN:
            readonly += list(AccountChangeForm.Meta.fields)
        return readonly

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        if change:
            saved = services.account_update(
                account=obj,
                by=request.user,
                **{k: data[k] for k in AccountChangeForm.Meta.fields if k in data},
            )
        else:
            saved = services.account_register(
                by=request.user,
                platform=data["platform"],
                handle=data["handle"],
                display_name=data["display_name"],
                url=data["url"],
                department=data["department"],
                kind=data["kind"],
                slug=data.get("slug") or "",
                comments_enabled=data["comments_enabled"],
                uses_shared_login=data["uses_shared_login"],
                city_controlled_confirmed=data["city_controlled_confirmed"],
                reason=data["reason"],
                cap_override_reason=data.get("cap_override_reason", ""),
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        # No many-to-many fields or inlines: the service saved everything.
        pass

    def log_addition(self, request, obj, message):  # type: ignore[no-untyped-def]
        # The audit trail (core.audit) is the record; skip the admin's LogEntry.
        return None

    def log_change(self, request, obj, message):  # type: ignore[no-untyped-def]
        return None

    # Actions -----------------------------------------------------------------------

    @admin.action(
        description="Verify checklist items (P5, P13, P15)", permissions=["checklist"]
    )
    def verify_checklist(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ChecklistForm,
            title="Verify the account checklist",
            intro="Record that you checked these items on each platform yourself.",
            apply=lambda obj, data: services.account_checklist_verify(
                account=obj, by=request.user, items=data["items"]
            ),
            done="Checklist verified on {count} account(s).",
        )

    @admin.action(description="Suspend selected accounts (P4)", permissions=["status"])
    def suspend(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Suspend accounts",
            intro="A suspended account stays on the registry and can be reactivated.",
            apply=lambda obj, data: services.account_suspend(
                account=obj, by=request.user, reason=data["reason"]
            ),
            done="{count} account(s) suspended.",
        )

    @admin.action(description="Reactivate selected accounts", permissions=["status"])
    def reactivate(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Reactivate accounts",
            intro="Only suspended accounts can be reactivated.",
            apply=lambda obj, data: services.account_reactivate(
                account=obj, by=request.user, reason=data["reason"]
            ),
            done="{count} account(s) reactivated.",
        )

    @admin.action(
        description="Shut down selected accounts (P4)", permissions=["status"]
    )
    def shut_down(self, request, queryset):  # type: ignore[no-untyped-def]
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Shut down accounts",
            intro="Shutting down is final (P4): every manager's access to the "
            "account is revoked at the same time. Close the account on the platform "
            "too.",
            apply=lambda obj, data: services.account_shut_down(
                account=obj, by=request.user, reason=data["reason"]
            ),
            done="{count} account(s) shut down.",
        )


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
        return run_form_action(
            self,
            request,
            queryset,
            form_class=ApproveForm,
            title="Approve account requests",
            intro=(
                f"The city has {services.accounts_in_service_count()} account(s) in "
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
            done="{count} request(s) approved; their accounts are on the registry.",
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
            done="{count} request(s) denied.",
        )


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
                return f"OVERDUE (reported {obj.review_overdue_reported_on:%Y-%m-%d})"
            return "OVERDUE"
        return "current"

    @admin.display(description="history (audit trail)")
    def history(self, obj: ManagerAccess) -> str:
        return history_html(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ManagerAccess]:
        qs = super().get_queryset(request)
        user = request.user
        if user.has_perm(services.PERM_GRANT) or has_role(
            user, CITY_ADMINISTRATOR, RECORDS_OFFICER, CITY_ATTORNEY
        ):
            return qs
        return qs.filter(manager=user)  # a manager sees their own grants

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = GrantForm
            kwargs["fields"] = ["account", "manager", "policy_acknowledged_at"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class GrantWithChecks(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                problems = services.access_grant_problems(
                    account=data.get("account"),
                    manager=data.get("manager"),
                    policy_acknowledged_at=data.get("policy_acknowledged_at"),
                    platform_mfa_confirmed=bool(data.get("platform_mfa_confirmed")),
                )
                for field, problem in problems.items():
                    if field in self.fields and field not in self.errors:
                        self.add_error(field, problem)
                return data

        return GrantWithChecks

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return [
                "account",
                "manager",
                "policy_acknowledged_at",
                "platform_mfa_confirmed",
            ]
        return [
            "account",
            "manager",
            "granted_at",
            "granted_by",
            "policy_acknowledged_at",
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
            policy_acknowledged_at=data["policy_acknowledged_at"],
            platform_mfa_confirmed=bool(data.get("platform_mfa_confirmed")),
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
            done="{count} access grant(s) re-certified.",
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
            done="{count} access grant(s) revoked.",
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
