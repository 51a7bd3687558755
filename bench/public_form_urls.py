"""URLconf for ``bench/public_form.py``: the product's URLs plus two bare views
served by the same gunicorn, as the baselines. Never used by the product."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urlpatterns

BARE_TABLE = "bench_public_form_row"
PAGE = b"<!doctype html><title>bare</title><p>A constant page.</p>"


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: a constant page, no template, no database."""
    return HttpResponse(PAGE)


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The POST baseline: parse the same form body and insert one row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (body) VALUES (%s)",  # noqa: S608 (constant)
            [request.POST.get("explanation", "")],
        )
    return HttpResponse(PAGE)


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-insert/", bare_insert),
    *product_urlpatterns,
]
