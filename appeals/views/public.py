"""The public appeal and challenge forms, and the resident's private status page.

Views parse input, call one service and render; every refusal of a public
submission is a polite page (400 or 429), never a server error (P22, P23, N6, N7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from accounts.selectors import city_profile_get
from appeals import forms as f
from appeals import selectors, services
from appeals.models import (
    Filing,
)
from core.net import client_ip

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
    "rate": "We have received several submissions from your connection recently.",
    "honeypot": "Your submission looked automated, so it was not accepted.",
    "too_fast": "The form was sent faster than a person could fill it in.",
    "invalid": "The form could not be checked: it may have been changed or copied.",
}


def client_key(group: str, request: HttpRequest) -> str:
    """Rate-limit key: the client address, honouring trusted proxies (core.net)."""
    return client_ip(request) or "unknown"


def _refuse(request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
    logger.info("public form refused: %s from %s", reason, client_ip(request))
    response = render(
        request,
        "appeals/refused.html",
        {"reason": reason, "message": REFUSALS[reason], "retry": status == 429},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "3600"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page carrying a status token out of caches, indexes and referrers."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _public_form(
    request: HttpRequest,
    *,
    form_class: type[f.AppealForm] | type[f.ChallengeForm],
    submit: Any,
    template: str,
    extra_of: Callable[[], dict[str, Any]],
) -> HttpResponse:
    if request.method != "POST":
        form = form_class(initial={"started": f.form_stamp()})
        return _render_form(request, template, form, extra_of())
    # (core.middleware.MalformedRequestMiddleware has refused a length that is
    # not a number.)
    if int(request.META.get("CONTENT_LENGTH") or 0) > PUBLIC_BODY_MAX:
        return _refuse(request, "too_large", status=400)
    if is_ratelimited(
        request,
        group="appeals.public-submit",
        key=client_key,
        rate=settings.APPEALS_SUBMIT_RATE,
        method="POST",
        increment=True,
    ):
        return _refuse(request, "rate", status=429)
    if request.POST.get("website"):
        return _refuse(request, "honeypot", status=400)
    form = form_class(request.POST)
    try:
        f.check_stamp(request.POST.get("started", ""))
    except f.StampProblem as problem:
        if problem.reason != "expired":
            return _refuse(request, problem.reason, status=400)
        # Left open overnight: keep every answer, ask them to check and resend.
        data = request.POST.copy()
        data["started"] = f.form_stamp()
        form = form_class(data)
        form.is_valid()
        form.add_error(
            None,
            "This form was open for more than a day. Check your answers and "
            "send it again.",
        )
        return _render_form(request, template, form, extra_of())
    if form.is_valid():
        try:
            filing = submit(**form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("appeals:filed", token=filing.status_token)
    return _render_form(request, template, form, extra_of())


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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
            "days": services.deadline_days(profile),
            **extra,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """P22, N6: appeal a removed comment in writing."""
    from moderation.models import RemovalCategory

    return _public_form(
        request,
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
        form_class=f.ChallengeForm,
        submit=services.challenge_submit,
        template="appeals/challenge_form.html",
        extra_of=dict,
    )


def _filing_for_token(request: HttpRequest, token: str) -> Filing | HttpResponse:
    if is_ratelimited(
        request,
        group="appeals.public-status",
        key=client_key,
        rate=settings.APPEALS_STATUS_RATE,
        method="GET",
        increment=True,
    ):
        return _refuse(request, "rate", status=429)
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
    return _private(render(request, template, context))


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
