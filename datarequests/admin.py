"""Data Practices requests in the admin: read only (changes go through the
staff pages and ``datarequests.services``, one audit event each)."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from datarequests.models import DataRequest, ReleasePackage, RequestConsultation


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "kind", "status", "received_on", "due_on")
    list_filter = ("kind", "status")
    search_fields = ("reference",)
    exclude = ("status_token",)


@admin.register(ReleasePackage)
class ReleasePackageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "released_at", "record_count", "withheld_count")
    list_select_related = ("request",)


@admin.register(RequestConsultation)
class RequestConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Privileged: only those holding ``view_requestconsultation`` (the City
    Attorney and City Administrator) see this page at all."""

    list_display = ("request", "consulted_on", "attorney", "recorded_by")
    list_select_related = ("request", "attorney", "recorded_by")
