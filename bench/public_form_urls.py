"""URLconf for ``bench/public_form.py``: the product's URLs plus three bare views
served by the same gunicorn, as the baselines. Never used by the product."""

import secrets

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from appeals.forms import AppealForm
from appeals.models import Appeal, Channel
from config.urls import urlpatterns as product_urlpatterns
from core import clock

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


def form_insert(request: HttpRequest) -> HttpResponse:
    """The floor under the appeal form: CSRF, the same form's validation and one
    ORM insert of the appeal, and nothing else a filing asks for (no
    rate limit, honeypot or fill-time check, tracking number, audit event,
    transaction or receipt). What the form POST costs above this is those."""
    form = AppealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    today = clock.today()
    Appeal.objects.create(
        **form.service_kwargs(),
        reference=f"FL-{secrets.token_hex(6)}",
        status_token=secrets.token_urlsafe(32),
        channel=Channel.WEB,
        received_on=today,
        ack_due_on=today,
        answer_due_on=today,
    )
    return redirect("/")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-insert/", bare_insert),
    path("bench/form-insert/", form_insert),
    *product_urlpatterns,
]
