"""``{% error_summary form %}``: the one list of a form's problems, above it."""

from typing import Any

from django import forms, template

register = template.Library()


def _anchor(bound: forms.BoundField) -> str:
    # A group of radio buttons or checkboxes (no input of its own to label) is
    # reached through its first input.
    return bound.id_for_label or f"{bound.auto_id}_0"


def _unlisted(bound: forms.BoundField) -> bool:
    """A field hidden from people (a form's stamp) or from assistive technology
    (a public form's honeypot): a link to it would lead nowhere."""
    return bound.is_hidden or bound.field.widget.attrs.get("aria-hidden") == "true"


def _lead(label: str) -> str:
    """A field's label leading its error in the summary: "Your name:", but a
    question keeps its own mark ("Which account was it on? This field...")."""
    return label if label.endswith(("?", ":", ".")) else f"{label}:"


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """List every problem of ``forms_`` (one form, or several on one page): each
    field's linked to the field, in the form's order, after the rest as they are.
    Fields hidden from people or from assistive technology (a public form's stamp
    and honeypot) are never listed: ``core.public_forms`` says what is wrong with
    them itself."""
    problems: list[tuple[str, str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        problems.extend(("", "", str(error)) for error in form.non_field_errors())
        for bound in form:
            if _unlisted(bound):
                continue
            problems.extend(
                (_anchor(bound), _lead(str(bound.label)), str(error))
                for error in bound.errors
            )
    return {"problems": problems}


@register.filter
def marked_optional(bound: forms.BoundField) -> bool:
    """Whether to mark the field "(optional)": not required, not hidden, and not
    one the form lists in ``conditional`` (needed with or instead of another
    answer: its ``clean()`` says when)."""
    conditional = getattr(bound.form, "conditional", ())
    return not (bound.field.required or bound.is_hidden or bound.name in conditional)


@register.filter
def drawn_as_choices(bound: forms.BoundField) -> bool:
    """Whether the field is a group of radio buttons or checkboxes, drawn a row
    for each (the box, then its label) inside the field's fieldset."""
    return isinstance(bound.field.widget, forms.RadioSelect)
