"""Shared by the page benchmarks (``account_pages.py``, ``notice_pages.py``): a
throwaway test database, a registry of accounts, a signed-in staff client, and the
timing of pages with their SQL query counts."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

RUNS = 15


def run_in_test_database(run: Callable[..., None], *args: Any) -> None:
    """Set Django up with the test settings and call ``run`` inside a fresh test
    database (SQLite in memory, or ``DATABASE_URL``), removed afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        run(*args)
    finally:
        runner.teardown_databases(old)


def create_accounts(
    n: int, *, notice_linked: Callable[[int], bool] = lambda i: True
) -> tuple[list[Any], list[Any], list[Any]]:
    """Create ``n`` accounts over four platforms and twelve departments; return
    (accounts, departments, platforms)."""
    from accounts.models import Account, Department
    from core import clock
    from tests.accounts.factories import platform

    departments = [Department.objects.create(name=f"Department {i}") for i in range(12)]
    platforms = [platform(s) for s in ("facebook", "instagram", "x", "youtube")]
    now = clock.now()
    accounts = Account.objects.bulk_create(
        Account(
            platform=platforms[i % 4],
            handle=f"cityaccount{i}",
            display_name=f"City account {i}",
            url=f"https://www.{platforms[i % 4].host_list()[0]}/cityaccount{i}",
            slug=f"account-{i}",
            department=departments[i % 12],
            marked_as_city_at=now,
            website_linked_at=now,
            notice_linked_at=now if notice_linked(i) else None,
        )
        for i in range(n)
    )
    return accounts, departments, platforms


def staff_client(user: Any) -> Any:
    """Return a test client signed in as ``user`` with a verified second factor."""
    from django.test import Client

    from tests.conftest import verify_second_factor

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, user)
    return client


def median_p95_ms(seconds: list[float]) -> tuple[float, float]:
    """Return the median and the 95th percentile of ``seconds``, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure_pages(
    client: Any, pages: dict[str, str], *, runs: int = RUNS
) -> tuple[float, int]:
    """GET each page ``runs`` times after a warm-up; print its queries, median and
    p95; return the slowest p95 (ms) and the most queries on one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worst_p95, most_queries = 0.0, 0
    width = max(len(label) for label in pages) + 2
    for label, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        median, p95 = median_p95_ms(times)
        worst_p95, most_queries = max(worst_p95, p95), max(most_queries, queries)
        print(
            f"  {label:<{width}} {queries:>3} queries  "
            f"median {median:6.1f} ms  p95 {p95:6.1f} ms"
        )
    return worst_p95, most_queries


def setup_postgres(database_url: str, *, script: str, production: bool = False) -> None:
    """Set Django up against ``database_url`` (PostgreSQL only) for a data benchmark.

    ``production`` runs with the production settings (``DEBUG`` off), as the
    Celery worker does in production (no query log kept in memory).
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "config.settings.production" if production else "config.settings.local",
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if production:
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
        os.environ.setdefault("AUDIT_HMAC_KEY", "bench-only-not-secret-" + "0" * 32)
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            f"bench/{script} needs PostgreSQL (--database-url postgres://...)"
        )
