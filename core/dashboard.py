"""The staff dashboard: what needs each role's attention today.

Each app registers panel providers in its ``AppConfig.ready()``::

    dashboard.register(my_panel)

A provider takes the request and returns a :class:`Panel` (or ``None`` when it has
nothing for this user). Providers should run a small, fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from core import outbox
from core.roles import role_names


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    # Counts shown in the panel heading, e.g. {"overdue": 3}; a non-zero value of a
    # key listed in ``alert_keys`` marks the panel as needing attention.
    alert: bool = False


PanelProvider = Callable[[HttpRequest], Panel | None]
_providers: list[PanelProvider] = []


def register(provider: PanelProvider) -> PanelProvider:
    """Add ``provider`` to the dashboard (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request: HttpRequest) -> list[Panel]:
    """Return the panels for the signed-in user, alerts first, then by order."""
    panels = [p for p in (provider(request) for provider in _providers) if p]
    return sorted(panels, key=lambda p: (not p.alert, p.order, p.title))


def welcome_panel(request: HttpRequest) -> Panel:
    return Panel(
        title="Your roles",
        template="core/panels/welcome.html",
        context={"roles": sorted(role_names(request.user))},
        order=1000,
    )


OUTBOX_PANEL_LIMIT = 15


def outbox_panel(request: HttpRequest) -> Panel | None:
    """Emails not sent yet that this user handles (``core.outbox``): given up
    (with the reason, and a button to try again), failing (the last error and the
    next try) and waiting; none of them means no panel."""
    unsent = outbox.outbox_list_unsent_for(user=request.user)
    shown = list(unsent[: OUTBOX_PANEL_LIMIT + 1])
    if not shown:
        return None
    late = [m for m in shown if m.is_late]
    gave_up = [m for m in shown if m.status == m.Status.GAVE_UP]
    retrying = [m for m in shown if m.is_retrying]
    return Panel(
        title="Emails not sent yet",
        template="core/panels/outbox.html",
        context={
            "messages": shown[:OUTBOX_PANEL_LIMIT],
            "more": len(shown) > OUTBOX_PANEL_LIMIT,
            "late": bool(late),
        },
        order=10,
        alert=bool(late or gave_up or retrying),
    )
