"""Benchmark: the public notice pages and the review/publish cycle.

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
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    RUNS,
    check,
    create_accounts,
    expect_rows,
    fail,
    measure_pages,
    median_p95_ms,
    run_in_test_database,
    staff_client,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--versions", type=int, default=20)
    args = parser.parse_args()
    run_in_test_database(run, args.accounts, args.versions)


def run(n_accounts: int, n_versions: int) -> None:
    from django.db import connection

    from core import roles
    from notices import services
    from notices.models import DocumentVersion
    from notices.selectors import document_generate
    from tests.accounts.factories import CityProfileFactory, UserFactory

    profile: Any = CityProfileFactory(max_active_accounts=n_accounts * 2)
    admin: Any = UserFactory(username="bench-admin", roles=[roles.CITY_ADMINISTRATOR])
    create_accounts(n_accounts)

    def publish(kind: str) -> None:
        draft = services.document_draft_prepare(kind=kind, by=admin)
        if draft is None:
            fail(f"no {kind} draft to publish: the document did not change")
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

    def versions(kind: str) -> int:
        """Return how many versions of ``kind`` were published."""
        return (
            DocumentVersion.objects.filter(kind=kind)
            .exclude(status=DocumentVersion.Status.DRAFT)
            .count()
        )

    drafts = DocumentVersion.objects.filter(status=DocumentVersion.Status.DRAFT)
    check(
        [
            expect_rows("notices", stored=versions("notice"), expected=n_versions),
            expect_rows("policies", stored=versions("policy"), expected=n_versions),
            expect_rows("drafts", stored=drafts.count(), expected=1),
        ]
    )

    client = staff_client(admin)
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
    worst_p95, most_queries = measure_pages(client, pages)

    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        document_generate(kind="notice")
        document_generate(kind="policy")
        times.append(time.perf_counter() - start)
    median, _ = median_p95_ms(times)
    print(f"  generate both documents       median {median:6.1f} ms")

    start = time.perf_counter()
    publish("policy")
    publish_ms = (time.perf_counter() - start) * 1000
    check([expect_rows("policies", stored=versions("policy"), expected=n_versions + 1)])
    print(f"  prepare + publish (policy)    {publish_ms:6.1f} ms")
    print(
        f"notices: p95 {worst_p95:.1f} ms (slowest page), queries {most_queries} "
        f"(most on a page), publish {publish_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
