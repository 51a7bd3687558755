"""The staff dashboard panel of the notices app."""

from __future__ import annotations

from django.http import HttpRequest

from core.dashboard import Panel
from core.roles import CITY_ADMINISTRATOR, has_role


def notices_panel(request: HttpRequest) -> Panel | None:
    """For the City Administrator: the live versions, and whether the profile
    changed since (then the panel asks for a review)."""
    if not has_role(request.user, CITY_ADMINISTRATOR):
        return None
    from notices.selectors import document_status

    statuses = [document_status(kind=kind) for kind in ("notice", "policy")]
    return Panel(
        title="Public notice and policy",
        template="notices/panels/status.html",
        context={"statuses": statuses},
        order=40,
        alert=any(s.needs_attention or s.live is None for s in statuses),
    )
