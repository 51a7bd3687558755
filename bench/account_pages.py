"""Benchmark: the accounts pages and the overdue-review job at a large city's scale.

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
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    check,
    create_accounts,
    expect_rows,
    fail,
    measure_pages,
    run_in_test_database,
    staff_client,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--grants", type=int, default=3000)
    args = parser.parse_args()
    run_in_test_database(run, args.accounts, args.grants)


def run(n_accounts: int, n_grants: int) -> None:
    from django.db import connection

    from accounts import services
    from accounts.models import AccountRequest, ManagerAccess, User
    from core import clock, roles
    from tests.accounts.factories import CityProfileFactory, UserFactory

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
    accounts, departments, platforms = create_accounts(
        n_accounts, notice_linked=lambda i: i % 3 != 0
    )
    now = clock.now()
    today = clock.today()
    ManagerAccess.objects.bulk_create(
        ManagerAccess(
            account=accounts[i % n_accounts],
            manager=managers[(i // n_accounts) % len(managers)],
            granted_by=admin,
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

    grants = min(n_grants, n_accounts * len(managers))
    overdue = len(range(0, grants, 10))
    check(
        [
            expect_rows(
                "grants", stored=ManagerAccess.objects.count(), expected=grants
            ),
            expect_rows(
                "requests", stored=AccountRequest.objects.count(), expected=n_accounts
            ),
        ]
    )

    client = staff_client(admin)
    pages = {
        "public list": "/accounts/",
        "dashboard": "/staff/",
        "accounts (non-compliant)": "/admin/accounts/account/?compliance=no",
        "grants (review overdue)": "/admin/accounts/manageraccess/?review=overdue",
        "requests page": "/accounts/requests/",
    }
    print(
        f"{n_accounts} accounts, {ManagerAccess.objects.count()} grants, "
        f"{n_accounts} submitted requests ({connection.vendor})"
    )
    worst_p95, most_queries = measure_pages(client, pages)
    start = time.perf_counter()
    result = services.access_review_report_overdue(today=today)
    report_ms = (time.perf_counter() - start) * 1000
    print(f"  overdue report: {result} in {report_ms:.0f} ms")
    if result["overdue"] != overdue or result["newly_reported"] != overdue:
        fail(f"overdue report: {result}, {overdue} overdue grants expected")
    print(
        f"accounts: p95 {worst_p95:.0f} ms (slowest page), queries {most_queries} "
        f"(most on a page), report {report_ms:.0f} ms"
    )


if __name__ == "__main__":
    main()
