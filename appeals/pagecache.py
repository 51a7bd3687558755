"""A cache of the public form pages as anonymous visitors see them.

The appeal and challenge forms are the same for every resident except for three
per-request values: the CSRF token, the signed time the form was shown, and (when a
template uses one) the CSP nonce. Each server process renders a page once, keeps it
in memory with placeholders for those values, and serves it with fresh values
substituted: no database query, no template rendering, no network round trip
(see ``bench/public_form.py``).

The pages are dropped whenever what they show changes: saving or deleting the city
profile (contacts, deadlines), a removal category (explanations), an account or
platform (the account list), or a notice or policy version (the sections a
challenge may name) sets a new version in the shared cache (Redis in production).
The process that made the change drops its pages at once; every other process
checks the version at most ``RECHECK_SECONDS`` after its last check, so a change
shows everywhere within that time. ``APPEALS_FORM_CACHE_SECONDS`` bounds a page's
age in any case (0 turns the cache off). Signed-in staff always get a freshly
rendered page.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

CSRF_MARK = "\x00appeals-csrf\x00"
STAMP_MARK = "\x00appeals-stamp\x00"
NONCE_MARK = "\x00appeals-nonce\x00"

# The models whose rows appear on the public forms.
WATCHED = (
    "accounts.CityProfile",
    "accounts.Account",
    "accounts.Platform",
    "moderation.RemovalCategory",
    "notices.DocumentVersion",
    "core.Holiday",
)


def _scope() -> str:
    """Separate databases (e.g. parallel test databases) never share pages."""
    name = str(settings.DATABASES["default"].get("NAME", ""))
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def _version_key() -> str:
    return f"appeals:form-page:{_scope()}:version"


RECHECK_SECONDS = 2.0
MESSAGES_COOKIE = CookieStorage.cookie_name

# This process's pages: name -> (version, html, rendered at); and the version last
# read from the shared cache, with when it was read.
_pages: dict[str, tuple[str, str, float]] = {}
_values: dict[str, tuple[str, Any, float]] = {}
_seen: dict[str, Any] = {"version": None, "checked": 0.0}


def invalidate(**_kwargs: Any) -> None:
    """Drop every cached form page now, and again once the change commits (a page
    rendered meanwhile from the old rows is dropped too)."""

    def bump() -> None:
        _pages.clear()
        _values.clear()
        _seen.update(version=None, checked=0.0)
        try:
            cache.set(_version_key(), uuid.uuid4().hex, None)
        except Exception:
            logger.exception("could not drop the cached form pages")

    bump()
    transaction.on_commit(bump)


def _current_version(now: float) -> str | None:
    """Return the shared version, read at most every RECHECK_SECONDS."""
    if _seen["version"] is not None and now - _seen["checked"] < RECHECK_SECONDS:
        return _seen["version"]
    try:
        version = cache.get(_version_key())
        if version is None:
            version = uuid.uuid4().hex
            cache.add(_version_key(), version, None)
            version = cache.get(_version_key(), version)
    except Exception:
        logger.exception("form page cache unavailable")
        return None
    _seen.update(version=version, checked=now)
    return version


def connect_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in WATCHED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid=f"appeals-{label}")


def serve(
    request: HttpRequest,
    name: str,
    *,
    stamp: str,
    render: Callable[[str], HttpResponse],
) -> HttpResponse:
    """Return the form page ``name`` for this request, from the cache when it can.

    ``render(csrf_token)`` renders the page for this request with that CSRF token
    and ``stamp`` as its form time.
    """
    token = get_token(request)
    max_age = settings.APPEALS_FORM_CACHE_SECONDS
    if (
        not max_age
        # Without a session cookie nobody is signed in: no need to load the user.
        or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
        )
        # A visitor with a flash message waiting sees the page rendered with it.
        or MESSAGES_COOKIE in request.COOKIES
    ):
        return render(token)
    now = time.monotonic()
    version = _current_version(now)
    if version is None:
        return render(token)
    page = _pages.get(name)
    if page is not None and page[0] == version and now - page[2] < max_age:
        html = page[1].replace(CSRF_MARK, token).replace(STAMP_MARK, stamp)
        if NONCE_MARK in html:
            html = html.replace(NONCE_MARK, str(request.csp_nonce))  # type: ignore[attr-defined]
        return HttpResponse(html)
    response = render(token)
    shown_messages = getattr(getattr(request, "_messages", None), "used", False)
    if response.status_code == 200 and not shown_messages:
        html = response.content.decode(response.charset or "utf-8")
        if token in html and stamp in html:
            html = html.replace(token, CSRF_MARK).replace(stamp, STAMP_MARK)
            nonce = getattr(request, "_csp_nonce", None)
            if isinstance(nonce, str) and nonce in html:
                html = html.replace(nonce, NONCE_MARK)
            _pages[name] = (version, html, now)
    return response


def cached(name: str, load: Callable[[], Any]) -> Any:
    """Return ``load()``, kept in this process until the watched rows change (as
    the pages are). For the few reads every public submission repeats: the
    deadline settings, the holidays, the accounts a resident may choose."""
    max_age = settings.APPEALS_FORM_CACHE_SECONDS
    if not max_age:
        return load()
    now = time.monotonic()
    version = _current_version(now)
    hit = _values.get(name)
    if version is not None and hit and hit[0] == version and now - hit[2] < max_age:
        return hit[1]
    value = load()
    if version is not None:
        _values[name] = (version, value, now)
    return value
