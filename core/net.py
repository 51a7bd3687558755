"""The client's address, honouring ``TRUSTED_PROXY_COUNT`` reverse proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client that sent ``request``.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the
    request from to ``X-Forwarded-For``; the client is the entry that many places
    from the right. Entries further left are supplied by the client and not trusted.

    The address is returned in its one canonical spelling (``2001:db8::1``, as the
    database stores it, so what the audit trail signs is what it reads back), or
    None when it is not an IP address at all.
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
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return None
