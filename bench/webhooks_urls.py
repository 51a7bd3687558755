"""URLconf for ``bench/webhooks.py``: the product's URLs plus the baseline, served
by the same gunicorn. Never used by the product."""

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urlpatterns

BARE_TABLE = "bench_webhook_row"


@csrf_exempt
def bare_signed_insert(request: HttpRequest) -> HttpResponse:
    """The baseline: read the body, check the same HMAC-SHA256 signature in
    constant time, insert the body as one row; nothing else (no deduplication)."""
    body = request.read(settings.META_WEBHOOK_MAX_BYTES + 1)
    expected = (
        "sha256="
        + hmac.new(settings.META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    )
    given = request.headers.get("X-Hub-Signature-256", "")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return HttpResponse("bad signature", status=403, content_type="text/plain")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (body) VALUES (%s)",  # noqa: S608 (constant)
            [body],
        )
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


urlpatterns = [
    path("bench/bare-signed-insert/", bare_signed_insert),
    *product_urlpatterns,
]
