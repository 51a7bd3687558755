"""Form fields shared by the apps' staff pages."""

from __future__ import annotations

from typing import Any

from django import forms

from core import clock


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the city's time zone that the database can store.

    The database stores UTC. East of UTC, a time early on 0001-01-01 falls before
    year 1 in UTC; west of it (the default, America/Chicago), a time late on
    9999-12-31 falls after year 9999: SQLite raises OverflowError and PostgreSQL
    an out-of-range error when it is saved or shown (a 500). Either is refused
    as an invalid date and time.
    """

    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        if result is not None and not clock.in_database_range(result):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return result
