"""``{{ cell|shown }}``: a count as published ("1,234", "0" or "fewer than 3")."""

from typing import Any

from django import template

from transparency import figures, presentation

register = template.Library()


@register.filter
def shown(cell: dict[str, Any]) -> str:
    return figures.shown(cell)


@register.filter
def days(value: int | None) -> str:
    """A number of business days, or a dash when nothing was handled."""
    if value is None:
        return "none handled"
    return f"{value} business day{'' if value == 1 else 's'}"


@register.filter
def month_label(month: str) -> str:
    """ "2025-03" -> "March 2025"."""
    return presentation.month_label(month)
