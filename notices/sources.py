"""What the notice and the policy are written from that an app after notices
owns: the eight removal categories (P21, N5), which are moderation's.

Notices comes before moderation in the dependency order, so it never imports it:
moderation registers a function that returns the categories, in its
``AppConfig.ready()``::

    sources.register_removal_categories(
        lambda: list(RemovalCategory.objects.order_by("number"))
    )

Each category has ``number``, ``name``, ``explanation`` and ``local_explanation``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_removal_categories: Callable[[], list[Any]] | None = None


def register_removal_categories(provider: Callable[[], list[Any]]) -> None:
    global _removal_categories
    _removal_categories = provider


def removal_categories() -> list[Any]:
    """Return the removal categories, in their order (P21)."""
    if _removal_categories is None:
        raise ImproperlyConfigured(
            "No app registered the removal categories (moderation's "
            "AppConfig.ready() does)."
        )
    return _removal_categories()
