"""Pages of the accounts app: the public list (P7) and the staff request and
offboarding pages. Each view parses input, calls one service and renders."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts import selectors, services
from accounts.exceptions import AccountsError, CapReached, NotPermitted
from accounts.forms import (
    AccountRequestForm,
    ApproveForm,
    OffboardingStartForm,
    OptionalReasonForm,
    ReasonForm,
    StepCompleteForm,
    apply_errors,
)
from accounts.models import AccountRequest, Offboarding, OffboardingStep, User
from core.auth import staff_required


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
            except (ValidationError, AccountsError) as exc:
                apply_errors(form, exc)
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
            except NotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except (ValidationError, AccountsError) as exc:
                apply_errors(form, exc)
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
        "submit_error": forms.get("submit_error"),
    }


def _refuse_or_rerender(
    request: HttpRequest, obj: AccountRequest, exc: Exception | None, **forms: Any
) -> HttpResponse:
    """Show the page again with what was refused; nothing was saved."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(str(exc)) from exc
    if isinstance(exc, AccountsError):
        # A refused transition: the form it came from may not be shown any more.
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


@staff_required
@require_POST
def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    try:
        services.account_request_submit(request=obj, by=_staff(request))
    except ValidationError as exc:
        text = "; ".join(m for ms in exc.message_dict.values() for m in ms)
        return _refuse_or_rerender(
            request, obj, None, submit_error=f"It cannot be submitted yet: {text}"
        )
    except AccountsError as exc:
        return _refuse_or_rerender(request, obj, exc)
    messages.success(request, f"{obj.reference} was submitted for a decision.")
    return redirect(obj)


@staff_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request, pk)
    form = OptionalReasonForm(request.POST, auto_id="withdraw_%s")
    form.is_valid()
    try:
        services.account_request_withdraw(
            request=obj, by=_staff(request), reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _refuse_or_rerender(request, obj, None, withdraw_form=form)
    except AccountsError as exc:
        return _refuse_or_rerender(request, obj, exc)
    messages.success(request, f"{obj.reference} was withdrawn.")
    return redirect(obj)


@staff_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(services.PERM_DECIDE):
        raise PermissionDenied
    obj = _visible_request(request, pk)
    form = ApproveForm(request.POST, auto_id="approve_%s")
    if form.is_valid():
        try:
            account = services.account_request_approve(
                request=obj, by=_staff(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except CapReached as exc:
            form.add_error("cap_override_reason", str(exc))
        except AccountsError as exc:
            return _refuse_or_rerender(request, obj, exc)
        else:
            messages.success(
                request,
                f"{obj.reference} was approved; {account} is now on the registry. "
                "Next: give its managers access, and verify its checklist.",
            )
            return redirect(obj)
    return _refuse_or_rerender(request, obj, None, approve_form=form)


@staff_required
@require_POST
def request_deny(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(services.PERM_DECIDE):
        raise PermissionDenied
    obj = _visible_request(request, pk)
    form = ReasonForm(request.POST, auto_id="deny_%s")
    if form.is_valid():
        try:
            services.account_request_deny(
                request=obj, by=_staff(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except AccountsError as exc:
            return _refuse_or_rerender(request, obj, exc)
        else:
            messages.success(request, f"{obj.reference} was denied.")
            return redirect(obj)
    return _refuse_or_rerender(request, obj, None, deny_form=form)


# --- offboarding (P3) -----------------------------------------------------------------


def _require_grant_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(services.PERM_GRANT):
        raise PermissionDenied


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def offboarding_list(request: HttpRequest) -> HttpResponse:
    _require_grant_permission(request)
    if request.method == "POST":
        form = OffboardingStartForm(request.POST)
        if form.is_valid():
            try:
                offboarding = services.offboarding_start(
                    person=form.cleaned_data["person"],
                    by=_staff(request),
                    reason=form.cleaned_data["reason"],
                    deactivate_sign_in=form.cleaned_data["deactivate_sign_in"],
                )
            except (ValidationError, AccountsError) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{offboarding}: every access was revoked. Do the platform "
                    "steps below and record each one.",
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


@staff_required
@require_safe
def offboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_grant_permission(request)
    return _offboarding_page(request, pk)


def _offboarding_page(
    request: HttpRequest,
    pk: int,
    *,
    refused_step: int | None = None,
    refused_form: StepCompleteForm | None = None,
) -> HttpResponse:
    """The offboarding page; after a refused step, that step's note kept with why."""
    offboarding = get_object_or_404(
        Offboarding.objects.select_related("person", "started_by"), pk=pk
    )
    steps = offboarding.steps.select_related(
        "account__platform", "completed_by"
    ).order_by("account__platform__name", "account__handle", "kind")
    return render(
        request,
        "accounts/offboarding_detail.html",
        {
            "offboarding": offboarding,
            "steps": steps,
            "sign_in": _sign_in_status(offboarding),
            "refused_step": refused_step,
            "refused_form": refused_form,
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
            "When the last step is recorded, their sign-in to this system will be "
            "deactivated."
        )
    because = f" because {'; '.join(kept)}" if kept else ""
    verb = "will stay" if offboarding.status == Offboarding.Status.OPEN else "stays"
    return (
        f"Their sign-in to this system {verb} active{because}. If they have left "
        "the city, deactivate it under Administration, Users."
    )


@staff_required
@require_POST
def offboarding_step_complete(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    _require_grant_permission(request)
    step_obj = get_object_or_404(OffboardingStep, pk=step, offboarding_id=pk)
    form = StepCompleteForm(request.POST)
    if not form.is_valid():
        # Nothing is recorded; the page comes back with the note as typed.
        return _offboarding_page(
            request, pk, refused_step=step_obj.pk, refused_form=form
        )
    try:
        services.offboarding_step_complete(
            step=step_obj, by=_staff(request), note=form.cleaned_data.get("note", "")
        )
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Recorded as done: {step_obj}.")
        offboarding = Offboarding.objects.select_related("person").get(pk=pk)
        if offboarding.status == Offboarding.Status.COMPLETED:
            messages.success(
                request, f"{offboarding} is complete. {_sign_in_status(offboarding)}"
            )
    return redirect(step_obj.offboarding)
