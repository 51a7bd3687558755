"""Admin for the city's plain data: staff users, the city profile (the policy's
blanks), departments and platforms (P6, P8, P9, P12, P18, N6-N8)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.admin.common import HTTPS_URLS
from accounts.models import CityProfile, Department, Platform, User
from core import audit
from core.admin import AuditedAdminMixin, AuditedModelAdmin

__all__ = ["CityProfileAdmin", "DepartmentAdmin", "PlatformAdmin", "UserAdmin"]

# --- people and plain data --------------------------------------------------------


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Staff users. Every change (roles included) and password reset is audited:
    role grants are the most sensitive change in the system."""

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
            "Deadlines (business days, P22, P23, P24)",
            {
                "fields": (
                    "appeal_ack_days",
                    "appeal_answer_days",
                    "challenge_ack_days",
                    "challenge_answer_days",
                    "data_request_days",
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
