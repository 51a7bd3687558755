from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from core import audit
from core.models import AuditEvent, Holiday


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose direct saves write an audit event with before and after.

    For models edited as plain data (the city profile, platforms, holidays). Models
    with a workflow are changed through their services instead.
    """

    audit_action_prefix = ""

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        fields = [
            f for f in form.changed_data if f in {x.name for x in obj._meta.fields}
        ]
        before = dict(form.initial) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = audit.snapshot(obj, fields)
            prefix = self.audit_action_prefix or obj._meta.label_lower
            audit.record_event(
                action=f"{prefix}.{'changed' if change else 'created'}",
                target=obj,
                actor=request.user,
                data={
                    "changes": audit.changes(
                        audit._normalise({k: before.get(k) for k in fields}), after
                    )
                },
            )


class ReadOnlyAdminMixin:
    """No adding, changing or deleting through the admin: records stand as made."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sequence", "occurred_at", "actor_label", "action", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_label", "actor_label", "target_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("target_type",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"
