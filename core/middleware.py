from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
