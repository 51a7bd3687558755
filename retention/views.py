"""Staff pages: messages (R1, P19), holds (R3), disaster periods (P2, R5), the purge
preview and control (R4) and the destruction log export."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import account_list_managed_by
from core import clock
from core.auth import staff_required
from core.ids import parse_id
from core.roles import CITY_ADMINISTRATOR, RECORDS_OFFICER, SOCIAL_MEDIA_MANAGER
from retention import selectors, services
from retention.exceptions import RetentionError
from retention.forms import (
    DisasterPeriodForm,
    EndDisasterForm,
    FollowUpForm,
    LegalHoldForm,
    ReleaseForm,
)
from retention.models import DestructionRecord, DisasterPeriod, LegalHold, PurgeRun
from retention.purge import is_paused, purge_preview, purge_run

MESSAGE_ROLES = (SOCIAL_MEDIA_MANAGER, CITY_ADMINISTRATOR)
STATES = {"unread": "Unread", "read": "Read", "destroyed": "Destroyed", "all": "All"}


@staff_required(roles=MESSAGE_ROLES)
def message_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "unread")
    state = state if state in STATES else "unread"
    accounts = account_list_managed_by(user=request.user)
    account_id = parse_id(request.GET.get("account", "")) or None
    qs = selectors.message_list_for(
        user=request.user, state=state, account_id=account_id
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "retention/message_list.html",
        {
            "page": page,
            "state": state,
            "states": STATES,
            "accounts": accounts,
            "account_id": account_id,
        },
    )


@require_POST
@staff_required(roles=MESSAGE_ROLES)
def message_mark_read_bulk(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("message")
    back = request.POST.get("next") or "retention:messages"
    try:
        result = services.message_mark_read_bulk(
            message_ids=[int(i) for i in ids], by=request.user
        )
    except ValueError:
        flash.error(request, "The selection was not understood; nothing was changed.")
    except RetentionError as exc:
        flash.error(request, str(exc))
    else:
        text = f"{result['marked']} message(s) marked read."
        if result["already_read"]:
            text += f" {result['already_read']} were already read."
        if result["destroyed"]:
            text += f" {result['destroyed']} were already destroyed."
        flash.success(request, text)
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("retention:messages")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(roles=MESSAGE_ROLES)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        selectors.message_list_for(user=request.user, state="all"), pk=pk
    )
    form = FollowUpForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "read":
                services.message_mark_read(message=message, by=request.user)
                flash.success(request, f"{message} marked read.")
            elif action == "flag":
                services.message_flag_follow_up(message=message, by=request.user)
                flash.success(request, f"{message} flagged for follow-up (P19).")
            elif action == "follow_up":
                form = FollowUpForm(request.POST)
                if not form.is_valid():
                    raise RetentionError("Choose how the city followed up.")
                services.message_record_follow_up(
                    message=message,
                    by=request.user,
                    channel=form.cleaned_data["channel"],
                )
                flash.success(request, f"Follow-up of {message} recorded.")
            else:
                raise RetentionError("Unknown action.")
        except RetentionError as exc:
            flash.error(request, str(exc))
        else:
            return redirect("retention:message-detail", pk=message.pk)
        message.refresh_from_db()
    return render(
        request, "retention/message_detail.html", {"message": message, "form": form}
    )


@staff_required(roles=MESSAGE_ROLES)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.message_list_waiting_follow_up(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "retention/follow_up_list.html", {"page": page})


# --- Holds ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(roles=(RECORDS_OFFICER,))
def hold_list(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hold = services.legal_hold_place(
                by=request.user,
                title=data["title"],
                reason=data["reason"],
                accounts=data["accounts"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                sender_handle=data["sender_handle"],
                series=data["series"],
            )
        except (RetentionError, ValidationError) as exc:
            form.add_error(None, _text(exc))
        else:
            flash.success(request, f"{hold} placed. Nothing in its scope is destroyed.")
            return redirect("retention:holds")
    holds = LegalHold.objects.select_related(
        "placed_by", "released_by"
    ).prefetch_related("accounts__platform", "records")
    return render(
        request,
        "retention/hold_list.html",
        {"form": form, "holds": holds, "release_form": ReleaseForm()},
    )


@require_POST
@staff_required(roles=(RECORDS_OFFICER,))
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Say why the hold is released.")
        return redirect("retention:holds")
    try:
        services.legal_hold_release(
            hold=hold, by=request.user, reason=form.cleaned_data["reason"]
        )
    except RetentionError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"{hold} released.")
    return redirect("retention:holds")


# --- Disaster periods -------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(roles=(CITY_ADMINISTRATOR, RECORDS_OFFICER))
def disaster_list(request: HttpRequest) -> HttpResponse:
    from core.roles import has_role

    can_declare = has_role(request.user, CITY_ADMINISTRATOR)
    form = DisasterPeriodForm(request.POST or None)
    if request.method == "POST":
        if not can_declare:
            flash.error(
                request, "Only the City Administrator declares disaster periods."
            )
            return redirect("retention:disasters")
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.disaster_period_declare(
                    by=request.user,
                    name=data["name"],
                    description=data["description"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    accounts=data["accounts"],
                )
            except (RetentionError, ValidationError) as exc:
                form.add_error(None, _text(exc))
            else:
                flash.success(request, f"Disaster period '{period}' declared.")
                return redirect("retention:disasters")
    periods = DisasterPeriod.objects.select_related("declared_by").prefetch_related(
        "accounts__platform"
    )
    return render(
        request,
        "retention/disaster_list.html",
        {
            "form": form,
            "periods": periods,
            "can_declare": can_declare,
            "end_form": EndDisasterForm(),
            "now": clock.now(),
        },
    )


@require_POST
@staff_required(roles=(CITY_ADMINISTRATOR,))
def disaster_end(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(DisasterPeriod, pk=pk)
    form = EndDisasterForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Give the date and time the disaster period ended.")
        return redirect("retention:disasters")
    try:
        services.disaster_period_end(
            period=period, by=request.user, ends_at=form.cleaned_data["ends_at"]
        )
    except RetentionError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"Disaster period '{period}' ended.")
    return redirect("retention:disasters")


# --- Purge ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(roles=(RECORDS_OFFICER, CITY_ADMINISTRATOR))
def purge_page(request: HttpRequest) -> HttpResponse:
    from core.roles import has_role

    can_run = has_role(request.user, RECORDS_OFFICER)
    if request.method == "POST":
        if not can_run:
            flash.error(request, "Only the Records Officer runs the purge by hand.")
            return redirect("retention:purge")
        outcome = purge_run(trigger=PurgeRun.Trigger.STAFF, by=request.user)
        if outcome.status == "paused":
            flash.error(request, "Destruction is paused; nothing was destroyed.")
        elif outcome.status == "busy":
            flash.error(request, "A purge run is in progress; try again in a minute.")
        elif outcome.errors:
            flash.error(
                request,
                f"Purge run #{outcome.run_id} destroyed {outcome.destroyed} record(s) "
                f"with errors: {'; '.join(outcome.errors)}",
            )
        else:
            flash.success(
                request,
                f"Purge run #{outcome.run_id} destroyed {outcome.destroyed} record(s).",
            )
        return redirect("retention:purge")
    runs = PurgeRun.objects.select_related("started_by")[:20]
    return render(
        request,
        "retention/purge.html",
        {
            "previews": purge_preview(),
            "paused": is_paused(),
            "interval": settings.RETENTION_PURGE_INTERVAL_MINUTES,
            "runs": runs,
            "can_run": can_run,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


DESTRUCTION_COLUMNS = [
    "record",
    "run",
    "series",
    "schedule item",
    "rule",
    "items destroyed",
    "first date",
    "last date",
    "SHA-256 of ids",
    "recorded at",
    "run started",
    "run finished",
    "run status",
]


def _cell(value: Any) -> Any:
    """Keep a spreadsheet from reading a text cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def destruction_rows(records: Any) -> Any:
    yield DESTRUCTION_COLUMNS
    for r in records:
        yield [_cell(value) for value in _destruction_row(r)]


def _destruction_row(r: Any) -> list[Any]:
    return [
        r.pk,
        r.run_id,
        r.get_series_display(),
        r.schedule_item,
        r.rule,
        r.item_count,
        r.first_date or "",
        r.last_date or "",
        r.ids_sha256,
        r.recorded_at.isoformat(),
        r.run.started_at.isoformat(),
        r.run.finished_at.isoformat() if r.run.finished_at else "",
        r.run.status,
    ]


def destruction_csv_response(records: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in destruction_rows(records)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="destruction-log-{clock.today():%Y-%m-%d}.csv"'
    )
    return response


@staff_required(roles=(RECORDS_OFFICER,))
def destruction_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    records = DestructionRecord.objects.select_related("run").order_by(
        "recorded_at", "id"
    )
    return destruction_csv_response(records.iterator(chunk_size=2000))


def _text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
