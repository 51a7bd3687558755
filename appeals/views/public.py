"""The public appeal and challenge forms, and the resident's private status page.

Views parse input, call one service and render; every refusal of a public
submission is a polite page (400 or 429), never a server error (P22, P23, N6, N7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.selectors import city_profile_get
from appeals import forms as f
from appeals import limits, selectors, services
from appeals.models import (
    Filing,
)
from core.forms import show_errors
from core.net import client_ip
from core.views import private_page

logger = logging.getLogger(__name__)


def _body_max(*form_classes: type[Any]) -> int:
    """The largest body a filled-in public form can make: every field at its
    longest, in 4-byte characters, each byte percent-encoded (12 bytes a
    character), plus room for the fields without a length and the token."""
    longest = max(
        sum(
            getattr(field, "max_length", None) or 0
            for field in form.base_fields.values()
        )
        for form in form_classes
    )
    return longest * 12 + 16 * 1024


# The public forms are text only. A body larger than any filled-in form makes is
# refused before Django parses it (DATA_UPLOAD_MAX_MEMORY_SIZE is the global cap);
# a resident who writes every field to its limit in Chinese or Amharic is not.
PUBLIC_BODY_MAX = _body_max(f.AppealForm, f.ChallengeForm)
REFUSALS = {
    "too_large": "Your submission is larger than this form accepts.",
    "honeypot": "Your submission looked automated, so it was not accepted.",
    "too_fast": "The form was sent faster than a person could fill it in.",
    "invalid": "The form could not be checked: it may have been changed or copied.",
    "expired": "This form was open for more than a day.",
    "flood": "We have received many submissions from your connection recently.",
}

STATUS_RATE = (
    "You have opened status pages many times in a short while. Please wait a "
    "minute, then try again."
)

Kind = Literal["appeal", "challenge"]


def _office(kind: Kind, profile: Any) -> dict[str, str] | None:
    """The office the city profile names for written appeals (N6) or legality
    challenges (N7)."""
    if profile is None:
        return None
    prefix = "appeal" if kind == "appeal" else "legality"
    return {
        "contact": getattr(profile, f"{prefix}_contact"),
        "email": getattr(profile, f"{prefix}_email"),
        "postal_address": getattr(profile, f"{prefix}_postal_address"),
    }


def _refuse(request: HttpRequest, reason: str, *, kind: Kind) -> HttpResponse:
    """The page for a submission whose text cannot be kept (too large, or a
    bot's): what happened, and where to write instead."""
    logger.info("public form refused: %s from %s", reason, client_ip(request))
    return render(
        request,
        "appeals/refused.html",
        {
            "message": REFUSALS[reason],
            "office": _office(kind, city_profile_get()),
        },
        status=400,
    )


def _public_form(
    request: HttpRequest,
    *,
    kind: Kind,
    form_class: type[f.AppealForm] | type[f.ChallengeForm],
    submit: Any,
    template: str,
    extra_of: Callable[[], dict[str, Any]],
) -> HttpResponse:
    if request.method != "POST":
        form = form_class(initial={"started": f.form_stamp()})
        return _render_form(request, template, form, {**extra_of(), "kind": kind})
    # (core.middleware.MalformedRequestMiddleware has refused a length that is
    # not a number.)
    if int(request.META.get("CONTENT_LENGTH") or 0) > PUBLIC_BODY_MAX:
        return _refuse(request, "too_large", kind=kind)
    extra = {**extra_of(), "kind": kind}
    if limits.over_cache_limit(
        request, group="appeals.public-post", rate=settings.APPEALS_POST_RATE
    ):
        return _send_back(
            request, template, form_class(request.POST), extra, "flood", status=429
        )
    if request.POST.get("website"):
        return _refuse(request, "honeypot", kind=kind)
    form = form_class(request.POST)
    # Errors in the answers first: a form sent back with them is no filing,
    # however fast it came back.
    if not form.is_valid():
        problem = _stamp_problem(request.POST)
        if problem in ("invalid", "expired"):
            form = _with_new_stamp(form_class, request.POST)
            form.is_valid()
        return _render_form(request, template, form, extra)
    problem = _stamp_problem(request.POST)
    if problem == "expired":
        # Left open overnight: keep every answer, ask them to check and resend.
        form = _with_new_stamp(form_class, request.POST)
        return _send_back(request, template, form, extra, problem, status=200)
    if problem == "invalid":
        form = _with_new_stamp(form_class, request.POST)
        return _send_back(request, template, form, extra, problem, status=400)
    if problem == "too_fast":
        return _send_back(request, template, form, extra, problem, status=400)
    reached = limits.filing_limit_reached(request, rate=settings.APPEALS_SUBMIT_RATE)
    if reached is not None:
        logger.info("public form refused: rate from %s", client_ip(request))
        response = _send_back(
            request, template, form, {**extra, "limit": reached}, "rate", status=429
        )
        response["Retry-After"] = str(reached.retry_after_seconds)
        return response
    try:
        filing = submit(**form.service_kwargs())
    except ValidationError as exc:
        show_errors(form, exc)
        return _render_form(request, template, form, extra)
    return redirect("appeals:filed", token=filing.status_token)


def _stamp_problem(data: Any) -> str:
    """Return what is wrong with the form's signed time ("" if nothing)."""
    try:
        f.check_stamp(data.get("started", ""))
    except f.StampProblem as problem:
        return problem.reason
    return ""


def _with_new_stamp(
    form_class: type[f.AppealForm] | type[f.ChallengeForm], data: Any
) -> Any:
    """The form with every answer in ``data`` and a new signed time."""
    data = data.copy()
    data["started"] = f.form_stamp()
    return form_class(data)


def _send_back(
    request: HttpRequest,
    template: str,
    form: Any,
    extra: dict[str, Any],
    reason: str,
    *,
    status: int,
) -> HttpResponse:
    """The form again with everything typed in it, and why it was not filed."""
    if reason != "rate":
        logger.info("public form sent back: %s from %s", reason, client_ip(request))
    response = _render_form(
        request,
        template,
        form,
        {**extra, "refusal": {"reason": reason, "message": REFUSALS.get(reason, "")}},
    )
    response.status_code = status
    return response


def _render_form(
    request: HttpRequest, template: str, form: Any, extra: dict[str, Any]
) -> HttpResponse:
    form.mark_fields()
    profile = city_profile_get()
    return render(
        request,
        template,
        {
            "form": form,
            "profile": profile,
            "office": _office(extra["kind"], profile),
            "days": selectors.deadline_days(profile),
            **extra,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """P22, N6: appeal a removed comment in writing."""
    from moderation.models import RemovalCategory

    return _public_form(
        request,
        kind="appeal",
        form_class=f.AppealForm,
        submit=services.appeal_submit,
        template="appeals/appeal_form.html",
        extra_of=lambda: {"categories": list(RemovalCategory.objects.all())},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def challenge_new(request: HttpRequest) -> HttpResponse:
    """P23, N7: challenge the legality of part of the policy or notice."""
    return _public_form(
        request,
        kind="challenge",
        form_class=f.ChallengeForm,
        submit=services.challenge_submit,
        template="appeals/challenge_form.html",
        extra_of=dict,
    )


def _filing_for_token(request: HttpRequest, token: str) -> Filing | HttpResponse:
    if limits.over_cache_limit(
        request, group="appeals.public-status", rate=settings.APPEALS_STATUS_RATE
    ):
        logger.info("status page refused: rate from %s", client_ip(request))
        response = render(request, "429.html", {"message": STATUS_RATE}, status=429)
        _count, window = limits.parse_rate(settings.APPEALS_STATUS_RATE)
        response["Retry-After"] = str(int(window.total_seconds()))
        return response
    filing = selectors.filing_by_token(token)
    if filing is None:
        raise Http404("No filing has this status link.")
    return filing


def _resident_page(
    request: HttpRequest, token: str, template: str, **extra: Any
) -> HttpResponse:
    """A page only the holder of a filing's status link sees, kept private."""
    filing = _filing_for_token(request, token)
    if isinstance(filing, HttpResponse):
        return filing
    context = {"filing": filing, "profile": city_profile_get(), **extra}
    return private_page(render(request, template, context))


@never_cache
@require_safe
def filed(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation page: the tracking reference and the private status link."""
    status_url = request.build_absolute_uri(reverse("appeals:status", args=[token]))
    return _resident_page(request, token, "appeals/filed.html", status_url=status_url)


@never_cache
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's private status page: state, due date, the written answer."""
    return _resident_page(request, token, "appeals/status.html")
