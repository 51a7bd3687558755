from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django_otp.plugins.otp_static.admin import (
    StaticDeviceAdmin as OtpStaticDeviceAdmin,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import (
    TOTPDeviceAdmin as OtpTOTPDeviceAdmin,
)
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit, audit_text
from core.exceptions import DomainError
from core.models import AuditEvent, Holiday, OutboxMessage

# Never copied into the audit trail, even as "before" and "after".
SECRET_FIELDS = frozenset({"password", "key", "token", "secret", "bin_key"})


class AuditedAdminMixin:
    """Write an audit event for every change made through this admin: who, when,
    from which address (the request's), what changed, before and after.

    Covers the change form (fields and many-to-many fields such as a user's roles),
    inline rows, deletes of one record and bulk deletes (the "delete selected"
    action). Fields named in ``SECRET_FIELDS`` are never recorded; fields named in
    ``audit_personal_fields`` go to the event's redactable ``personal`` part.
    """

    audit_action_prefix = ""
    audit_personal_fields: tuple[str, ...] = ()

    def _audit_prefix(self, obj: Any) -> str:
        return self.audit_action_prefix or obj._meta.label_lower

    def _audit_split(
        self, changes: dict[str, list[Any]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {k: v for k, v in changes.items() if k not in self.audit_personal_fields}
        personal = {k: v for k, v in changes.items() if k in self.audit_personal_fields}
        return data, personal

    @staticmethod
    def _m2m_values(obj: Any, names: list[str]) -> dict[str, list[Any]]:
        if obj.pk is None:
            return {name: [] for name in names}
        return {
            name: sorted(getattr(obj, name).values_list("pk", flat=True))
            for name in names
        }

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        concrete = {f.name for f in obj._meta.fields}
        m2m = {f.name for f in obj._meta.many_to_many}
        fields = [
            f for f in form.changed_data if f in concrete and f not in SECRET_FIELDS
        ]
        m2m_fields = [f for f in form.changed_data if f in m2m]
        before = audit.jsonable(
            {k: form.initial.get(k) for k in fields} if change else {}
        )
        m2m_before = self._m2m_values(obj, m2m_fields) if change else {}
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        # The event is written in save_related, once many-to-many values are saved.
        request._audit_pending = (obj, change, fields, before, m2m_fields, m2m_before)  # type: ignore[attr-defined]

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        pending = getattr(request, "_audit_pending", None)
        if pending is None:
            return
        del request._audit_pending  # type: ignore[attr-defined]
        obj, change, fields, before, m2m_fields, m2m_before = pending
        after = audit.snapshot(obj, fields)
        all_changes = audit.changes(
            {**before, **m2m_before},
            {**after, **self._m2m_values(obj, m2m_fields)},
        )
        data, personal = self._audit_split(all_changes)
        audit.record_event(
            action=f"{self._audit_prefix(obj)}.{'changed' if change else 'created'}",
            target=obj,
            actor=request.user,
            data={"changes": data, "via": "admin"},
            personal={"changes": personal} if personal else None,
        )

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            self._audit_row(request, obj, "created")
        for obj, changed in formset.changed_objects:
            fields = [f for f in changed if f not in SECRET_FIELDS]
            audit.record_event(
                action=f"{obj._meta.label_lower}.changed",
                target=obj,
                actor=request.user,
                data={"fields": fields, "via": "admin"},
            )
        for obj in formset.deleted_objects:
            self._audit_row(request, obj, "deleted")

    def _audit_row(self, request: HttpRequest, obj: Any, verb: str) -> None:
        names = [
            f.name
            for f in obj._meta.fields
            if f.name not in SECRET_FIELDS and not f.primary_key
        ]
        values = audit.snapshot(obj, names)
        data, personal = self._audit_split(values)
        audit.record_event(
            action=f"{obj._meta.label_lower}.{verb}",
            target=obj,
            actor=request.user,
            data={"values": data, "via": "admin"},
            personal={"values": personal} if personal else None,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit_row(request, obj, "deleted")
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_row(request, obj, "deleted")
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose direct saves and deletes write audit events.

    For models edited as plain data (the city profile, platforms, holidays). Models
    with a workflow are changed through their services instead.
    """


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
    # "sequence" is the place in the chain, given when the event is recorded.
    list_display = (
        "id",
        "occurred_at",
        "who",
        "what",
        "target_label",
        "sequence",
    )
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_label", "actor_label", "target_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("target_type", "actor")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False

    @admin.display(description="who", ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        return audit_text.actor_name(event)

    @admin.display(description="what happened", ordering="action")
    def what(self, event: AuditEvent) -> str:
        return audit_text.action_phrase(event.action)


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every email the product sends (core.outbox), as written: read only. A
    given-up email is tried again with the action, as on the dashboard."""

    list_display = (
        "id",
        "created_at",
        "about",
        "audience",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "audience", "topic")
    search_fields = ("about", "topic")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    show_full_result_count = False
    actions = ["try_again"]

    @admin.action(description="Try the selected given-up emails again")
    def try_again(self, request: HttpRequest, queryset: Any) -> None:
        from django.contrib import messages

        from core import outbox

        done, refused = 0, []
        for message in queryset.order_by("pk"):
            try:
                outbox.outbox_retry(message=message, by=request.user)
            except DomainError as exc:
                refused.append(f"#{message.pk}: {exc}")
            else:
                done += 1
        if done:
            self.message_user(
                request, f"{done} email{pluralize(done)} will be tried again."
            )
        for problem in refused:
            self.message_user(request, problem, level=messages.WARNING)


# --- Security records: sign-in attempts and second-factor devices ------------------

for _model in (
    Group,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
    TOTPDevice,
    StaticDevice,
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Failed sign-ins counted by django-axes; "Unlock" lets a person in again."""

    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting is unlocking: only through the audited action below.
        return False

    @admin.action(
        description="Unlock the selected user names and addresses",
        permissions=["unlock"],
    )
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        from core.signin import lockout_release

        count = lockout_release(attempts=queryset, by=request.user)
        self.message_user(
            request, f"Unlocked {count} sign-in lockout{pluralize(count)}."
        )

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, AxesAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdminMixin, AxesAccessFailureLogAdmin):
    pass


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedAdminMixin, OtpTOTPDeviceAdmin):
    """Authenticator apps. Deleting a lost phone's device makes its owner set up a
    new one at the next sign-in; the secret key is never shown.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A device is enrolled by its owner scanning the code, never by someone else.
        return False


@admin.register(StaticDevice)
class StaticDeviceAdmin(AuditedAdminMixin, OtpStaticDeviceAdmin):
    """Backup codes. Codes are shown only to their owner (Sign-in security page)."""

    inlines: list[Any] = []

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """The role groups: a change to a role's permissions is audited."""
