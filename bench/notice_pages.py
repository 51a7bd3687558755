"""Benchmark: the public notice pages and the review/publish cycle (issue #8).

    .venv/bin/python bench/notice_pages.py [--accounts 300] [--versions 20]

Builds a throwaway test database (SQLite in memory, or ``test_<name>`` of
``DATABASE_URL``) holding N accounts and V published versions of the notice and
of the policy, then times, through Django's test client, the home page (all N
accounts listed), the notice, the policy, an account's notice page, the version
list and the staff review page with a draft and its difference. For each page it
prints the SQL queries (they must not grow with N or V) and the median and p95
time; then it times generating both documents, and one prepare-and-publish cycle.
The last line is

    notices: p95 <ms> ms (slowest page), queries <q> (most on a page), publish <ms> ms
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

RUNS = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--versions", type=int, default=20)
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
        run(args.accounts, args.versions)
    finally:
        runner.teardown_databases(old)


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def run(n_accounts: int, n_versions: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Account, Department
    from core import clock, roles
    from notices import services
    from notices.selectors import document_generate
    from tests.accounts.factories import CityProfileFactory, UserFactory, platform
    from tests.conftest import verify_second_factor

    profile: Any = CityProfileFactory(max_active_accounts=n_accounts * 2)
    admin: Any = UserFactory(username="bench-admin", roles=[roles.CITY_ADMINISTRATOR])
    departments = [Department.objects.create(name=f"Department {i}") for i in range(12)]
    platforms = [platform(s) for s in ("facebook", "instagram", "x", "youtube")]
    now = clock.now()
    Account.objects.bulk_create(
        Account(
            platform=platforms[i % 4],
            handle=f"cityaccount{i}",
            display_name=f"City account {i}",
            url=f"https://www.{platforms[i % 4].host_list()[0]}/cityaccount{i}",
            slug=f"account-{i}",
            department=departments[i % 12],
            marked_as_city_at=now,
            website_linked_at=now,
            notice_linked_at=now,
        )
        for i in range(n_accounts)
    )

    def publish(kind: str) -> None:
        draft = services.document_draft_prepare(kind=kind, by=admin)
        assert draft is not None
        services.document_publish(
            kind=kind, by=admin, number=draft.number, content_hash=draft.content_hash
        )

    for i in range(n_versions):
        profile.appeal_email = f"appeals{i}@maplefalls.example.gov"
        profile.save()
        publish("notice")
        publish("policy")
    profile.appeal_email = "clerk@maplefalls.example.gov"
    profile.save()
    services.document_draft_prepare(kind="notice", by=admin)

    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, admin)
    pages = {
        "home (all accounts)": "/",
        "notice": "/notice/",
        "policy": "/policy/",
        "account notice": "/notice/account-7/",
        "old version": "/notice/versions/1/",
        "version list": "/versions/",
        "staff review (diff)": "/staff/notices/",
    }
    print(
        f"{n_accounts} accounts, {n_versions} published versions of each document "
        f"({connection.vendor})"
    )
    worst_p95, most_queries = 0.0, 0
    for label, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        median, p95 = _ms(times)
        worst_p95, most_queries = max(worst_p95, p95), max(most_queries, queries)
        print(
            f"  {label:<22} {queries:>3} queries  "
            f"median {median:6.1f} ms  p95 {p95:6.1f} ms"
        )

    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        document_generate(kind="notice")
        document_generate(kind="policy")
        times.append(time.perf_counter() - start)
    median, _ = _ms(times)
    print(f"  generate both documents       median {median:6.1f} ms")

    start = time.perf_counter()
    publish("policy")
    publish_ms = (time.perf_counter() - start) * 1000
    print(f"  prepare + publish (policy)    {publish_ms:6.1f} ms")
    print(
        f"notices: p95 {worst_p95:.1f} ms (slowest page), queries {most_queries} "
        f"(most on a page), publish {publish_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
