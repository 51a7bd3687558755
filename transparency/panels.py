"""The staff dashboard panel of the transparency app."""

from __future__ import annotations

from django.http import HttpRequest

from core import clock
from core.dashboard import Panel
from transparency.models import AnnualReport
from transparency.permissions import STAFF_VIEW


def transparency_panel(request: HttpRequest) -> Panel | None:
    """For the City Administrator: the staff view of the figures, and last year's
    report for council, asking for it to be frozen until it is (one query)."""
    if not request.user.has_perm(STAFF_VIEW):
        return None
    last_year = clock.today().year - 1
    frozen = (
        AnnualReport.objects.filter(year=last_year)
        .order_by("-version")
        .values("version", "frozen_at")
        .first()
    )
    return Panel(
        title="Transparency figures and the yearly report",
        template="transparency/panels/status.html",
        context={"year": last_year, "frozen": frozen},
        order=60,
        alert=frozen is None,
    )
