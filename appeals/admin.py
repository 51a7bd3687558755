"""Appeals in the admin: records to browse and search. Every workflow step is taken
on the staff pages (``/appeals/staff/``), which call ``appeals.services``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Correspondence,
    LegalityChallenge,
    ReminderRun,
)
from appeals.selectors import SEARCH_FIELDS, can_view, correspondence_visible_to
from core.admin import ReadOnlyAdminMixin


class FilingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "received_on",
        "channel",
        "status",
        "outcome",
        "reviewer",
        "answer_due_on",
        "staff_page",
    )
    list_filter: ClassVar[tuple[str, ...]] = (
        "status",
        "outcome",
        "channel",
        "classification",
    )
    # The tracking number, the resident's name and email (selectors.SEARCH_FIELDS).
    search_fields = SEARCH_FIELDS
    date_hierarchy = "received_on"
    list_select_related = ("reviewer",)
    exclude = ("status_token",)

    @admin.display(description="Staff page")
    def staff_page(self, obj: Any) -> str:
        return format_html('<a href="{}">Open</a>', obj.get_absolute_url())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields if f.name != "status_token"]


@admin.register(Appeal)
class AppealAdmin(FilingAdmin):
    list_filter = (*FilingAdmin.list_filter, "account")


@admin.register(LegalityChallenge)
class LegalityChallengeAdmin(FilingAdmin):
    list_filter = (*FilingAdmin.list_filter, "section_anchor")


@admin.register(AttorneyConsultation)
class AttorneyConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Privileged: only users holding ``view_attorneyconsultation`` (the City
    Attorney and City Administrator groups) see this page at all."""

    list_display = ("challenge", "consulted_on", "attorney", "recorded_by")
    list_select_related = ("challenge", "attorney", "recorded_by")
    readonly_fields = (
        "challenge",
        "attorney",
        "consulted_on",
        "notes",
        "recorded_by",
        "classification",
        "created_at",
    )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # As on the staff pages: the notes are shown with the challenge they are
        # about, to those who may see it.
        return super().has_view_permission(request, obj) and can_view(
            request.user, LegalityChallenge
        )


@admin.register(Correspondence)
class CorrespondenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The letters of the filings the user may see on the staff pages
    (``appeals.selectors.can_view``): a manager who may not open a legality
    challenge does not read its letters here either (P23)."""

    list_display = ("__str__", "kind", "delivery", "created_at", "state")
    list_filter = ("kind", "delivery")
    list_select_related = ("appeal", "challenge", "outbox")
    readonly_fields = (
        "appeal",
        "challenge",
        "kind",
        "delivery",
        "to",
        "subject",
        "body",
        "created_at",
        "state",
        "outbox",
        "mailed_at",
        "marked_by",
    )

    @admin.display(description="state")
    def state(self, obj: Correspondence) -> str:
        """Sent, waiting or given up (from the outgoing email), or mailed."""
        if obj.outbox is not None:
            message = obj.outbox
            if message.status == message.Status.PENDING and message.attempts:
                return f"failed {message.attempts} time(s), tried again soon"
            return message.get_status_display()
        return "mailed" if obj.mailed_at else "to print and mail"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correspondence]:
        return super().get_queryset(request) & correspondence_visible_to(
            user=request.user
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and (
            obj is None or can_view(request.user, obj.filing)
        )


@admin.register(ReminderRun)
class ReminderRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("run_on", "started_at", "finished_at", "reviewers", "digests")
