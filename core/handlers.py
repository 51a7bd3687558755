"""Django's WSGI and ASGI handlers, with requests that survive any Content-Type.

Django reads the ``Content-Type`` header while it builds the request object,
before any middleware runs. A parameter written in RFC 2231's form with a
character set Python does not know (``multipart/form-data;
boundary*=nope''x``) makes it raise ``ValueError`` there, which no middleware
or error page can catch: the server answered 500 to anyone who sent it.

It also decodes the query string, there and then, with the header's
``charset`` (a ``LookupError`` for ``charset=rot13``, again before any
middleware): the requests built here leave the charset to
``core.middleware.MalformedRequestMiddleware``, which reads UTF-8 under any of
its names and refuses a form in any other.

The requests built here read an unreadable header as no content type at all
and note the problem; the middleware answers them with the site's 400 page.
``config/wsgi.py`` and ``config/asgi.py`` serve with these handlers.
"""

from __future__ import annotations

from typing import Any

import django
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.utils.http import parse_header_parameters


class _ContentTypeMixin:
    content_type: str | None
    content_params: dict[str, str] | None
    #: Why the ``Content-Type`` header could not be read, or "".
    content_type_problem = ""

    def _set_content_type_params(self, meta: Any) -> None:
        """Set ``content_type`` and ``content_params``; not ``encoding``."""
        try:
            self.content_type, self.content_params = parse_header_parameters(
                meta.get("CONTENT_TYPE", "")
            )
        except ValueError:
            # An RFC 2231 parameter in an unknown character set.
            self.content_type, self.content_params = "", {}
            self.content_type_problem = "a Content-Type header that cannot be read"


class CityWSGIRequest(_ContentTypeMixin, WSGIRequest):
    pass


class CityASGIRequest(_ContentTypeMixin, ASGIRequest):
    pass


class CityWSGIHandler(WSGIHandler):
    request_class = CityWSGIRequest


class CityASGIHandler(ASGIHandler):
    request_class = CityASGIRequest


def wsgi_application() -> CityWSGIHandler:
    """Return the WSGI application, as ``get_wsgi_application()`` does."""
    django.setup(set_prefix=False)
    return CityWSGIHandler()


def asgi_application() -> CityASGIHandler:
    """Return the ASGI application, as ``get_asgi_application()`` does."""
    django.setup(set_prefix=False)
    return CityASGIHandler()
