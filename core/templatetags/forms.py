"""``{% error_summary form %}``: the one list of a form's problems, above it."""

from typing import Any

from django import forms, template

register = template.Library()


def _anchor(bound: forms.BoundField) -> str:
    # A group of radio buttons or checkboxes is reached through its first input.
    return f"{bound.auto_id}_0" if bound.use_fieldset else bound.id_for_label


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """List every problem of ``forms_`` (one form, or several on one page): each
    field's linked to the field, the rest as they are. Hidden fields (a form's
    timestamp) are never listed: the form says what to do about them itself."""
    problems: list[tuple[str, str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        problems.extend(("", "", str(error)) for error in form.non_field_errors())
        for bound in form:
            if bound.is_hidden:
                continue
            problems.extend(
                (_anchor(bound), str(bound.label), str(error)) for error in bound.errors
            )
    return {"problems": problems}


@register.filter
def marked_optional(bound: forms.BoundField) -> bool:
    """Whether to mark the field "(optional)": not required, not hidden, and not
    one the form lists in ``conditional`` (needed with or instead of another
    answer: its ``clean()`` says when)."""
    conditional = getattr(bound.form, "conditional", ())
    return not (bound.field.required or bound.is_hidden or bound.name in conditional)
