"""What the admin's own parsing of a list's query string lets through."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import HttpRequest


class RefuseNullCharactersMixin(admin.ModelAdmin):
    """Answer 400 to a list (or its export) whose query string holds a null
    character.

    No filter, search or page value can contain one, and PostgreSQL refuses it in
    a text comparison or a JSON value (DataError: a 500). The admin passes such a
    value to the database, e.g. ``?author_handle=%00`` (it allows a lookup on any
    field of the model), and the export records its filters in the audit trail.
    """

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("A list parameter contains a null character.")
        return super().get_changelist_instance(request)
