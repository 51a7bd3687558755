from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core import dashboard, outbox
from core.auth import staff_required
from core.exceptions import InvalidTransition
from core.health import run_checks
from core.ids import parse_id
from core.models import OutboxMessage


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/dashboard.html", {"panels": dashboard.panels_for(request)}
    )


EMAILS_PER_PAGE = 50


@staff_required
@require_safe
def email_list(request: HttpRequest) -> HttpResponse:
    """Every email this person handles, sent or waiting, newest first: where staff
    read what a resident or a colleague was sent (and, in the demo, where the
    emails the demo sends land)."""
    page = Paginator(outbox.outbox_list_for(user=request.user), EMAILS_PER_PAGE)
    return render(
        request,
        "core/outbox/list.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@staff_required
@require_safe
def email_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One email as it was written (recipient, subject, body) and its state."""
    message_id = parse_id(pk)
    if message_id is None:
        raise Http404
    message = get_object_or_404(
        outbox.outbox_list_for(user=request.user), pk=message_id
    )
    return render(request, "core/outbox/detail.html", {"message": message})


@staff_required
@require_POST
def outbox_retry(request: HttpRequest, pk: str) -> HttpResponse:
    """Try a given-up email again (core.outbox), then go back where the button was."""
    message_id = parse_id(pk)
    if message_id is None:
        raise Http404
    message = get_object_or_404(OutboxMessage, pk=message_id)
    try:
        outbox.outbox_retry(message=message, by=request.user)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{message.about}: the email will be sent again shortly."
        )
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("core:dashboard")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the pages of a view carrying a status token (a resident's private
    link) out of caches (``never_cache``, and private), indexes and referrers."""

    @wraps(view)
    def private(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(private)
