"""Admin: messages can be entered by hand (through the service); schedules are
edited as data; holds, disaster periods, runs and the destruction log are read-only
here (holds and disasters are placed on their staff pages, through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.permissions import ManagedAccountAdminMixin
from core.admin import AuditedModelAdmin, ReadOnlyAdminMixin
from core.exceptions import messages_of
from retention import services
from retention.exports import destruction_csv_response
from retention.models import (
    DestroyedItem,
    DestructionRecord,
    DisasterPeriod,
    LegalHold,
    Message,
    PurgeRun,
    RetentionSchedule,
)
from retention.selectors import message_withheld

MessageFields = (
    "account",
    "direction",
    "platform_message_id",
    "sender_handle",
    "body",
    "received_at",
    "classification",
    "classification_basis",
)


class MessageAddForm(forms.ModelForm):
    """Entering a message by hand: the same checks as the service and import."""

    class Meta:
        model = Message
        fields = MessageFields

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:  # ModelForm.clean() returns cleaned_data; the stubs allow None
            data = self.cleaned_data
        errors = services.validate_message_fields(
            platform_message_id=data.get("platform_message_id") or "",
            sender_handle=data.get("sender_handle") or "",
            body=data.get("body") or "",
            received_at=data.get("received_at"),
            classification=data.get("classification") or "",
            classification_basis=data.get("classification_basis") or "",
        )
        for name, error in errors.items():
            if name not in self.errors:
                self.add_error(name, error)
        return data


@admin.register(Message)
class MessageAdmin(ManagedAccountAdminMixin, admin.ModelAdmin):
    # A Social Media Manager sees and enters messages only for the accounts they
    # manage (P11; accounts.permissions.ManagedAccountAdminMixin).
    list_display = ("__str__", "account", "received_at", "state_label", "read_by")
    list_filter = ("account", "classification")
    date_hierarchy = "received_at"
    list_select_related = ("account__platform", "read_by")
    search_fields = ("platform_message_id",)
    show_full_result_count = False
    add_fields = MessageFields

    @admin.display(description="state")
    def state_label(self, obj: Message) -> str:
        return obj.state

    def get_form(
        self,
        request: HttpRequest,
        obj: Any = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is None:
            kwargs["form"] = MessageAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fields
        # Destroyed (R1), or not public and not for this person (P24).
        if obj.is_destroyed or message_withheld(message=obj, user=request.user):
            return [
                f
                for f in super().get_fields(request, obj)
                if f not in ("body", "sender_handle", "follow_up_note")
            ]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return [f.name for f in Message._meta.fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # destruction is the purge's, and it is logged (R4)

    def save_model(
        self, request: HttpRequest, obj: Message, form: Any, change: bool
    ) -> None:
        if change:
            return
        try:
            created = services.message_create(
                account=obj.account,
                platform_message_id=obj.platform_message_id,
                sender_handle=obj.sender_handle,
                body=obj.body,
                received_at=obj.received_at,
                classification=obj.classification,
                classification_basis=obj.classification_basis,
                direction=obj.direction,
                by=request.user,
            )
        except ValidationError as exc:
            # The add form already ran the same checks; what is left is a
            # cross-record refusal (a platform id already recorded).
            raise ValidationError(messages_of(exc)) from exc
        obj.pk = created.pk


@admin.register(RetentionSchedule)
class RetentionScheduleAdmin(AuditedModelAdmin):
    list_display = ("series", "rule_text", "schedule_item", "destruction_enabled")
    fields = (
        "series",
        "rule",
        "years",
        "schedule_item",
        "destruction_enabled",
        "source",
    )
    readonly_fields = ("series",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "placed_at", "placed_by", "released_at")
    list_filter = ("released_at",)


@admin.register(DisasterPeriod)
class DisasterPeriodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "declared_by")


@admin.register(PurgeRun)
class PurgeRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "started_at",
        "finished_at",
        "trigger",
        "status",
        "destroyed_total",
    )
    list_filter = ("status", "trigger")
    date_hierarchy = "started_at"


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "run",
        "series",
        "schedule_item",
        "item_count",
        "first_date",
        "last_date",
        "recorded_at",
    )
    list_filter = ("series",)
    date_hierarchy = "recorded_at"
    list_select_related = ("run",)
    readonly_fields = [f.name for f in DestructionRecord._meta.fields]
    actions = ["export_csv"]

    @admin.action(description="Export the selected records as CSV")
    def export_csv(self, request: HttpRequest, queryset: Any) -> Any:
        return destruction_csv_response(
            queryset.select_related("run").order_by("recorded_at", "id")
        )

    def get_actions(self, request: HttpRequest) -> Any:
        # ReadOnly removes delete; keep the export.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(DestroyedItem)
class DestroyedItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("series", "object_id", "record_date", "run")
    list_filter = ("series",)
