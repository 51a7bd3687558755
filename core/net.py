"""The client's address, honouring ``TRUSTED_PROXY_COUNT`` reverse proxies."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client that sent ``request``.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the
    request from to ``X-Forwarded-For``; the client is the entry that many places
    from the right. Entries further left are supplied by the client and not trusted.

    The address is returned in its one canonical spelling (``2001:db8::1``, as the
    database stores it, so what the audit trail signs is what it reads back), or
    None when it is not an IP address at all (see :func:`ip_address`).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR") or ""
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return ip_address(address)


def ip_address(value: str) -> str | None:
    """Return ``value`` as an IP address in its canonical spelling, or None if it
    is not one.

    The address is stored (audit events, django-axes' sign-in attempts) in a
    column PostgreSQL types ``inet``, which refuses anything else: an entry that
    is not an address made every audited action and every sign-in a 500. Some
    proxies append the client's port (``203.0.113.7:51234``,
    ``[2001:db8::7]:443``); it is dropped, as is an IPv6 zone (``fe80::1%eth0``),
    so that the client still has its address, and one client is one address to
    the rate limits.
    """
    host = value.strip()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        return ipaddress.ip_address(host.partition("%")[0]).compressed
    except ValueError:
        if value:
            # A proxy set up to pass on what the client sent, or the wrong
            # TRUSTED_PROXY_COUNT: worth an operator's look.
            logger.warning("client address is not an IP address: %r", value[:100])
        return None
