"""Pages of the accounts app: the public list (P7) and the staff request,
offboarding and incident pages. Each view parses input, calls one service and
renders; a refusal is shown on the form it came from (``core.forms.show_errors``)
and a ``NotPermitted`` that reaches the middleware is the 403 page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts import handover, selectors, services
from accounts.forms import (
    AccountRequestForm,
    ApproveForm,
    HandoverForm,
    IncidentCloseForm,
    IncidentForm,
    OffboardingStartForm,
    OptionalReasonForm,
    ReasonForm,
    StepCompleteForm,
)
from accounts.models import AccountRequest, Incident, Offboarding, OffboardingStep, User
from core.auth import staff_required
from core.exceptions import DomainError, NotPermitted
from core.forms import show_errors


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member (``staff_required`` has checked)."""
    return cast(User, request.user)


# --- public ---------------------------------------------------------------------------


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    """P7: the city's accounts, so a resident can check one is really the city's."""
    accounts = list(selectors.account_list_public())
    by_platform: dict[str, list[Any]] = {}
    for account in accounts:
        by_platform.setdefault(account.platform.name, []).append(account)
    return render(
        request,
        "accounts/public_list.html",
        {"by_platform": sorted(by_platform.items()), "count": len(accounts)},
    )


# --- account requests (P12, P14) ------------------------------------------------------


def _profile_allows_councilmember() -> bool:
    profile = selectors.city_profile_get()
    return bool(profile and profile.councilmember_accounts_covered)


def _visible_request(request: HttpRequest, pk: int) -> AccountRequest:
    return get_object_or_404(
        selectors.request_list_visible_to(user=request.user), pk=pk
    )


# The request page lists at most this many requests in each of its lists.
REQUESTS_PER_PAGE = 25


def _paginate(
    request: HttpRequest, queryset: QuerySet[Any], *, param: str, anchor: str
) -> dict[str, Any]:
    """Return one page of ``queryset`` (number in ``request.GET[param]``) and links
    to the first, previous, next and last pages.

    Each link keeps the rest of the query string (another list's page, any filter)
    and ends at ``#anchor``, the list's heading.
    """
    page = Paginator(queryset, REQUESTS_PER_PAGE).get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    last = page.paginator.num_pages
    return {
        "page": page,
        "first": link(1) if page.number > 2 else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "last": link(last) if page.number < last - 1 else None,
    }


@staff_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    can_decide = request.user.has_perm(services.PERM_DECIDE)
    mine = selectors.request_list_visible_to(user=request.user).filter(
        requested_by=_staff(request)
    )
    return render(
        request,
        "accounts/request_list.html",
        {
            "mine": _paginate(request, mine, param="mine_page", anchor="mine"),
            "pending": (
                _paginate(
                    request,
                    selectors.request_list_pending(),
                    param="waiting_page",
                    anchor="waiting",
                )
                if can_decide
                else None
            ),
            "can_decide": can_decide,
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    allow = _profile_allows_councilmember()
    if request.method == "POST":
        form = AccountRequestForm(request.POST, allow_councilmember=allow)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                created = services.account_request_create(
                    by=_staff(request), submit=submit, **form.values()
                )
            except NotPermitted:
                raise
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Request {created.reference} was "
                    + (
                        "submitted to the approving authority."
                        if submit
                        else "saved as a draft. Submit it when it is ready."
                    ),
                )
                return redirect(created)
    else:
        form = AccountRequestForm(
            allow_councilmember=allow,
            initial={"department": _staff(request).department_id},
        )
    return render(
        request,
        "accounts/request_form.html",
        {"form": form, "editing": None, "can_submit": True},
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    if obj.status != AccountRequest.Status.DRAFT:
        messages.error(request, f"{obj.reference} is no longer a draft.")
        return redirect(obj)
    allow = _profile_allows_councilmember()
    if request.method == "POST":
        form = AccountRequestForm(request.POST, instance=obj, allow_councilmember=allow)
        if form.is_valid():
            try:
                # One step: a refused submission saves none of the changes, and
                # the form shows them again with the reason.
                services.account_request_update(
                    request=obj,
                    by=_staff(request),
                    submit=request.POST.get("action") == "submit",
                    **form.values(),
                )
            except NotPermitted:
                raise
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, f"{obj.reference} was saved.")
                return redirect(obj)
    else:
        form = AccountRequestForm(instance=obj, allow_councilmember=allow)
    return render(
        request,
        "accounts/request_form.html",
        {
            "form": form,
            "editing": obj,
            # Only the requester submits (the approving authority may correct a
            # draft, but does not send it to itself).
            "can_submit": obj.requested_by_id == request.user.pk,
        },
    )


@staff_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    return render(
        request, "accounts/request_detail.html", _detail_context(request, obj)
    )


def _detail_context(
    request: HttpRequest, obj: AccountRequest, **forms: Any
) -> dict[str, Any]:
    """The request page's context; ``forms`` holds a form sent back with errors."""
    profile = selectors.city_profile_get()
    in_service = services.accounts_in_service_count()
    can_decide = request.user.has_perm(services.PERM_DECIDE)
    return {
        "obj": obj,
        "is_requester": obj.requested_by_id == request.user.pk,
        "can_decide": can_decide,
        "in_service": in_service,
        "profile": profile,
        "at_cap": profile is not None and in_service >= profile.max_active_accounts,
        "approve_form": forms.get("approve_form") or ApproveForm(auto_id="approve_%s"),
        "deny_form": forms.get("deny_form") or ReasonForm(auto_id="deny_%s"),
        "withdraw_form": forms.get("withdraw_form")
        or OptionalReasonForm(auto_id="withdraw_%s"),
        "submit_form": forms.get("submit_form"),
    }


def _refuse_or_rerender(
    request: HttpRequest, obj: AccountRequest, exc: DomainError | None, **forms: Any
) -> HttpResponse:
    """Show the page again with what was refused; nothing was saved. A refused
    step (the request moved on meanwhile) is said above the page, since the form
    it came from may not be shown any more."""
    if isinstance(exc, NotPermitted):
        raise exc
    if exc is not None:
        messages.error(request, str(exc))
    else:
        messages.error(request, "Nothing was changed: see the message below.")
    obj.refresh_from_db()
    return render(
        request,
        "accounts/request_detail.html",
        _detail_context(request, obj, **forms),
        status=400,
    )


class SubmitForm(forms.Form):
    """The "Submit for approval" button: no fields, only what was refused."""


@staff_required
@require_POST
def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    try:
        services.account_request_submit(request=obj, by=_staff(request))
    except NotPermitted:
        raise
    except ValidationError as exc:
        form = SubmitForm(data={})
        form.is_valid()
        show_errors(form, exc)
        return _refuse_or_rerender(request, obj, None, submit_form=form)
    messages.success(request, f"{obj.reference} was submitted for a decision.")
    return redirect(obj)


@staff_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    form = OptionalReasonForm(request.POST, auto_id="withdraw_%s")
    if not form.is_valid():
        return _refuse_or_rerender(request, obj, None, withdraw_form=form)
    try:
        services.account_request_withdraw(
            request=obj, by=_staff(request), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refuse_or_rerender(request, obj, exc)
    messages.success(request, f"{obj.reference} was withdrawn.")
    return redirect(obj)


@staff_required(perm=services.PERM_DECIDE)
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    form = ApproveForm(request.POST, auto_id="approve_%s")
    if form.is_valid():
        try:
            account = services.account_request_approve(
                request=obj, by=_staff(request), **form.cleaned_data
            )
        except NotPermitted:
            raise
        except DomainError as exc:
            if exc.field is None:
                return _refuse_or_rerender(request, obj, exc)
            show_errors(form, exc)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                f"{obj.reference} was approved; {account} is now on the registry. "
                "It joins the public list of official accounts once someone "
                "manages it and its checklist is verified (P5, P7, P13, P15): "
                "give its managers access next.",
            )
            return redirect(obj)
    return _refuse_or_rerender(request, obj, None, approve_form=form)


@staff_required(perm=services.PERM_DECIDE)
@require_POST
def request_deny(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    form = ReasonForm(request.POST, auto_id="deny_%s")
    if form.is_valid():
        try:
            services.account_request_deny(
                request=obj, by=_staff(request), reason=form.cleaned_data["reason"]
            )
        except NotPermitted:
            raise
        except DomainError as exc:
            if exc.field is None:
                return _refuse_or_rerender(request, obj, exc)
            show_errors(form, exc)
        else:
            messages.success(request, f"{obj.reference} was denied.")
            return redirect(obj)
    return _refuse_or_rerender(request, obj, None, deny_form=form)


# --- offboarding (P3) -----------------------------------------------------------------


@staff_required(perm=services.PERM_GRANT)
@require_http_methods(["GET", "HEAD", "POST"])
def offboarding_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = OffboardingStartForm(request.POST)
        if form.is_valid():
            try:
                offboarding = services.offboarding_start(
                    by=_staff(request), **form.cleaned_data
                )
            except NotPermitted:
                raise
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{offboarding}: every access was revoked. Do the platform "
                    "steps below and record each one, and hand over their open "
                    "work.",
                )
                return redirect(offboarding)
    else:
        form = OffboardingStartForm(initial={"person": request.GET.get("person")})
    offboardings = Offboarding.objects.select_related("person", "started_by")
    return render(
        request,
        "accounts/offboarding_list.html",
        {
            "form": form,
            "open": [o for o in offboardings if o.status == Offboarding.Status.OPEN],
            "completed": [
                o for o in offboardings if o.status == Offboarding.Status.COMPLETED
            ][:20],
        },
        status=400 if form.is_bound else 200,
    )


@staff_required(perm=services.PERM_GRANT)
@require_safe
def offboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _offboarding_page(request, pk)


def _step_form(step: OffboardingStep, data: Any = None) -> StepCompleteForm:
    return StepCompleteForm(data, auto_id=f"step{step.pk}_%s")


def _handover_form(
    offboarding: Offboarding,
    source: handover.Provider,
    item: handover.Item,
    data: Any = None,
) -> HandoverForm:
    return HandoverForm(
        data,
        candidates=source.candidates(person=offboarding.person, item=item),
        to_label=source.to_label,
        confirm=source.confirm,
        auto_id=f"handover-{source.key}-{item.key}-%s",
    )


def _offboarding_page(
    request: HttpRequest,
    pk: int,
    *,
    refused: tuple[str, Any] | None = None,
) -> HttpResponse:
    """The offboarding page: the platform steps, and the open work the person
    still holds (every ``accounts.handover`` provider's), each with its form.
    ``refused`` is ``(key, form)`` of a form sent back with what was wrong."""
    offboarding = get_object_or_404(
        Offboarding.objects.select_related("person", "started_by"), pk=pk
    )
    refused_key, refused_form = refused or ("", None)
    steps = [
        (step, refused_form if refused_key == f"step-{step.pk}" else _step_form(step))
        for step in offboarding.steps.select_related(
            "account__platform", "completed_by"
        ).order_by("account__platform__name", "account__handle", "kind")
    ]
    work = []
    if offboarding.status == Offboarding.Status.OPEN:
        for source, items in handover.open_work(person=offboarding.person):
            rows = []
            for item in items:
                key = f"handover-{source.key}-{item.key}"
                form = (
                    refused_form
                    if refused_key == key
                    else _handover_form(offboarding, source, item)
                )
                rows.append((item, form))
            work.append((source, rows))
    return render(
        request,
        "accounts/offboarding_detail.html",
        {
            "offboarding": offboarding,
            "steps": steps,
            "steps_left": sum(1 for step, _ in steps if not step.done),
            "work": work,
            "sign_in": _sign_in_status(offboarding),
        },
        status=400 if refused_form is not None else 200,
    )


def _sign_in_status(offboarding: Offboarding) -> str:
    """Say what happens, or happened, to the person's sign-in to this system."""
    person = offboarding.person
    if not person.is_active:
        return "Their sign-in to this system is deactivated."
    if not offboarding.deactivate_sign_in:
        return (
            "Their sign-in to this system stays active: deactivating it was not "
            "chosen when this offboarding started."
        )
    kept = selectors.sign_in_kept_because(person=person)
    if offboarding.status == Offboarding.Status.OPEN and not kept:
        return (
            "When the offboarding completes, their sign-in to this system will be "
            "deactivated."
        )
    because = f" because {'; '.join(kept)}" if kept else ""
    verb = "will stay" if offboarding.status == Offboarding.Status.OPEN else "stays"
    return (
        f"Their sign-in to this system {verb} active{because}. If they have left "
        "the city, deactivate it under Administration, Users."
    )


def _said_if_complete(request: HttpRequest, pk: int) -> None:
    offboarding = Offboarding.objects.select_related("person").get(pk=pk)
    if offboarding.status == Offboarding.Status.COMPLETED:
        messages.success(
            request, f"{offboarding} is complete. {_sign_in_status(offboarding)}"
        )


@staff_required(perm=services.PERM_GRANT)
@require_POST
def offboarding_step_complete(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    step_obj = get_object_or_404(OffboardingStep, pk=step, offboarding_id=pk)
    form = _step_form(step_obj, request.POST)
    if not form.is_valid():
        # Nothing is recorded; the page comes back with the note as typed.
        return _offboarding_page(request, pk, refused=(f"step-{step_obj.pk}", form))
    try:
        services.offboarding_step_complete(
            step=step_obj, by=_staff(request), note=form.cleaned_data["note"]
        )
    except NotPermitted:
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Recorded as done: {step_obj}.")
        _said_if_complete(request, pk)
    return redirect(step_obj.offboarding)


@staff_required(perm=services.PERM_GRANT)
@require_POST
def offboarding_hand_over(
    request: HttpRequest, pk: int, provider: str, item: str
) -> HttpResponse:
    """Hand one piece of the person's open work to someone (``accounts.handover``)."""
    offboarding = get_object_or_404(Offboarding, pk=pk)
    try:
        source = handover.provider(provider)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    found = next(
        (i for i in source.items(person=offboarding.person) if i.key == item), None
    )
    if found is None:
        messages.error(
            request,
            "That work is no longer theirs to hand over: someone took it over, or "
            "it was closed, meanwhile.",
        )
        return redirect(offboarding)
    form = _handover_form(offboarding, source, found, request.POST)
    if form.is_valid():
        try:
            services.offboarding_hand_over(
                offboarding=offboarding,
                provider=provider,
                item=item,
                to=form.cleaned_data["to"],
                by=_staff(request),
            )
        except NotPermitted:
            raise
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, f"Handed over to {form.cleaned_data['to']}: {found.label}."
            )
            _said_if_complete(request, pk)
            return redirect(offboarding)
    return _offboarding_page(request, pk, refused=(f"handover-{provider}-{item}", form))


# --- incidents (P16-P18) -----------------------------------------------------------


@staff_required(perm="accounts.view_incident")
@require_http_methods(["GET", "HEAD", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    """Every incident, open ones first; the form to record one for whoever may."""
    may_record = request.user.has_perm("accounts.add_incident")
    form = None
    if request.method == "POST":
        if not may_record:
            raise NotPermitted("You may not record incidents.")
        form = IncidentForm(request.POST)
        if form.is_valid():
            try:
                incident = services.incident_record(by=_staff(request), **form.values())
            except NotPermitted:
                raise
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{incident} is recorded. Record the follow-up here once "
                    "action is taken.",
                )
                return redirect(incident)
    elif may_record:
        form = IncidentForm()
    incidents = Incident.objects.select_related("person", "account__platform")
    return render(
        request,
        "accounts/incident_list.html",
        {
            "form": form,
            "open": [i for i in incidents if i.status == Incident.Status.OPEN],
            "closed": [i for i in incidents if i.status == Incident.Status.CLOSED],
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _incident_page(
    request: HttpRequest, incident: Incident, form: IncidentCloseForm | None = None
) -> HttpResponse:
    may_close = incident.status == Incident.Status.OPEN and request.user.has_perm(
        "accounts.close_incident"
    )
    return render(
        request,
        "accounts/incident_detail.html",
        {
            "incident": incident,
            "form": form
            or (IncidentCloseForm(instance=incident) if may_close else None),
        },
        status=400 if form is not None else 200,
    )


def _incident(pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.select_related(
            "person", "account__platform", "recorded_by", "closed_by"
        ),
        pk=pk,
    )


@staff_required(perm="accounts.view_incident")
@require_safe
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_page(request, _incident(pk))


@staff_required(perm="accounts.close_incident")
@require_POST
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = IncidentCloseForm(request.POST, instance=incident)
    if form.is_valid():
        try:
            services.incident_close(
                incident=incident, by=_staff(request), **form.values()
            )
        except NotPermitted:
            raise
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"{incident} is closed.")
            return redirect(incident)
    # The instance took the form's values: show the record as it is saved.
    return _incident_page(request, _incident(pk), form)
