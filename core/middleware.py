from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.context import ActorContext, current_actor
from core.net import client_ip


class AuditContextMiddleware:
    """Make the signed-in user and client address available to ``record_event``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = current_actor.set(
            ActorContext(
                user=user if user is not None and user.is_authenticated else None,
                ip=client_ip(request),
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than ``MAX_REQUEST_BODY_BYTES`` (413).

    Django caps form fields in memory (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams
    uploaded files to disk without a limit; this stops an oversized body before any
    of it is read, for every form, public or staff. Each upload field is checked
    again by ``core.uploads.validate_upload``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": round(limit / 1_048_576)},
                status=413,
            )
        return self.get_response(request)
