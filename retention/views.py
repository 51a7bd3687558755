"""Staff pages: messages (R1, P19), holds (R3), disaster periods (P2, R5), the purge
preview and control (R4) and the destruction log export."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import account_list_managed_by
from core import clock, followups
from core.auth import staff_required
from core.classification import DataClassification
from core.exceptions import DomainError, NotPermitted, messages_of
from core.forms import show_errors
from core.ids import parse_id
from retention import selectors, services
from retention.exports import destruction_csv_response
from retention.forms import (
    ClassifyForm,
    DisasterPeriodForm,
    EndDisasterForm,
    LegalHoldForm,
    ReleaseForm,
)
from retention.models import (
    DestructionRecord,
    DisasterPeriod,
    LegalHold,
    Message,
    PurgeRun,
    Series,
)
from retention.panels import registered_follow_ups_waiting
from retention.permissions import PERM_CLASSIFY, PERM_HANDLE_MESSAGE, PERM_RUN_PURGE
from retention.purge import (
    due_record,
    is_paused,
    purge_due_records,
    purge_preview,
    purge_run,
)

STATES = {"unread": "Unread", "read": "Read", "destroyed": "Destroyed", "all": "All"}


@staff_required(perm=PERM_HANDLE_MESSAGE)
def message_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "unread")
    state = state if state in STATES else "unread"
    accounts = account_list_managed_by(user=request.user)
    account_id = parse_id(request.GET.get("account", "")) or None
    qs = selectors.message_list_for(
        user=request.user, state=state, account_id=account_id
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.messages_for_viewer(
        page.object_list, user=request.user
    )
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
@staff_required(perm=PERM_HANDLE_MESSAGE)
def message_mark_read_bulk(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("message")
    try:
        result = services.message_mark_read_bulk(
            message_ids=[int(i) for i in ids], by=request.user
        )
    except ValueError:
        flash.error(request, "The selection was not understood; nothing was changed.")
    except ValidationError as exc:
        flash.error(request, " ".join(messages_of(exc)))
    else:
        text = f"{_count(result['marked'], 'message')} marked read."
        if result["marked"]:
            text += (
                f" {_destroyed_when('them')}"
                " Until then, you can undo it under “Read”: select them and "
                "press “Mark selected unread”."
            )
        if result["already_read"]:
            text += f" {_count(result['already_read'], 'was', 'were')} already read."
        if result["destroyed"]:
            text += f" {_count(result['destroyed'], 'was', 'were')} already destroyed."
        flash.success(request, text)
    return _back(request)


@require_POST
@staff_required(perm=PERM_HANDLE_MESSAGE)
def message_mark_unread_bulk(request: HttpRequest) -> HttpResponse:
    """Undo "mark read" for the selected messages, until the purge ran (R1)."""
    try:
        result = services.message_mark_unread_bulk(
            message_ids=[int(i) for i in request.POST.getlist("message")],
            by=request.user,
        )
    except ValueError:
        flash.error(request, "The selection was not understood; nothing was changed.")
    except ValidationError as exc:
        flash.error(request, " ".join(messages_of(exc)))
    else:
        text = (
            f"{_count(result['marked'], 'message')} marked unread: the purge "
            "keeps them again."
        )
        if result["destroyed"]:
            text += (
                f" {_count(result['destroyed'], 'was', 'were')} already destroyed: "
                "destruction cannot be undone."
            )
        flash.success(request, text)
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("retention:messages")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(perm=PERM_HANDLE_MESSAGE)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        selectors.message_list_for(user=request.user, state="all"), pk=pk
    )
    follow_up = followups.page_forms(
        request,
        message,
        flag_service=partial(services.message_flag_follow_up, message=message),
        record_service=partial(services.message_record_follow_up, message=message),
    )
    classify_form = ClassifyForm(instance=message, prefix="classify")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "read":
                services.message_mark_read(message=message, by=request.user)
                flash.success(
                    request,
                    f"{message} marked read. {_destroyed_when()} "
                    "Until then you can mark it unread.",
                )
            elif action == "unread":
                services.message_mark_unread(message=message, by=request.user)
                flash.success(
                    request, f"{message} marked unread: the purge keeps it again."
                )
            elif follow_up.posted:
                if not follow_up.done:
                    raise _Invalid
            elif action == "classify":
                classify_form = ClassifyForm(request.POST, prefix="classify")
                if not classify_form.is_valid():
                    raise _Invalid
                data = classify_form.cleaned_data
                try:
                    services.message_classify(
                        message=message,
                        by=request.user,
                        classification=data["classification"],
                        basis=data["classification_basis"],
                    )
                except NotPermitted:
                    raise
                except ValidationError as exc:
                    show_errors(
                        classify_form, exc, aliases={"basis": "classification_basis"}
                    )
                    raise _Invalid from exc
                flash.success(
                    request,
                    f"{message} is now classified "
                    f"{DataClassification(data['classification']).label.lower()}.",
                )
            else:
                raise DomainError("Unknown action.")
        except NotPermitted:
            raise  # the 403 page, as everywhere (core.exceptions)
        except _Invalid:
            status = 400  # the form shows its errors
        except ValidationError as exc:
            flash.error(request, " ".join(messages_of(exc)))
            status = 400
        else:
            return redirect("retention:message-detail", pk=message.pk)
        message.refresh_from_db()
    due = message.status == Message.Status.READ and _due_for_destruction(message)
    return render(
        request,
        "retention/message_detail.html",
        {
            "message": message,
            "form": follow_up.form,
            "flag_form": follow_up.flag_form,
            "classify_form": classify_form,
            "can_classify": request.user.has_perm(PERM_CLASSIFY),
            "withheld": selectors.message_withheld(message=message, user=request.user),
            "today": clock.today(),
            "due_for_destruction": due,
            "destroyed_when": _destroyed_when(),
        },
        status=status,
    )


class _Invalid(Exception):
    """A form on the message page has errors to show (not a refusal to flash)."""


def _destroyed_when(it: str = "it") -> str:
    """Say when the next purge run destroys what is read now (R1); ``it``: what
    ("them" for several messages)."""
    if is_paused():
        return f"Destruction is paused; the purge destroys {it} once it is resumed."
    next_run = selectors.purge_next_run_at()
    if next_run is None:
        return (
            f"The next purge run destroys {it}, within "
            f"{settings.RETENTION_PURGE_INTERVAL_MINUTES} minutes."
        )
    return f"The next purge run destroys {it}, by {clock.moment_text(next_run)}."


def _due_for_destruction(message: Message) -> bool:
    due = purge_due_records(Series.MESSAGES)
    return due is not None and due.filter(pk=message.pk).exists()


# The other records waiting for follow-up shown under the messages, per source.
OTHER_FOLLOW_UPS = 200


@staff_required(perm=PERM_HANDLE_MESSAGE)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.message_list_waiting_follow_up(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.messages_for_viewer(
        page.object_list, user=request.user
    )
    # P19: the other records that wait (captured comments), registered by their
    # apps (retention.panels.register_follow_ups).
    others = registered_follow_ups_waiting(request.user, limit=OTHER_FOLLOW_UPS)
    return render(
        request,
        "retention/follow_up_list.html",
        {"page": page, "today": clock.today(), "others": others},
    )


# --- Holds ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(perm="retention.add_legalhold")
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
        except ValidationError as exc:
            show_errors(form, exc)
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
@staff_required(perm="retention.change_legalhold")
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
    except ValidationError as exc:
        flash.error(request, " ".join(messages_of(exc)))
    else:
        flash.success(request, f"{hold} released.")
    return redirect("retention:holds")


# --- Disaster periods -------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(perm="retention.view_disasterperiod")
def disaster_list(request: HttpRequest) -> HttpResponse:
    can_declare = request.user.has_perm("retention.add_disasterperiod")
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
            except ValidationError as exc:
                show_errors(form, exc)
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
@staff_required(perm="retention.change_disasterperiod")
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
    except ValidationError as exc:
        flash.error(request, " ".join(messages_of(exc)))
    else:
        flash.success(request, f"Disaster period '{period}' ended.")
    return redirect("retention:disasters")


# --- Purge ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@staff_required(perm="retention.view_purgerun")
def purge_page(request: HttpRequest) -> HttpResponse:
    runs = PurgeRun.objects.select_related("started_by")[:20]
    return render(
        request,
        "retention/purge.html",
        {
            "previews": purge_preview(),
            "paused": is_paused(),
            "interval": settings.RETENTION_PURGE_INTERVAL_MINUTES,
            "next_run": selectors.purge_next_run_at(),
            "runs": runs,
            "can_run": request.user.has_perm(PERM_RUN_PURGE),
        },
    )


@require_http_methods(["GET", "HEAD"])
@staff_required(perm="retention.view_purgerun")
def purge_records(request: HttpRequest) -> HttpResponse:
    """The dry run, record by record (R4): which records of a series the next run
    would destroy, with their reference, account and date, never their content."""
    series = request.GET.get("series", "")
    if series not in Series.values:
        series = Series.MESSAGES
    due: Any = purge_due_records(series)
    if due is None:
        due = Message.objects.none()
    page = Paginator(due, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "retention/purge_records.html",
        {
            "series": series,
            "series_label": Series(series).label,
            "series_choices": Series.choices,
            "page": page,
            "records": [due_record(series, obj) for obj in page.object_list],
        },
    )


class PurgeConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that these records are destroyed for good and cannot "
        "be brought back",
        error_messages={
            "required": "Tick the box to confirm: destruction cannot be undone."
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(perm=PERM_RUN_PURGE)
def purge_run_confirm(request: HttpRequest) -> HttpResponse:
    """Run the purge by hand, only after a confirmation on a page that shows
    what it will destroy (R3, R4: destruction cannot be undone)."""
    if is_paused():
        flash.error(request, "Destruction is paused; nothing can be destroyed now.")
        return redirect("retention:purge")
    form = PurgeConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = purge_run(trigger=PurgeRun.Trigger.STAFF, by=request.user)
        if outcome.status == "busy":
            flash.error(request, "A purge run is in progress; try again in a minute.")
        elif outcome.errors:
            flash.error(
                request,
                f"Purge run #{outcome.run_id} destroyed {_records(outcome.destroyed)} "
                f"with errors: {'; '.join(outcome.errors)}",
            )
        else:
            flash.success(
                request,
                f"Purge run #{outcome.run_id} destroyed {_records(outcome.destroyed)}.",
            )
        return redirect("retention:purge")
    previews = purge_preview()
    return render(
        request,
        "retention/purge_confirm.html",
        {
            "form": form,
            "previews": [p for p in previews if p.would_destroy],
            "total": sum(p.would_destroy for p in previews),
        },
    )


def _records(count: int) -> str:
    return _count(count, "record")


def _count(count: int, one: str, many: str = "") -> str:
    """ "1 record", "2 records"; "1 was", "2 were"."""
    if many:
        return f"{count} {one if count == 1 else many}"
    return f"{count} {one}" if count == 1 else f"{count} {one}s"


# The whole log with the digests of the destroyed ids: whoever reads the ledger
# of destroyed items (the Records Officer).
@staff_required(perm="retention.view_destroyeditem")
def destruction_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    records = DestructionRecord.objects.select_related("run").order_by(
        "recorded_at", "id"
    )
    return destruction_csv_response(records.iterator(chunk_size=2000))
