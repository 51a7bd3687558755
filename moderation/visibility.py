"""Removals a person may read besides those of the accounts they see.

An app on the right registers a rule in its ``AppConfig.ready()``; moderation
never imports it (docs/architecture.md). A rule takes the user and returns a
``Q`` over ``RemovalDecision`` naming the extra removals that person may read,
or ``None`` for none. For example, appeals lets the reviewer assigned to an
appeal read the removal under it (P22)::

    from moderation import visibility

    def removals_under_my_appeals(user):
        return Q(appeals__reviewer=user, appeals__status__in=OPEN)

    visibility.register(removals_under_my_appeals)

``moderation.selectors.removal_list_visible_to`` (the record page, the evidence
download, the admin list and its export) adds them to what the person sees;
reading still needs ``moderation.view_removaldecision``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

VisibilityRule = Callable[[Any], Q | None]
_rules: list[VisibilityRule] = []


def register(rule: VisibilityRule) -> VisibilityRule:
    """Add ``rule`` (idempotent); return it, so it can be used as a decorator."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def unregister(rule: VisibilityRule) -> None:
    """Remove ``rule`` (for tests)."""
    if rule in _rules:
        _rules.remove(rule)


def extra_condition(user: Any) -> Q | None:
    """Return the removals the registered rules add for ``user``, or None."""
    condition: Q | None = None
    for rule in _rules:
        q = rule(user)
        if q is not None:
            condition = q if condition is None else condition | q
    return condition
