"""Admin for the account registry (P4, P5, P7, P11, P13-P15): registering,
editing, the checklist and the status actions, all through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts import selectors, services
from accounts.admin.common import HTTPS_URLS, history_html, run_form_action
from accounts.forms import AccountChangeForm, AccountRegisterForm, ReasonForm
from accounts.models import Account, AccountRequest

__all__ = ["AccountAdmin", "ChecklistForm", "ComplianceFilter"]

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
    search_fields = (
        "handle",
        "display_name",
        "url",
        "department__name",
        "platform_account_id",
    )
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
        # The notices app's page: the link, a copy button and a QR code.
        return format_html(
            '<a href="{}">Notice link, copy button and QR code</a>',
            reverse("notices:account-link", args=[obj.pk]),
        )

    @admin.display(description="on the public list (P7)")
    def public_list(self, obj: Account) -> str:
        if selectors.account_list_public().filter(pk=obj.pk).exists():
            return "Yes: residents see it on the list of official accounts."
        why = []
        if obj.status != Account.Status.ACTIVE:
            why.append(f"it is {obj.get_status_display().lower()}")
        if obj.missing_checklist:
            why.append("not yet verified: " + "; ".join(obj.missing_checklist))
        if not obj.grants.current().exists():
            why.append("nobody manages it (give someone access)")
        return "No: " + ", and ".join(why) + "."

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
                elif problem := services.account_update_problem(obj):
                    # Shut down by someone else since this page was opened (P4):
                    # say so here, as account_update would refuse in save_model.
                    self.add_error(
                        None,
                        f"{problem} It was shut down since this page was opened, "
                        "and nothing was saved.",
                    )
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
            *Account.UPDATABLE_FIELDS,
            *self.status_readonly,
            *self.checklist_readonly,
            "public_list",
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
            "public_list",
            "notice_link",
            "approval",
            "current_managers",
            "history",
        ]
        if obj.status == Account.Status.SHUT_DOWN:
            readonly += list(Account.UPDATABLE_FIELDS)
        return readonly

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        if change:
            saved = services.account_update(
                account=obj,
                by=request.user,
                **{k: data[k] for k in Account.UPDATABLE_FIELDS if k in data},
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
            done="Checklist verified on {count} account{s}.",
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
            done="{count} account{s} suspended.",
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
            done="{count} account{s} reactivated.",
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
            done="{count} account{s} shut down.",
        )
