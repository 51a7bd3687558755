import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    MiddlewareNotUsed,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.handlers.exception import response_for_exception
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    UnreadablePostError,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver, get_urlconf, resolve
from django.utils.log import log_response

from core.context import ActorContext, current_actor
from core.exceptions import DomainError, NotPermitted
from core.net import client_ip

logger = logging.getLogger(__name__)


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
            # Not a number: MalformedRequestMiddleware, further in, answers 400.
            length = 0
        if length > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": round(limit / 1_048_576)},
                status=413,
            )
        return self.get_response(request)


#: The longest query string answered: more than any page makes, far less than the
#: 50,000-byte LIKE pattern SQLite refuses. gunicorn already refuses a request
#: line over 4,094 bytes; the development server takes 64 KB.
QUERY_STRING_MAX_CHARS = 8192

# RFC 9110: Content-Length = 1*DIGIT; int() would also take "-1", "1_0", " 1" and
# digits of other scripts.
_DIGITS = re.compile(r"[0-9]+")


def _holds_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in data.lists()
    )


class MalformedRequestMiddleware:
    """Answer 400, with the site's "Bad request" page, to a request that no page of
    the site could have sent, before any of it reaches a view, a form or the
    database.

    A ``Content-Length`` that is not a number: Django reads the form with
    ``int()`` of it (a ``ValueError``, a 500, in any view with a form). gunicorn
    refuses such a header itself; the development server passes it on.

    A null character (``%00``) in the address, the query string, a header or a
    form sent as ``application/x-www-form-urlencoded``: PostgreSQL refuses it in
    any text value (psycopg raises ``DataError``, a 500), and the admin passes
    query string values to the database unchecked
    (``/admin/accounts/account/?handle=%00``), as django-axes does the sign-in's
    User-Agent. Forms sent as ``multipart/form-data`` (those with a file) are left
    to their forms, whose text fields refuse a null character with a message;
    parsing them here would read uploads before the views' own checks.

    A query string longer than ``QUERY_STRING_MAX_CHARS``: no page makes one, and
    an admin search that long is a pattern SQLite refuses (a 500 in the demo).

    A cookie holding a null character (written ``"\\000"`` inside quotes, which
    passes any server) is dropped rather than refused: the session cookie is
    looked up in the database, and a visitor cannot see or fix a cookie, so the
    request goes on as if it had not been sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = self._problem(request)
        if reason:
            return _bad_request(request, reason)
        if any("\x00" in name + value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value
                for name, value in request.COOKIES.items()
                if "\x00" not in name + value
            }
        return self.get_response(request)

    def _problem(self, request: HttpRequest) -> str:
        """Return what is wrong with ``request``, or "" if nothing is."""
        length = request.META.get("CONTENT_LENGTH")
        if length and not _DIGITS.fullmatch(length):
            return "a Content-Length that is not a number"
        if any(
            "\x00" in value
            for key, value in request.META.items()
            if key.startswith("HTTP_") or key == "CONTENT_TYPE"
        ):
            return "a null character in a header"
        if "\x00" in request.path:
            return "a null character in the path"
        if len(request.META.get("QUERY_STRING", "")) > QUERY_STRING_MAX_CHARS:
            return "a query string too long"
        if _holds_nul(request.GET):
            return "a null character in the query string"
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
        ):
            try:
                form = request.POST
            except (RequestDataTooBig, UnreadablePostError):
                # Left to whoever reads the form next, as before: a form over
                # DATA_UPLOAD_MAX_MEMORY_SIZE gets Django's 400 or the view's own
                # message; a client that went away needs no answer.
                return ""
            if _holds_nul(form):
                return "a null character in the form"
        return ""


def _bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    """Answer with the project's 400 page and log why, as Django does for its own."""
    handler: Callable[..., HttpResponse] = get_resolver(
        get_urlconf()
    ).resolve_error_handler(400)
    response = handler(request, exception=BadRequest(reason))
    log_response(
        "Bad Request (%s): %s", reason, request.path, response=response, request=request
    )
    return response


class RequestMethodMiddleware:
    """Answer a method a page does not take with a page, not a blank one.

    ``require_safe``, ``require_POST`` and the like answer 405 with an empty body:
    a blank page to someone who sent a form to a page that only shows one. They
    now see ``405.html``; the ``Allow`` header is kept. (Pages that answer GET
    answer HEAD too: their views use ``require_safe`` or list "HEAD".)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and not response.content
        ):
            response.content = render_to_string("405.html")
        return response


class ProductNotFoundPageMiddleware:
    """With ``DEBUG`` on, answer "not found" with the product's own page anyway.

    Django shows its debug 404 page (every URL pattern of the site) whenever
    ``DEBUG`` is on. The demo (``make run``) sets ``PRODUCT_404_IN_DEBUG=true`` so
    that a wrong address shows ``templates/404.html``, as production does; a
    developer's ``runserver`` keeps the debug page. Off ``DEBUG`` Django already
    does this, and the middleware takes itself out.

    An unknown address never reaches a view, so it is resolved here first; a view
    that raises ``Http404`` is caught in ``process_exception``. Either way the
    project's 404 handler renders the page (Django's handler still logs the 404).
    Outer middleware still sees the 404 (``CommonMiddleware`` still redirects
    ``/staff`` to ``/staff/``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not (settings.DEBUG and settings.PRODUCT_404_IN_DEBUG):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    def _not_found(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        # As Django calls it (django-stubs types the handler without the exception).
        handler: Callable[..., HttpResponse] = get_resolver(
            get_urlconf()
        ).resolve_error_handler(404)
        return handler(request, exception=exception)


class DomainErrorMiddleware:
    """A service's refusal that no view caught becomes a page, never a 500.

    ``NotPermitted`` is the 403 page. Any other ``DomainError`` (a step refused
    for the record's state, e.g. a double submission) is a 400 page saying why;
    it is logged, because a view should show it on its own page instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, NotPermitted):
            return response_for_exception(request, PermissionDenied(str(exception)))
        if isinstance(exception, DomainError):
            logger.warning("Uncaught refusal on %s: %s", request.path, exception)
            return render(request, "400.html", {"message": str(exception)}, status=400)
        return None
