"""``{% removal_summary decision as summary %}``: what a reviewer reads of a
removal (``moderation.selectors.removal_summary``), for
``moderation/includes/removal_summary.html``."""

from __future__ import annotations

from typing import Any

from django import template

from moderation.selectors import removal_summary as summary_of

register = template.Library()


@register.simple_tag
def removal_summary(decision: Any) -> dict[str, Any]:
    return summary_of(decision)
