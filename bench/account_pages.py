"""Benchmark: the accounts pages and the overdue-review job at a large city's scale
(issue #4).

    .venv/bin/python bench/account_pages.py [--accounts 300] [--grants 3000]

Builds a throwaway test database (SQLite in memory, or ``test_<name>`` of
``DATABASE_URL``) holding N accounts (a third missing a checklist item), M manager
grants (a tenth with an overdue review) and N submitted requests, then, signed in as
the City Administrator through Django's test client, requests the public list
(P7), the staff dashboard, the account changelist filtered by compliance, the grant
changelist filtered by overdue review and the request page. For each page it prints
the SQL queries (they must not grow with N or M) and the median and p95 time; then
it times the daily overdue-review report over all overdue grants. The last line is

    accounts: p95 <ms> ms (slowest page), queries <q> (most on a page), report <ms> ms
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

RUNS = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--grants", type=int, default=3000)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        run(args.accounts, args.grants)
    finally:
        runner.teardown_databases(old)


def run(n_accounts: int, n_grants: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts import services
    from accounts.models import (
        Account,
        AccountRequest,
        Department,
        ManagerAccess,
        User,
    )
    from core import clock, roles
    from tests.accounts.factories import CityProfileFactory, UserFactory, platform
    from tests.conftest import verify_second_factor

    CityProfileFactory(max_active_accounts=n_accounts * 2)
    admin: User = UserFactory.create(
        username="bench-admin", roles=[roles.CITY_ADMINISTRATOR]
    )
    managers: list[User] = [
        UserFactory.create(
            username=f"bench-manager-{i}", roles=[roles.SOCIAL_MEDIA_MANAGER]
        )
        for i in range(50)
    ]
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
            notice_linked_at=None if i % 3 == 0 else now,
        )
        for i in range(n_accounts)
    )
    today = clock.today()
    ManagerAccess.objects.bulk_create(
        ManagerAccess(
            account=accounts[i % n_accounts],
            manager=managers[(i // n_accounts) % len(managers)],
            granted_by=admin,
            policy_acknowledged_at=now,
            platform_mfa_confirmed=True,
            review_due_on=today + timedelta(days=-3 if i % 10 == 0 else 90),
        )
        for i in range(min(n_grants, n_accounts * len(managers)))
    )
    AccountRequest.objects.bulk_create(
        AccountRequest(
            department=departments[i % 12],
            platform=platforms[0],
            proposed_handle=f"newaccount{i}",
            proposed_url=f"https://www.facebook.com/newaccount{i}",
            display_name=f"New {i}",
            purpose="p",
            audience="a",
            proposed_managers="m",
            upkeep_plan="u",
            city_controlled_confirmed=True,
            status=AccountRequest.Status.SUBMITTED,
            submitted_at=now,
            requested_by=managers[i % len(managers)],
        )
        for i in range(n_accounts)
    )

    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, admin)
    pages = {
        "public list": "/accounts/",
        "dashboard": "/staff/",
        "accounts (non-compliant)": "/admin/accounts/account/?compliance=no",
        "grants (review overdue)": "/admin/accounts/manageraccess/?review=overdue",
        "requests page": "/accounts/requests/",
    }
    worst_p95, most_queries = 0.0, 0
    print(
        f"{n_accounts} accounts, {ManagerAccess.objects.count()} grants, "
        f"{n_accounts} submitted requests ({connection.vendor})"
    )
    for label, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        worst_p95 = max(worst_p95, p95)
        most_queries = max(most_queries, queries)
        print(
            f"  {label:<26} queries {queries:>3}  "
            f"median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
        )
    start = time.perf_counter()
    result = services.access_review_report_overdue(today=today)
    report_ms = (time.perf_counter() - start) * 1000
    print(f"  overdue report: {result} in {report_ms:.0f} ms")
    print(
        f"accounts: p95 {worst_p95:.0f} ms (slowest page), queries {most_queries} "
        f"(most on a page), report {report_ms:.0f} ms"
    )


if __name__ == "__main__":
    main()
