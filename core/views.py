from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import dashboard
from core.auth import staff_required
from core.health import run_checks


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/dashboard.html", {"panels": dashboard.panels_for(request)}
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
