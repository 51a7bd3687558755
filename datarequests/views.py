"""Pages of Data Practices requests: the public form and private
status page, and the staff pages. Views parse input, call one service, render.

The public form has the appeal form's protections, by the same code
(``core.public_forms``: the body size, the flood guard, the honeypot, the signed
fill time, the limit of requests per address, counted from this app's own audit
events) and the same settings (``APPEALS_*``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import Account
from core import clock, limits
from core.auth import staff_required
from core.exceptions import NotPermitted, messages_of
from core.forms import show_errors
from core.permissions import require
from core.public_forms import PublicForm
from core.views import private_page
from datarequests import forms as f
from datarequests import selectors, services
from datarequests.models import DataRequest, ReleasePackage
from datarequests.sources import SOURCES, records_by_source

REQUEST_FORM = PublicForm(
    form_class=f.PublicRequestForm,
    template="datarequests/request_form.html",
    context=lambda: {
        "days": services.answer_days(DataRequest.Kind.PUBLIC),
        "subject_days": services.answer_days(DataRequest.Kind.DATA_SUBJECT),
    },
    flood_group="datarequests.public-post",
    filing_actions=("datarequest.received",),
    links=(("datarequests:request-new", "Ask for data the city keeps"),),
    noun="request",
    filings=("request", "requests"),
    wording={
        "too_large": "Your request is larger than this form accepts.",
        "honeypot": "Your request looked automated, so it was not accepted.",
    },
)


@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """P24: ask for data about yourself, or for public data (anonymously)."""
    return REQUEST_FORM.handle(
        request, services.datarequest_submit, filed="datarequests:filed"
    )


def _by_token(request: HttpRequest, token: str) -> DataRequest | HttpResponse:
    if limits.over_cache_limit(
        request, group="datarequests.public-status", rate=settings.APPEALS_STATUS_RATE
    ):
        return render(request, "429.html", status=429)
    found = selectors.request_by_token(token)
    if found is None:
        raise Http404("No request has this status link.")
    return found


@private_page
@require_safe
def filed(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: the reference and the private status link."""
    found = _by_token(request, token)
    if isinstance(found, HttpResponse):
        return found
    status_url = request.build_absolute_uri(
        reverse("datarequests:status", args=[token])
    )
    return render(
        request, "datarequests/filed.html", {"req": found, "status_url": status_url}
    )


@private_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The requester's private status page: state, due date, pauses."""
    found = _by_token(request, token)
    if isinstance(found, HttpResponse):
        return found
    return render(
        request,
        "datarequests/status.html",
        {"req": found, "pauses": list(found.pauses.all())},
    )


# --- Staff ------------------------------------------------------------------------

HANDLE = "datarequests.handle_datarequest"
CONSULT = "datarequests.add_requestconsultation"


@staff_required(perm="datarequests.view_datarequest")
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "datarequests/staff/list.html",
        {
            "open": list(selectors.request_list_open()),
            "recent": list(selectors.request_list_recent()),
            "today": clock.today(),
        },
    )


@staff_required(perm="datarequests.add_datarequest")
@require_http_methods(["GET", "HEAD", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    """A request that came by letter, email or visit."""
    form = f.StaffRequestForm(
        request.POST or None, initial={"received_on": clock.today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.datarequest_submit(**form.service_kwargs(), by=request.user)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{made.reference} entered.")
            return redirect(made)
    return render(request, "datarequests/staff/new.html", {"form": form})


#: The steps that post a form, each with its form (its prefix: the step's name).
STEP_FORMS: dict[str, type[Any]] = {
    "identity": f.IdentityForm,
    "pause": f.PauseForm,
    "cost": f.CostForm,
    "close": f.CloseForm,
    "consult": f.ConsultationForm,
}


#: Who may take a step: the records officer handles the request; the City
#: Attorney records their own consultation (each service checks it again).
STEP_PERMS: dict[str, tuple[str, str]] = {
    "consult": (CONSULT, "record attorney consultations"),
}

#: A service's refusal about a field of the request, and the form field that
#: edits it (core.forms.show_errors).
STEP_ALIASES = {"identity_note": "note", "close_note": "note"}


def _step_forms(
    req: DataRequest, *, posted: str = "", data: Any = None
) -> dict[str, Any]:
    """The page's step forms (their prefix: the step's name); the posted one
    bound to what was sent, the others blank."""
    initial = {"cost": {"pages": req.copy_pages, "per_page": req.cost_per_page}}
    return {
        f"{step}_form": form_class(
            data if step == posted else None, prefix=step, initial=initial.get(step)
        )
        for step, form_class in STEP_FORMS.items()
    }


def _request_page(
    request: HttpRequest, req: DataRequest, forms_: dict[str, Any], status: int = 200
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "datarequests/staff/request.html",
        {
            "req": req,
            "can_handle": user.has_perm(HANDLE),
            "pauses": list(req.pauses.all()),
            "picked": list(req.picked.select_related("hold")),
            "packages": list(req.packages.all()),
            "consultations": list(req.consultations.select_related("attorney"))
            if user.has_perm("datarequests.view_requestconsultation")
            else None,
            "can_consult": user.has_perm(CONSULT),
            **forms_,
        },
        status=status,
    )


@staff_required(perm="datarequests.view_datarequest")
@require_safe
def staff_request(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(DataRequest, pk=pk)
    return _request_page(request, req, _step_forms(req))


def _run_step(request: HttpRequest, req: DataRequest, step: str, form: Any) -> str:
    """Call the step's service (with the posted form's data); return the message."""
    by = request.user
    if step == "start":
        services.datarequest_start(request=req, by=by)
        return "Work started."
    if step == "resume":
        services.datarequest_resume(request=req, by=by)
        return f"The clock runs again: due {req.due_on:%Y-%m-%d}."
    if step == "release":
        package = services.datarequest_release(request=req, by=by)
        return (
            f"Released {package.record_count} records; "
            f"{package.withheld_count} fields withheld."
        )
    d = form.cleaned_data
    if step == "identity":
        services.datarequest_verify_identity(
            request=req, method=d["method"], note=d["note"], by=by
        )
        return "Identity verification recorded."
    if step == "pause":
        services.datarequest_pause(request=req, why=d["why"], note=d["note"], by=by)
        return "The clock is stopped."
    if step == "cost":
        services.datarequest_estimate_cost(
            request=req, pages=d["pages"], per_page=d["per_page"], by=by
        )
        return "Cost estimate saved."
    if step == "close":
        services.datarequest_close(request=req, note=d["note"], by=by)
        return "Request closed."
    # The City Attorney records their own consultation (the service checks).
    services.datarequest_record_consultation(
        request=req, attorney=by, notes=d["notes"], by=by
    )
    return "Consultation recorded."


#: The steps taken by a button alone (no form).
BUTTON_STEPS = ("start", "resume", "release")


@staff_required(perm="datarequests.view_datarequest")
@require_POST
def staff_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one step. A step's form that is refused (by itself or by the
    service) is drawn again, bound, with its errors beside its fields and in the
    one error summary, and what was typed kept (status 400); ``NotPermitted``
    is the 403 page (core.exceptions)."""
    req = get_object_or_404(DataRequest, pk=pk)
    if step not in STEP_FORMS and step not in BUTTON_STEPS:
        messages.error(request, "There is no such step.")
        return redirect(req)
    perm, doing = STEP_PERMS.get(step, (HANDLE, "handle data requests"))
    # Before the form is read: a person who may not take the step never sees
    # it drawn, so its errors would lead nowhere.
    require(request.user, perm, doing=doing)
    forms_ = _step_forms(req, posted=step, data=request.POST)
    form = forms_.get(f"{step}_form")
    try:
        if form is not None and not form.is_valid():
            return _request_page(request, req, forms_, status=400)
        done = _run_step(request, req, step, form)
    except NotPermitted:
        raise  # the 403 page, as everywhere (core.exceptions)
    except ValidationError as error:
        if form is None:
            for text in messages_of(error):
                messages.error(request, text)
            return redirect(req)
        show_errors(form, error, aliases=STEP_ALIASES)
        req.refresh_from_db()
        return _request_page(request, req, forms_, status=400)
    messages.success(request, done)
    return redirect(req)


@staff_required(perm="datarequests.search_records")
@require_safe
def staff_search(request: HttpRequest) -> HttpResponse:
    """Search every kind of record for a person; a handler picks what answers
    a request (``?request=<pk>``)."""
    form = f.SearchForm(request.GET or None)
    scope = selectors.search_accounts_for(request.user)
    if scope is not None:
        account_field = cast(forms.ModelChoiceField, form.fields["account"])
        account_field.queryset = Account.objects.select_related("platform").filter(
            pk__in=[a.pk for a in scope]
        )
    req = None
    if request.GET.get("request", "").isdigit() and request.user.has_perm(HANDLE):
        req = DataRequest.objects.filter(pk=int(request.GET["request"])).first()
    results = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        results = selectors.records_search(
            user=request.user,
            terms=form.term_list(),
            date_from=d["date_from"],
            date_to=d["date_to"],
            accounts=[d["account"]] if d["account"] else None,
        )
    groups = (
        [(SOURCES[k], rows) for k, rows in results.groups.items() if rows]
        if results
        else []
    )
    return render(
        request,
        "datarequests/staff/search.html",
        {"form": form, "results": results, "groups": groups, "req": req},
    )


@staff_required(perm=HANDLE)
@require_POST
def staff_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the ticked records as answering the request, and hold them (R3)."""
    req = get_object_or_404(DataRequest, pk=pk)
    ticked = []
    for value in request.POST.getlist("record"):
        key, _, raw = value.partition(":")
        if key not in SOURCES or not raw.isdigit():
            messages.error(request, "Pick records from the search results.")
            return redirect(req)
        ticked.append((key, int(raw)))
    found = records_by_source(ticked)
    picks = [(key, found[key, pk]) for key, pk in ticked if (key, pk) in found]
    try:
        rows = services.datarequest_pick_records(
            request=req, picks=picks, by=request.user
        )
    except ValidationError as error:
        for text in messages_of(error):
            messages.error(request, text)
    else:
        noun = "record" if len(rows) == 1 else "records"
        messages.success(request, f"{len(rows)} {noun} picked and held.")
    return redirect(req)


@staff_required(perm="datarequests.view_releasepackage")
@require_safe
def staff_package(request: HttpRequest, pk: int) -> FileResponse:
    """The package as released (a download, never shown inline)."""
    package = get_object_or_404(ReleasePackage, pk=pk)
    return FileResponse(
        package.file.open("rb"),
        as_attachment=True,
        filename=f"{package.request.reference}-release-{package.pk}.zip",
        content_type="application/zip",
    )
