"""No request gets a server error, whatever its character set, encoding or content
type.

Every form of the site, public, sign-in and staff (found by walking the URLconf
and the admin's models), is sent a battery of bodies through the application
gunicorn serves (``config.wsgi``, not the test client, which builds its requests
itself), with a valid CSRF token so that each reaches its view. A form declaring a
character set other than UTF-8 was a 500 (``rot13``, ``hex``: Python codecs that
are no text encodings; ``utf-7``, ``unicode_escape``: text no database stores), a
``Content-Type`` Django could not read was a 500 from the server itself, and a
form declaring ``utf8`` was refused.
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from appeals.models import Appeal
from tests.accounts.factories import CompliantAccountFactory
from tests.appeals.conftest import aged_stamp
from tests.security.test_permission_matrix import _kwargs_for, _site_urls

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
BOUNDARY = "CityBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
CSRF_SECRET = "c" * 32  # a token Django's CSRF check accepts as it is
BAD_REQUEST = "We could not understand this request"
NAME = "Jordan Public é 市 😀"


@pytest.fixture(autouse=True)
def _no_flood_guard(settings: Any) -> None:
    """The battery posts thousands of times from one address: let every post
    reach its view (the flood guard is tested in tests/appeals)."""
    settings.APPEALS_POST_RATE = "1000000/h"
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@dataclass
class Answer:
    status: int
    html: str


def send(
    client: Client,
    path: str,
    body: bytes = b"",
    content_type: str | None = None,
    *,
    method: str = "POST",
    query: str = "",
    **headers: str,
) -> Answer:
    """Send a request through ``config.wsgi.application`` with ``client``'s
    cookies (its session) and a valid CSRF token, as a browser would."""
    from config.wsgi import application

    cookies = [f"{key}={morsel.value}" for key, morsel in client.cookies.items()]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": "; ".join([*cookies, f"csrftoken={CSRF_SECRET}"]),
        "HTTP_X_CSRFTOKEN": CSRF_SECRET,
        **headers,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    started: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> None:
        started.append(status)

    # As the test client does: neither the start nor the end of a request may
    # close the test's database connection (it holds the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, cast(Any, start_response))
        try:
            content = b"".join(result)
        finally:
            result.close()  # type: ignore[attr-defined]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(int(started[0][:3]), content.decode("utf-8", "replace"))


def urlencoded(fields: dict[str, str], encoding: str = "utf-8") -> bytes:
    return urlencode(fields, encoding=encoding, errors="replace").encode("ascii")


def multipart(
    fields: dict[str, str],
    encoding: str = "utf-8",
    *,
    extra_parts: tuple[bytes, ...] = (),
) -> bytes:
    out = b""
    for name, value in fields.items():
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            ).encode()
            + value.encode(encoding, errors="replace")
            + b"\r\n"
        )
    for part in extra_parts:
        out += f"--{BOUNDARY}\r\n".encode() + part + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


#: Text that a character set other than the one declared makes strange: a lone
#: surrogate in UTF-7 ("+2AA-") and in unicode_escape, a null character, any script.
ODD_TEXT = "+2AA- \\ud800 \\x00 é 市 😀 %ff"

ODD_PARTS = (
    # RFC 2231 parameters in a codec that is no text encoding, or in none at all.
    b"Content-Disposition: form-data; name*=rot13''anzr\r\n\r\nx",
    b"Content-Disposition: form-data; name=\"letter\"; filename*=nope''a.pdf\r\n"
    b"Content-Type: application/pdf; charset=rot13\r\n\r\n%PDF-1.4",
    # Base64 that is not base64, and a part with no name at all.
    b'Content-Disposition: form-data; name="note"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n!!not base64!!",
    b"Content-Disposition: form-data\r\n\r\nnameless",
    # Header bytes that are not UTF-8.
    b'Content-Disposition: form-data; name="\xff\xfe"\r\n\r\n\xff',
)

Body = Callable[[dict[str, str]], tuple[str | None, bytes, dict[str, str]]]


def _variant(content_type: str | None, make: Callable[[dict[str, str]], bytes]) -> Body:
    return lambda fields: (content_type, make(fields), {})


#: Every kind of body a client can send: the name says what it is.
BATTERY: dict[str, Body] = {
    "form, no charset": _variant(FORM, urlencoded),
    **{
        f"form, charset={charset}": _variant(f"{FORM}; charset={charset}", urlencoded)
        for charset in ("utf-8", "UTF-8", "utf8", "UTF8", "u8", '"utf-8"')
    },
    **{
        f"form, charset={charset}": _variant(
            f"{FORM}; charset={charset}", partial(urlencoded, encoding=charset)
        )
        for charset in ("latin1", "iso-8859-1", "utf-16", "utf-32", "utf-7")
    },
    **{
        f"form, charset={charset}": _variant(f"{FORM}; charset={charset}", urlencoded)
        for charset in ("rot13", "hex", "base64", "zlib", "unicode_escape", "idna")
    },
    "form, unknown charset": _variant(f"{FORM}; charset=klingon", urlencoded),
    "form, empty charset": _variant(f"{FORM}; charset=", urlencoded),
    "form, charset twice": _variant(
        f"{FORM}; charset=utf-8; charset=latin1", urlencoded
    ),
    "form, RFC 2231 charset": _variant(f"{FORM}; charset*=nope''utf-8", urlencoded),
    "form, RFC 2231 rot13": _variant(f"{FORM}; charset*=rot13''hgs-8", urlencoded),
    "form, bad percent escapes": _variant(
        FORM, lambda f: urlencoded(f) + b"&%zz=%ff%fe&%c3=%00%"
    ),
    "form, not urlencoded at all": _variant(FORM, lambda f: "é=市&&==&".encode()),
    "form, gzip Content-Encoding": lambda f: (
        FORM,
        gzip.compress(urlencoded(f)),
        {"HTTP_CONTENT_ENCODING": "gzip"},
    ),
    "form, unknown Content-Encoding": lambda f: (
        FORM,
        urlencoded(f),
        {"HTTP_CONTENT_ENCODING": "br, x-klingon"},
    ),
    "multipart, no charset": _variant(MULTIPART, multipart),
    "multipart, charset=utf-8": _variant(f"{MULTIPART}; charset=utf-8", multipart),
    **{
        f"multipart, charset={charset}": _variant(
            f"{MULTIPART}; charset={charset}", partial(multipart, encoding=charset)
        )
        for charset in ("latin1", "utf-16", "utf-32", "utf-7")
    },
    **{
        f"multipart, charset={charset}": _variant(
            f"{MULTIPART}; charset={charset}", multipart
        )
        for charset in ("rot13", "hex", "unicode_escape", "klingon", "")
    },
    "multipart, odd parts": _variant(
        MULTIPART, lambda f: multipart(f, extra_parts=ODD_PARTS)
    ),
    "multipart, no boundary": _variant("multipart/form-data", multipart),
    "multipart, empty boundary": _variant("multipart/form-data; boundary=", multipart),
    "multipart, wrong boundary": _variant(
        "multipart/form-data; boundary=other", multipart
    ),
    "multipart, non-ASCII boundary": _variant(
        "multipart/form-data; boundary=é", multipart
    ),
    "multipart, RFC 2231 boundary": _variant(
        f"multipart/form-data; boundary*=nope''{BOUNDARY}", multipart
    ),
    "multipart, truncated": _variant(MULTIPART, lambda f: multipart(f)[:-20]),
    "multipart with null characters": _variant(
        MULTIPART, lambda f: multipart({k: f"{v}\x00" for k, v in f.items()})
    ),
    "text/plain": _variant("text/plain", urlencoded),
    "text/plain, charset=rot13": _variant("text/plain; charset=rot13", urlencoded),
    "application/json": lambda f: (
        "application/json",
        repr(f).replace("'", '"').encode(),
        {},
    ),
    "no content type": _variant(None, urlencoded),
    "empty content type": _variant("", urlencoded),
    "malformed content type": _variant(";;; = ; boundary", urlencoded),
}

#: The few that broke something before: sent to every page of the site.
DANGEROUS = (
    "form, charset=utf8",
    "form, charset=latin1",
    "form, charset=rot13",
    "form, RFC 2231 charset",
    "multipart, charset=utf-7",
    "multipart, charset=unicode_escape",
    "multipart, odd parts",
    "multipart with null characters",
    "text/plain, charset=rot13",
)


def _fields() -> dict[str, str]:
    """What the site's forms ask for, in odd text where text is free."""
    return {
        # The public forms.
        "name": NAME,
        "explanation": ODD_TEXT,
        "basis": ODD_TEXT,
        "comment_text": ODD_TEXT,
        "account_other": ODD_TEXT,
        "section": "other",
        "email": "jordan@example.net",
        "reply_by": "email",
        "started": aged_stamp(),
        # The sign-in.
        "login_view-current_step": "auth",
        "auth-username": ODD_TEXT,
        "auth-password": ODD_TEXT,
        # Staff forms and admin actions.
        "action": "delete_selected",
        "_selected_action": ODD_TEXT,
        "note": ODD_TEXT,
        "reason": ODD_TEXT,
        "q": ODD_TEXT,
    }


def _problems(
    client: Client, urls: list[str], variants: tuple[str, ...] | list[str]
) -> list[str]:
    fields = _fields()
    problems = []
    for url in urls:
        path, _, query = url.partition("?")
        for name in variants:
            content_type, body, headers = BATTERY[name](fields)
            for query_string in {query, "q=%2B2AA-%5Cud800%FF"}:
                answer = send(
                    client, path, body, content_type, query=query_string, **headers
                )
                if answer.status >= 500:
                    problems.append(f"{url} {name!r} ?{query_string}: {answer.status}")
    return problems


@pytest.fixture
def demo_city() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def superuser_client(client: Client, login_as: Any, make_staff: Any) -> Client:
    return login_as(make_staff(None, is_superuser=True))


PUBLIC_FORMS = ["/appeals/appeal/", "/appeals/challenge/", "/signin/"]
STAFF_FORMS = [
    "/appeals/staff/appeal/new/",
    "/appeals/staff/challenge/new/",
    "/moderation/removals/new/",
    "/accounts/requests/new/",
    "/admin/accounts/department/add/",
    "/admin/accounts/department/",
]


def test_the_public_forms_and_the_sign_in_take_every_body_without_a_server_error(
    client, demo_city
):
    problems = _problems(client, PUBLIC_FORMS, list(BATTERY))
    assert not problems, "\n".join(problems)


def test_staff_forms_take_every_body_without_a_server_error(
    superuser_client, demo_city
):
    problems = _problems(superuser_client, STAFF_FORMS, list(BATTERY))
    assert not problems, "\n".join(problems)


def _every_page() -> list[str]:
    urls = [
        reverse(name, kwargs=_kwargs_for(name, pattern)[0])
        for name, pattern in _site_urls().items()
    ]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        first = model._default_manager.order_by("pk").first()
        urls += [base, f"{base}add/"]
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
    return urls


def test_every_page_takes_the_bodies_that_broke_a_page_without_a_server_error(
    superuser_client, demo_city
):
    """Signed in as a superuser, so that every staff page reads what it is sent."""
    problems = _problems(superuser_client, _every_page(), DANGEROUS)
    assert not problems, "\n".join(problems)


def test_every_public_page_takes_them_anonymously_too(client, demo_city):
    urls = [
        reverse(name, kwargs=_kwargs_for(name, pattern)[0])
        for name, pattern in _site_urls().items()
        if not getattr(pattern.callback, "staff_required", False)
    ]
    problems = _problems(client, urls, DANGEROUS)
    assert not problems, "\n".join(problems)


# --- What a resident sees ---------------------------------------------------------


@pytest.fixture
def appeal_fields(city_profile: Any) -> dict[str, str]:
    account: Any = CompliantAccountFactory()
    return {
        "account": str(account.pk),
        "comment_text": "The council should fix Elm Street before new bike lanes.",
        "explanation": "My comment was an opinion about city spending.",
        "name": NAME,
        "email": "jordan@example.net",
        "reply_by": "email",
        "started": aged_stamp(),
    }


@pytest.mark.parametrize(
    "content_type",
    [
        FORM,
        *(f"{FORM}; charset={c}" for c in ("utf-8", "UTF-8", "utf8", "UTF8", "u8")),
        MULTIPART,
        f"{MULTIPART}; charset=utf8",
    ],
)
def test_an_appeal_in_utf8_under_any_name_is_filed_as_typed(
    client, appeal_fields, content_type
):
    """``charset=utf8`` (no hyphen) was refused with a 400."""
    make = multipart if content_type.startswith("multipart") else urlencoded
    answer = send(client, "/appeals/appeal/", make(appeal_fields), content_type)
    assert answer.status == 302
    assert Appeal.objects.get().name == NAME


@pytest.mark.parametrize(
    "content_type",
    [
        f"{FORM}; charset=latin1",
        f"{FORM}; charset=rot13",
        f"{FORM}; charset=klingon",
        f"{FORM}; charset=utf-8; charset=utf-16",
        f"{MULTIPART}; charset=latin1",
        f"{MULTIPART}; charset=utf-16",
        f"{MULTIPART}; charset=utf-7",
        f"{MULTIPART}; charset=rot13",
        f"{MULTIPART}; charset=unicode_escape",
        f"{MULTIPART}; charset=",
    ],
)
def test_an_appeal_declared_in_another_character_set_is_a_bad_request(
    client, appeal_fields, content_type
):
    """Read in the declared character set it was a 500 (rot13, unicode_escape,
    utf-7) or filed with the name garbled (latin1)."""
    make = multipart if content_type.startswith("multipart") else urlencoded
    answer = send(client, "/appeals/appeal/", make(appeal_fields), content_type)
    assert answer.status == 400
    assert BAD_REQUEST in answer.html
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("url", ["/appeals/appeal/", "/signin/", "/no-such-page/"])
def test_a_content_type_header_django_cannot_read_is_a_bad_request(
    client, appeal_fields, url
):
    """Django raised while building the request, before any middleware: the
    server's own 500."""
    content_type = f"multipart/form-data; boundary*=klingon''{BOUNDARY}"
    answer = send(client, url, multipart(appeal_fields), content_type)
    assert answer.status == 400
    assert BAD_REQUEST in answer.html
    assert not Appeal.objects.exists()


def test_the_address_is_read_as_utf8_whatever_charset_a_request_declares(
    client, city_profile
):
    """A GET declaring ``charset=rot13`` was a 500 while Django built the request:
    it decoded the query string with it."""
    for charset in ("rot13", "utf-7", "latin1"):
        answer = send(
            client,
            "/accounts/",
            method="GET",
            content_type=f"text/plain; charset={charset}",
            query="page=" + quote("市"),
        )
        assert answer.status == 200, charset
