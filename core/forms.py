"""How every form in the product is rendered and shows a service's refusal.

One renderer (``FORM_RENDERER = "core.forms.FormRenderer"``): each field is drawn
by ``templates/forms/field.html`` (``{{ form.name.as_field_group }}``, or
``{{ form }}`` for all of them), on Django's own accessible markup: the label,
"(optional)" on a field that is not required, the hint and the error tied to the
input with ``aria-describedby``, ``aria-invalid`` on an invalid one, a fieldset
and legend for radio buttons and checkboxes. Above the form, one error summary:
``{% load forms %}{% error_summary form %}``, which never lists a field hidden
from people or from assistive technology (a public form's stamp and honeypot). A
service's refusal reaches the form through :func:`show_errors`, beside the field
it is about.

No input has a ``maxlength`` (``templates/django/forms/widgets/attrs.html``): a
browser cuts text pasted past it without a word. A field's limit is checked when
the form is sent, and a long text's hint says it ("Up to 10,000 characters.").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting

from core import clock


class BoundField(forms.BoundField):
    """Django's bound field, whose hint says a long text's length limit."""

    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        super().__init__(form, field, name)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(field.widget, forms.Textarea):
            # The hint is the input's description (aria-describedby), so the
            # limit is heard with it, not only when the text is refused.
            self.help_text = f"{self.help_text} Up to {limit:,} characters.".strip()


class FormRenderer(TemplatesSetting):
    """Django's renderer, with the product's form and field templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = BoundField


def show_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    aliases: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal (a ``DomainError``, or the ``ValidationError`` of
    ``full_clean``) on ``form``: beside the field it names when the form has that
    field (``aliases`` maps a model field to the form field that edits it),
    above the form otherwise.
    """
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        target = field if field in form.fields else None
        if name == NON_FIELD_ERRORS:
            target = None
        for item in errors:
            form.add_error(target, item)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, in the city's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class LocalDateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the city's time zone that the database can store.

    The database stores UTC. East of UTC, a time early on 0001-01-01 falls before
    year 1 in UTC; west of it (the default, America/Chicago), a time late on
    9999-12-31 falls after year 9999: SQLite raises OverflowError and PostgreSQL
    an out-of-range error when it is saved or shown (a 500). Either is refused
    as an invalid date and time.
    """

    widget = LocalDateTimeInput

    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        if result is not None and not clock.in_database_range(result):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return result
