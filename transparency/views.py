"""The public transparency page, its open data, the frozen yearly reports, and the
City Administrator's staff view.

The public views read nothing but the aggregate figures (``transparency.figures``)
and the per-filing dates and outcomes (``transparency.opendata``): no name, handle,
email, address or comment text can reach them.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Max
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.auth import staff_required
from core.exceptions import DomainError
from core.forms import show_errors
from transparency import opendata, services
from transparency.figures import (
    Period,
    figures_for,
    period_for_year,
    period_last_12_months,
    staff_figures_for,
)
from transparency.forms import LAST_12_MONTHS, FreezeForm, PeriodForm
from transparency.models import AnnualReport
from transparency.permissions import FREEZE, STAFF_VIEW
from transparency.presentation import figures_context


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    """The period the visitor chose (``?year=2025``), the last 12 months by
    default; None with the form's errors when the year is not one offered."""
    if not request.GET.get("year"):
        return PeriodForm(initial={"year": LAST_12_MONTHS}), period_last_12_months()
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    year = form.cleaned_data["year"]
    if year == LAST_12_MONTHS:
        return form, period_last_12_months()
    return form, period_for_year(int(year))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The public figures for a year or the last 12 months, with charts."""
    form, period = _period(request)
    status = 200
    if period is None:
        status = 400
        period = period_last_12_months()
    context = figures_context(figures_for(period))
    context.update(
        {
            "form": form,
            "query": f"?year={period.year}" if period.year else "",
            "reports": AnnualReport.objects.values("year")
            .annotate(version=Max("version"), frozen_at=Max("frozen_at"))
            .order_by("-year"),
        }
    )
    return render(request, "transparency/index.html", context, status=status)


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


YEAR_PROBLEM = (
    "There are no figures for that year: give a year from the list on "
    "/transparency/ (e.g. ?year=2025), or none for the last 12 months."
)


@require_safe
def data_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The open data as JSON (schema in docs/transparency.md), streamed."""
    _form, period = _period(request)
    if period is None:
        return _bad_request(YEAR_PROBLEM)
    response = StreamingHttpResponse(
        opendata.json_chunks(period), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'inline; filename="transparency-{opendata.slug(period)}.json"'
    )
    return response


@require_safe
def data_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """One table of the open data as CSV (``?table=removals|appeals|challenges``),
    streamed row by row so memory stays flat whatever the size."""
    _form, period = _period(request)
    if period is None:
        return _bad_request(YEAR_PROBLEM)
    table = request.GET.get("table", "removals")
    if table not in opendata.TABLES:
        return _bad_request(
            "There is no such table: choose table=removals, table=appeals or "
            "table=challenges."
        )
    response = StreamingHttpResponse(
        opendata.csv_lines(period, table), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="transparency-{opendata.slug(period)}-{table}.csv"'
    )
    return response


def _report_versions(request: HttpRequest, year: int) -> tuple[list[Any], Any]:
    """A year's frozen report versions, newest first, and the one asked for
    (``?version=``, else the newest); 404 when there is none."""
    versions = list(
        AnnualReport.objects.filter(year=year)
        .order_by("-version")
        .values("id", "version", "frozen_at")
    )
    if not versions:
        raise Http404(f"No report has been published for {year}.")
    wanted = request.GET.get("version")
    if not wanted:
        return versions, versions[0]
    match = [v for v in versions if str(v["version"]) == wanted]
    if not match:
        raise Http404(f"The {year} report has no version {wanted}.")
    return versions, match[0]


@require_safe
def report(request: HttpRequest, year: int) -> HttpResponse:
    """A frozen yearly report as published (the newest version, or ``?version=``)."""
    versions, chosen = _report_versions(request, year)
    shown = AnnualReport.objects.get(pk=chosen["id"])
    return render(
        request,
        "transparency/report.html",
        {"report": shown, "versions": versions, "latest": versions[0]},
    )


@require_safe
def report_json(request: HttpRequest, year: int) -> HttpResponse:
    """A frozen report's figures exactly as frozen (JSON; the newest version, or
    ``?version=``)."""
    _versions, chosen = _report_versions(request, year)
    found = AnnualReport.objects.get(pk=chosen["id"])
    return HttpResponse(
        json.dumps(found.figures, indent=2), content_type="application/json"
    )


def _staff_page(
    request: HttpRequest,
    form: PeriodForm,
    period: Period,
    freeze_form: FreezeForm | None,
    *,
    status: int,
) -> HttpResponse:
    """The staff figures page: the period chooser, the figures with names, and
    the form that freezes a year's report (for who may)."""
    staff = staff_figures_for(period)
    context: dict[str, Any] = figures_context(figures_for(period))
    context.update(
        {
            "form": form,
            "staff": staff,
            "reviewer_tables": [
                ("Appeals", staff["reviewers"]["appeal"]),
                ("Legality challenges", staff["reviewers"]["challenge"]),
            ],
            "freeze_form": freeze_form,
        }
    )
    return render(request, "transparency/staff.html", context, status=status)


@staff_required(perm=STAFF_VIEW)
@require_safe
def staff(request: HttpRequest) -> HttpResponse:
    """The same figures with names (who removed, who reviewed), for internal
    review by the City Administrator; and the form that freezes a year's report."""
    form, period = _period(request)
    status = 200
    if period is None:
        status = 400
        period = period_last_12_months()
    freeze_form = FreezeForm() if request.user.has_perm(FREEZE) else None
    return _staff_page(request, form, period, freeze_form, status=status)


@staff_required(perm=FREEZE)
@require_POST
def freeze(request: HttpRequest) -> HttpResponse:
    form = FreezeForm(request.POST)
    if form.is_valid():
        try:
            frozen = services.report_freeze(
                year=form.cleaned_data["year"], by=request.user
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                f"The {frozen.year} report is frozen and published as version "
                f"{frozen.version}.",
            )
            return redirect(frozen.get_absolute_url())
    period_form = PeriodForm(initial={"year": LAST_12_MONTHS})
    return _staff_page(request, period_form, period_last_12_months(), form, status=400)
