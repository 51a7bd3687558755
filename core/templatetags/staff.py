from typing import Any

from django import template

from core.auth import can_open as _can_open

register = template.Library()


@register.simple_tag(takes_context=True)
def can_open(context: dict[str, Any], url_name: str, *args: Any) -> bool:
    """``{% can_open 'retention:holds' as allowed %}``: may the signed-in user open
    that staff page?"""
    request = context.get("request")
    return request is not None and _can_open(request.user, url_name, *args)
