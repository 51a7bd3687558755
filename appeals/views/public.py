"""The public appeal and challenge forms, and the resident's private status page.

Views parse input, call one service and render; every refusal of a public
submission is a polite page (400 or 429), never a server error (P22, P23, N6, N7):
the forms' protections are ``core.public_forms``, shared with the Data
Practices request form.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.selectors import city_profile_get
from appeals import forms as f
from appeals import selectors, services
from appeals.models import Filing
from core import limits
from core.net import client_ip
from core.public_forms import PublicForm
from core.views import private_page

logger = logging.getLogger(__name__)

STATUS_RATE = (
    "You have opened status pages many times in a short while. Please wait a "
    "minute, then try again."
)

Kind = Literal["appeal", "challenge"]

#: The forms a refused submission's page offers.
LINKS = (
    ("appeals:appeal-new", "Appeal a removed comment"),
    ("appeals:challenge-new", "Challenge the policy's legality"),
)


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


def _categories() -> list[Any]:
    from moderation.models import RemovalCategory

    return list(RemovalCategory.objects.all())


def _public_form(kind: Kind, form_class: type[Any], template: str) -> PublicForm:
    def context() -> dict[str, Any]:
        """The form's page: the office to write to instead (N6, N7) and the
        deadlines, from one reading of the city profile; the appeal form also
        lists the removal categories (P22)."""
        profile = city_profile_get()
        extra = {"categories": _categories()} if kind == "appeal" else {}
        return {
            "kind": kind,
            "profile": profile,
            "days": selectors.deadline_days(profile),
            **extra,
        }

    return PublicForm(
        form_class=form_class,
        template=template,
        context=context,
        flood_group="appeals.public-post",
        filing_actions=selectors.WEB_FILING_ACTIONS,
        links=LINKS,
        noun=kind,
        # One limit for both forms: they count each other's filings.
        filings=("appeal or challenge", "appeals or challenges"),
        office=lambda page: _office(kind, page["profile"]),
    )


APPEAL_FORM = _public_form("appeal", f.AppealForm, "appeals/appeal_form.html")
CHALLENGE_FORM = _public_form(
    "challenge", f.ChallengeForm, "appeals/challenge_form.html"
)


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """P22, N6: appeal a removed comment in writing."""
    return APPEAL_FORM.handle(request, services.appeal_submit, filed="appeals:filed")


@require_http_methods(["GET", "HEAD", "POST"])
def challenge_new(request: HttpRequest) -> HttpResponse:
    """P23, N7: challenge the legality of part of the policy or notice."""
    return CHALLENGE_FORM.handle(
        request, services.challenge_submit, filed="appeals:filed"
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
    """A page only the holder of a filing's status link sees (kept private by
    :func:`core.views.private_page`)."""
    filing = _filing_for_token(request, token)
    if isinstance(filing, HttpResponse):
        return filing
    context = {"filing": filing, "profile": city_profile_get(), **extra}
    return render(request, template, context)


@private_page
@require_safe
def filed(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation page: the tracking reference and the private status link."""
    status_url = request.build_absolute_uri(reverse("appeals:status", args=[token]))
    return _resident_page(request, token, "appeals/filed.html", status_url=status_url)


@private_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's private status page: state, due date, the written answer."""
    return _resident_page(request, token, "appeals/status.html")
