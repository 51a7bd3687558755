"""Freezing the yearly transparency report for council."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from core import audit, clock
from core.exceptions import InvalidTransition
from core.permissions import require
from transparency.figures import figures_for, period_for_year
from transparency.models import AnnualReport
from transparency.permissions import FREEZE
from transparency.presentation import figures_context


@transaction.atomic
def report_freeze(*, year: int, by: Any) -> AnnualReport:
    """Compute ``year``'s figures and keep them, with the HTML they are published
    as, as the next version of that year's report. A year is frozen only once it
    is over; freezing it again (after a late correction) appends a new version,
    the earlier ones stay published beside it."""
    require(by, FREEZE, doing="freeze the yearly transparency report")
    if year >= clock.today().year:
        raise InvalidTransition(
            f"{year} is not over yet: a year's report is frozen after December 31."
        )
    # Lock the year's versions so two freezes cannot take the same number (the
    # unique constraint refuses the second of two first versions).
    last = max(
        AnnualReport.objects.select_for_update()
        .filter(year=year)
        .values_list("version", flat=True),
        default=0,
    )
    figures = figures_for(period_for_year(year))
    html = render_to_string("transparency/_figures.html", figures_context(figures))
    report = AnnualReport(
        year=year, version=last + 1, figures=figures, html=html, frozen_by=by
    )
    report.full_clean(validate_constraints=False)  # the save below decides
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two first freezes at once: nothing was locked, the constraint decides.
        raise InvalidTransition(
            f"The {year} report was frozen by someone else a moment ago: reload "
            "the page to see it."
        ) from None
    audit.record_event(
        action="transparency.report_frozen",
        target=report,
        actor=by,
        data={"year": year, "version": report.version},
    )
    return report
