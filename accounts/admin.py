from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import (
    Account,
    CityProfile,
    Department,
    ManagerAccess,
    Platform,
    User,
)
from core.admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("City", {"fields": ("job_title", "department")}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
    )


@admin.register(CityProfile)
class CityProfileAdmin(AuditedModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return super().has_add_permission(request) and not CityProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    search_fields = ("name",)


@admin.register(Platform)
class PlatformAdmin(AuditedModelAdmin):
    list_display = ("name", "hosts", "active")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "hosts")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("handle", "platform", "department", "kind", "status")
    list_filter = ("platform", "department", "status", "kind")
    search_fields = ("handle", "display_name", "url")
    list_select_related = ("platform", "department")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ManagerAccess)
class ManagerAccessAdmin(admin.ModelAdmin):
    list_display = ("manager", "account", "granted_at", "review_due_on", "revoked_at")
    list_select_related = ("manager", "account__platform")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
