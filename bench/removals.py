"""Benchmark: the removal log's admin changelist and CSV export at scale.

    .venv/bin/python bench/removals.py [--rows 1000000] [--database-url postgres://...]

Loads N removal decisions into PostgreSQL with COPY (with their categories and a
realistic share of amendments: authors told later, corrections, restorations), then,
signed in as the City Administrator through Django's test client, requests the real
admin changelist: the first page, filtered (category, account, date range, author
not told), searched (author surname, a word of the comment, an exact comment id) and
a deep page. It prints the SQL queries of each page (they must not grow with N), the
p95 page time, then streams the full CSV export and prints its peak memory (Python
allocations, tracemalloc) and time. The last line is

    removals: p95 <ms> ms, queries <q>, export peak <MB> MB

Targets at 1,000,000 rows: p95 under 300 ms, constant queries, export peak under
100 MB. The database (default ``h_moderation_bench``) is migrated; its decisions
are replaced when their number differs from --rows (or with --reload).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from django.test import Client

    from accounts.models import Account, User

ACCOUNTS = 20
RUNS = 12  # timed requests per page (after one warm-up)

FIRST = [
    "Alex",
    "Amy",
    "Ben",
    "Carla",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kim",
    "Lee",
    "Maya",
    "Nils",
    "Omar",
    "Pat",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vic",
    "Wes",
    "Xin",
    "Yara",
    "Zed",
    "Anna",
    "Brian",
    "Chloe",
    "Derek",
    "Erin",
    "Frank",
    "Grace",
    "Hugo",
    "Iris",
    "Jack",
    "Kara",
    "Liam",
    "Mona",
    "Ned",
    "Olga",
    "Paul",
    "Rita",
    "Seth",
    "Tess",
]
LAST = [
    "Anderson",
    "Berg",
    "Carlson",
    "Dahl",
    "Ekstrom",
    "Fisk",
    "Gustafson",
    "Hanson",
    "Iverson",
    "Johnson",
    "Karlsson",
    "Larson",
    "Moen",
    "Nelson",
    "Olson",
    "Peterson",
    "Quist",
    "Rasmussen",
    "Swanson",
    "Thorson",
    "Ulland",
    "Vang",
    "Westby",
    "Xiong",
    "Yang",
    "Zimmerman",
    "Lindqvist",
    "Haugen",
    "Nguyen",
    "Lor",
    "Her",
    "Moua",
    "Schmidt",
    "Weber",
    "Becker",
    "Koch",
    "Novak",
    "Horvat",
    "Kowalski",
    "Nowak",
    "Garcia",
    "Lopez",
    "Martinez",
    "Hernandez",
    "Gonzalez",
    "Ahmed",
    "Hassan",
    "Ali",
    "Omar",
    "Yusuf",
]
WORDS = [
    "city",
    "council",
    "park",
    "road",
    "snow",
    "plow",
    "meeting",
    "tax",
    "budget",
    "police",
    "fire",
    "library",
    "school",
    "bus",
    "trail",
    "lake",
    "dog",
    "permit",
    "noise",
    "parking",
    "ticket",
    "water",
    "sewer",
    "street",
    "light",
    "festival",
    "concert",
    "mayor",
    "vote",
    "election",
    "zoning",
    "fence",
    "tree",
    "storm",
    "flood",
    "garbage",
    "recycling",
    "pool",
    "ice",
    "rink",
    "hockey",
    "soccer",
    "playground",
    "bench",
    "bridge",
    "construction",
    "detour",
    "closure",
    "traffic",
    "speed",
    "limit",
    "crosswalk",
    "sidewalk",
    "bike",
    "lane",
    "great",
    "terrible",
    "awful",
    "thanks",
    "please",
    "why",
    "when",
    "who",
    "how",
    "money",
    "waste",
    "free",
    "deal",
    "buy",
    "sell",
    "cheap",
    "click",
    "link",
    "offer",
    "win",
    "prize",
    "followers",
    "crypto",
    "investment",
    "address",
    "phone",
    "number",
    "lives",
    "house",
    "car",
    "truck",
    "threat",
    "hurt",
    "burn",
    "break",
    "report",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/h_moderation_bench",
        ),
    )
    parser.add_argument("--reload", action="store_true", help="reload the rows")
    parser.add_argument(
        "--skip-export", action="store_true", help="measure the changelist only"
    )
    args = parser.parse_args()
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    return args


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import setup_postgres

    setup_postgres(database_url, script="removals.py")


def prepare_people() -> tuple[User, list[User], list[Account]]:
    """Return (city administrator, managers, accounts), creating them once."""
    from django.contrib.auth.models import Group

    from accounts.models import Account, Department, ManagerAccess, Platform, User
    from core import clock, roles

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "last_name": "Bench"}
    )
    admin.groups.add(Group.objects.get(name=roles.CITY_ADMINISTRATOR))
    managers = []
    for i in range(4):
        user, _ = User.objects.get_or_create(
            username=f"bench-manager-{i}", defaults={"is_staff": True}
        )
        user.groups.add(Group.objects.get(name=roles.SOCIAL_MEDIA_MANAGER))
        managers.append(user)
    department, _ = Department.objects.get_or_create(name="Bench department")
    platforms = list(Platform.objects.filter(slug__in=["facebook", "instagram", "x"]))
    accounts = []
    for i in range(ACCOUNTS):
        platform = platforms[i % len(platforms)]
        account, _ = Account.objects.get_or_create(
            slug=f"bench-{i}",
            defaults={
                "platform": platform,
                "handle": f"benchcity{i}",
                "display_name": f"Bench City {i}",
                "url": f"https://www.{platform.host_list()[0]}/benchcity{i}",
                "department": department,
            },
        )
        accounts.append(account)
        manager = managers[i % len(managers)]
        if not ManagerAccess.objects.filter(
            account=account, manager=manager, revoked_at__isnull=True
        ).exists():
            ManagerAccess.objects.create(
                account=account,
                manager=manager,
                granted_by=admin,
                platform_mfa_confirmed=True,
                review_due_on=clock.today() + timedelta(days=180),
            )
    return admin, managers, accounts


def load(
    rows: int, admin: User, managers: list[User], accounts: list[Account]
) -> float:
    """Replace the decisions with ``rows`` generated ones; return seconds taken."""
    import pgtrigger
    from django.db import connection
    from psycopg import sql as pgsql

    from core import immutable
    from moderation.models import RemovalCategory

    rng = random.Random(5)
    categories = {c.number: c.pk for c in RemovalCategory.objects.all()}
    now = datetime.now(UTC)
    span = 3 * 365 * 86400
    start = now - timedelta(seconds=span)
    started = time.perf_counter()
    # Removal records refuse TRUNCATE (core.immutable); this bench database's
    # loader steps past that refusal alone, as the test run's flush does.
    truncate = [
        f"moderation.{model}:{immutable.TRUNCATE}"
        for model in (
            "RemovalEvidence",
            "RemovalAmendment",
            "RemovalDecisionCategory",
            "RemovalDecision",
        )
    ]
    with pgtrigger.ignore(*truncate), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE moderation_removalevidence, moderation_removalamendment, "
            "moderation_removaldecisioncategory, moderation_removaldecision "
            "RESTART IDENTITY CASCADE"
        )
    raw = connection.connection  # the psycopg connection
    tables = (
        "moderation_removaldecision",
        "moderation_removaldecisioncategory",
        "moderation_removalamendment",
    )
    with raw.cursor() as cur:
        # Bulk-load practice: drop the secondary indexes, load, build them once.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    raw.commit()
    with raw.transaction(), raw.cursor() as cur:
        # The loader writes only valid rows (each with a category, P21); skip the
        # per-row deferred category check and FK checks for the bulk load only.
        cur.execute("SET LOCAL session_replication_role = replica")
        with cur.copy(
            "COPY moderation_removaldecision (id, account_id, comment_id, "
            "comment_url, author_name, author_handle, comment_text, posted_at, "
            "removed_at, removed_by_id, link_to_material, facts, reasoning, "
            "platform_action, notified_via, notified_at, notification_text, "
            "classification, created_at) FROM STDIN"
        ) as copy:
            for pk in range(1, rows + 1):
                account = accounts[pk % ACCOUNTS]
                # Logged in time order, as in real use (with some late entries).
                removed = (
                    start
                    + timedelta(seconds=span * pk / rows)
                    - timedelta(seconds=rng.randrange(2 * 86400))
                )
                posted = removed - timedelta(seconds=rng.randrange(60, 3 * 86400))
                first, last = rng.choice(FIRST), rng.choice(LAST)
                words = rng.choices(WORDS, k=rng.randrange(6, 60))
                told = rng.random() < 0.4
                numbers = _categories_for(pk)
                copy.write_row(
                    (
                        pk,
                        account.pk,
                        str(10**15 + pk),
                        f"{account.url}/posts/{pk // 50}?comment_id={10**15 + pk}",
                        f"{first} {last}",
                        f"@{first.lower()}{last.lower()}{pk % 997}",
                        " ".join(words).capitalize() + ".",
                        posted,
                        removed,
                        managers[pk % ACCOUNTS % len(managers)].pk,
                        "https://spam.example/offer" if 8 in numbers else "",
                        "The comment " + " ".join(words[:8]) + ".",
                        "It falls into the category ticked because it "
                        + " ".join(words[8:20])
                        + ".",
                        "hidden" if pk % 3 else "deleted",
                        "message" if told else "",
                        removed + timedelta(minutes=30) if told else None,
                        "We removed your comment." if told else "",
                        "public",
                        removed,
                    )
                )
        with cur.copy(
            "COPY moderation_removaldecisioncategory (decision_id, category_id) "
            "FROM STDIN"
        ) as copy:
            for pk in range(1, rows + 1):
                for number in _categories_for(pk):
                    copy.write_row((pk, categories[number]))
        with cur.copy(
            "COPY moderation_removalamendment (decision_id, kind, field, old_value, "
            "new_value, notified_via, notified_at, notification_text, appeal_id, "
            "appeal_reference, reason, made_by_id, made_at) FROM STDIN"
        ) as copy:
            for pk in range(1, rows + 1):
                if pk % 5 == 1:  # told later
                    copy.write_row(
                        (
                            pk,
                            "author_notified",
                            "",
                            None,
                            None,
                            "email",
                            now,
                            "We removed your comment.",
                            None,
                            "",
                            "Author told: Email.",
                            managers[0].pk,
                            now,
                        )
                    )
                if pk % 50 == 7:  # a correction
                    copy.write_row(
                        (
                            pk,
                            "correction",
                            "platform_action",
                            '"hidden"',
                            '"deleted"',
                            "",
                            None,
                            "",
                            None,
                            "",
                            "It was deleted, not hidden.",
                            admin.pk,
                            now,
                        )
                    )
                if pk % 200 == 13:  # restored after appeal
                    copy.write_row(
                        (
                            pk,
                            "restoration",
                            "",
                            None,
                            None,
                            "",
                            None,
                            "",
                            pk,
                            f"AP-2026-{pk:05d}",
                            "Appeal upheld.",
                            admin.pk,
                            now,
                        )
                    )
        for table in ("moderation_removaldecision", "moderation_removalamendment"):
            cur.execute(
                pgsql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                    "(SELECT coalesce(max(id), 1) FROM {}))"
                ).format(pgsql.Literal(table), pgsql.Identifier(table))
            )
    with raw.transaction(), raw.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cur.execute(definition)
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute(
            "VACUUM (ANALYZE) moderation_removaldecision, "
            "moderation_removaldecisioncategory, moderation_removalamendment"
        )
    return time.perf_counter() - started


def _categories_for(pk: int) -> tuple[int, ...]:
    first = pk * 7919 % 8 + 1
    if pk % 5 == 0 and first != 8:
        return (first, 8) if first != 7 else (7,)
    return (first,)


def signed_in_client(user: User) -> Client:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    try:  # two-factor enforcement: do what tests/conftest.py::login_as does
        from tests.conftest import verify_second_factor
    except ImportError:
        pass
    else:
        verify_second_factor(client, user)
    return client


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def measure_pages(
    client: Client, accounts: list[Account], rows: int
) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.harness import get_ok
    from moderation.models import RemovalDecision

    base = "/admin/moderation/removaldecision/"
    # A data request names one person: their handle matches a handful of rows.
    handle = RemovalDecision.objects.values_list("author_handle", flat=True).get(
        pk=rows // 3
    )
    today = datetime.now(UTC).date()
    # Page 200 at a million rows; the last page with fewer (50 rows a page).
    deep = min(200, rows // 50)
    pages = {
        "first page": "",
        "category 2": "?category=2",
        "one account": f"?account={accounts[3].pk}",
        "past 30 days": f"?removed_from={today - timedelta(days=29)}"
        f"&removed_to={today}",
        "author not told": "?told=no",
        "restored": "?restored=yes",
        "category+account": f"?category=4&account={accounts[5].pk}",
        "search surname": "?q=Lindqvist",
        "search comment word": "?q=crypto+investment",
        "search comment id": f"?q={10**15 + rows // 2}",
        "search one handle": f"?q={quote(handle)}",
        f"deep page {deep}": f"?p={deep}",
    }
    samples: list[float] = []
    max_queries = 0
    print(f"{'page':<22}{'queries':>8}{'median ms':>11}{'p95 ms':>9}  results")
    for label, query in pages.items():
        url = base + query
        with CaptureQueriesContext(connection) as ctx:
            response = get_ok(client, url)
        queries = len(ctx.captured_queries)
        max_queries = max(max_queries, queries)
        found = re.search(r"([\d,]+) removal decisions?", response.content.decode())
        count = found.group(1) if found else "?"
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            get_ok(client, url)
            times.append((time.perf_counter() - started) * 1000)
        samples.extend(times)
        print(
            f"{label:<22}{queries:>8}{statistics.median(times):>11.0f}"
            f"{p95(times):>9.0f}  {count}"
        )
    return samples, max_queries


def measure_export(client: Client) -> tuple[float, float, int, int]:
    """Return (peak MB, seconds, rows, bytes) of the full CSV export."""
    from bench.harness import get_ok

    tracemalloc.start()
    started = time.perf_counter()
    response = get_ok(client, "/admin/moderation/removaldecision/export.csv")
    size = lines = 0
    # The export is a StreamingHttpResponse; the stubs type the test response as
    # an HttpResponse only.
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else 0
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_048_576, seconds, lines, size


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command

    from bench.harness import check, expect_rows
    from moderation.models import RemovalDecision

    call_command("migrate", verbosity=0)
    admin, managers, accounts = prepare_people()
    existing = RemovalDecision.objects.count()
    if args.reload or existing != args.rows:
        seconds = load(args.rows, admin, managers, accounts)
        print(f"loaded {args.rows:,} decisions in {seconds:.0f} s")
        check(
            [
                expect_rows(
                    "decisions",
                    stored=RemovalDecision.objects.count(),
                    expected=args.rows,
                )
            ]
        )
    else:
        print(f"reusing the {existing:,} decisions already loaded")
    client = signed_in_client(admin)
    samples, queries = measure_pages(client, accounts, args.rows)
    page_p95 = p95(samples)
    print(f"all pages: p95 {page_p95:.0f} ms over {len(samples)} requests")
    peak = 0.0
    if not args.skip_export:
        peak, seconds, lines, size = measure_export(client)
        check([expect_rows("exported decisions", stored=lines - 1, expected=args.rows)])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"export: {lines - 1:,} rows, {size / 1_048_576:.0f} MB in {seconds:.0f} s "
            f"({(lines - 1) / seconds:,.0f} rows/s), peak {peak:.1f} MB "
            f"(tracemalloc), process max RSS {rss:.0f} MB"
        )
    print(
        f"removals: p95 {page_p95:.0f} ms, queries {queries}, export peak {peak:.1f} MB"
    )


if __name__ == "__main__":
    main()
