"""The client's address, honouring ``TRUSTED_PROXY_COUNT`` reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client that sent ``request``.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it received the
    request from to ``X-Forwarded-For``; the client is the entry that many places
    from the right. Entries further left are supplied by the client and not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
