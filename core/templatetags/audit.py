"""``{% load audit %}{{ event|audit_sentence }}``: an audit event in plain words."""

from typing import Any

from django import template

from core import audit_text

register = template.Library()


@register.filter
def audit_sentence(event: Any) -> str:
    return audit_text.sentence(event)


@register.filter
def audit_actor(event: Any) -> str:
    return audit_text.actor_name(event)


@register.filter
def audit_action(event: Any) -> str:
    return audit_text.action_phrase(event.action)
