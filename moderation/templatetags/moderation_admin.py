from django import template

register = template.Library()


@register.filter
def humanize_count(value: int) -> str:
    """Return 1234567 as '1,234,567'."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
