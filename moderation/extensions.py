"""What apps on the right add to the removal pages, registered in their
``AppConfig.ready()`` (moderation never imports them, docs/architecture.md):

- ``register_list_filter(*filters)``: list filters of the removal list in the
  admin (appeals adds "appealed" and "appeal outcome", P22);
- ``register_related(provider)``: records that follow from a removal, listed on
  its record page. ``provider(decision)`` returns ``(heading, [(text, url),
  ...])`` or None (appeals lists the appeals of the removal).

Which removals a person may read besides their accounts' is
``moderation.visibility``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RelatedProvider = Callable[[Any], tuple[str, list[tuple[str, str]]] | None]

_list_filters: list[Any] = []
_related: list[RelatedProvider] = []


def register_list_filter(*filters: Any) -> None:
    """Add list filters (``admin.SimpleListFilter`` classes) to the removal list."""
    for list_filter in filters:
        if list_filter not in _list_filters:
            _list_filters.append(list_filter)


def list_filters() -> tuple[Any, ...]:
    return tuple(_list_filters)


def register_related(provider: RelatedProvider) -> RelatedProvider:
    """Add a list of related records to each removal's record page."""
    if provider not in _related:
        _related.append(provider)
    return provider


def related_to(decision: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return ``(heading, [(text, url), ...])`` of every provider with something."""
    found = (provider(decision) for provider in _related)
    return [section for section in found if section and section[1]]
