"""The staff dashboard panel: overdue and due-soon Data Practices requests."""

from __future__ import annotations

from django.http import HttpRequest

from core import clock
from core.dashboard import Panel
from datarequests import selectors

PANEL_LIMIT = 15


def datarequests_panel(request: HttpRequest) -> Panel | None:
    """Requests whose clock runs out within two business days, or has: for
    whoever reads requests (the Records Officer, who handles them, the City
    Administrator and the City Attorney)."""
    if not request.user.has_perm("datarequests.view_datarequest"):
        return None
    items = selectors.deadline_items(today=clock.today())
    open_count = selectors.request_list_open().count()
    return Panel(
        title="Data Practices requests",
        template="datarequests/panels/deadlines.html",
        context={"items": items[:PANEL_LIMIT], "open_count": open_count},
        order=25,
        alert=any(i.overdue for i in items),
    )
