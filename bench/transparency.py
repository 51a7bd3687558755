"""Benchmark: the public transparency page and its CSV open data at scale.

    .venv/bin/python bench/transparency.py [--removals 1000000] [--appeals 100000]
        [--challenges 1000] [--database-url postgres://...] [--reload]

Loads N removal decisions (COPY, with their categories), appeals and legality
challenges (bulk_create) into PostgreSQL, all within the last twelve months, then
requests, as a resident (Django's test client, no cache), ``/transparency/`` (the
last 12 months) and ``/transparency/?year=<this year>``, and streams
``/transparency/data.csv`` (removals) and ``data.csv?table=appeals``. It prints each
page's SQL queries and p95 time and each CSV's peak memory (Python allocations,
tracemalloc). The figures shown are checked against the counts the loader wrote
(removals, category mentions, appeals and their outcomes, challenges, the CSV's
rows and their sum): any failed request or wrong count ends the run with exit
status 1 and no summary line. The last line is

    transparency: p95 <ms> ms, queries <q>, csv peak <MB> MB

Targets at 1,000,000 removals, 100,000 appeals and 1,000 challenges: p95 under
300 ms, queries independent of the data, CSV under 100 MB peak.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

RUNS = 10  # timed requests per page, after one warm-up
SPAN_DAYS = 330  # everything lies within the last 12 months
ACCOUNTS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--removals", type=int, default=1_000_000)
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--challenges", type=int, default=1_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/h_transparency_bench",
        ),
    )
    parser.add_argument("--reload", action="store_true", help="reload the rows")
    args = parser.parse_args()
    if min(args.removals, args.appeals, args.challenges) < 100:
        parser.error("load at least 100 of each")
    return args


def setup(url: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import ensure_database, setup_postgres

    ensure_database({"DATABASE_URL": url})
    setup_postgres(url, script="transparency.py")


def categories_for(pk: int) -> tuple[int, ...]:
    """One category, and a second (8: a link) for one removal in five."""
    first = pk * 7919 % 8 + 1
    if pk % 5 == 0 and first != 8:
        return (first, 8)
    return (first,)


def load_removals(n: int, accounts: list[Any], remover: Any, now: datetime) -> float:
    """Replace the decisions with ``n`` short valid ones (COPY); return seconds."""
    import pgtrigger
    from django.db import connection

    from core import immutable
    from moderation.models import RemovalCategory

    started = time.perf_counter()
    categories = {c.number: c.pk for c in RemovalCategory.objects.all()}
    models = (
        "RemovalEvidence",
        "RemovalAmendment",
        "RemovalDecisionCategory",
        "RemovalDecision",
    )
    with (
        pgtrigger.ignore(*[f"moderation.{m}:{immutable.TRUNCATE}" for m in models]),
        connection.cursor() as cursor,
    ):
        # The appeals refer to removals: empty them first (they are reloaded too).
        cursor.execute(
            "TRUNCATE appeals_appeal_revised_categories, appeals_correspondence, "
            "appeals_attorneyconsultation, appeals_appeal, "
            "appeals_legalitychallenge, moderation_removalevidence, "
            "moderation_removalamendment, moderation_removaldecisioncategory, "
            "moderation_removaldecision RESTART IDENTITY CASCADE"
        )
    raw = connection.connection
    rng = random.Random(18)
    with raw.transaction(), raw.cursor() as cur:
        # Valid rows only (each with a category, P21): skip the per-row deferred
        # category check and FK checks for the bulk load.
        cur.execute("SET LOCAL session_replication_role = replica")
        with cur.copy(
            "COPY moderation_removaldecision (id, account_id, comment_id, "
            "comment_url, author_name, author_handle, comment_text, posted_at, "
            "removed_at, removed_by_id, link_to_material, facts, reasoning, "
            "platform_action, notified_via, notification_text, classification, "
            "created_at) FROM STDIN"
        ) as copy:
            for pk in range(1, n + 1):
                removed = now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
                copy.write_row(
                    (
                        pk,
                        accounts[pk % ACCOUNTS].pk,
                        str(pk),
                        f"https://example.com/c/{pk}",
                        "Resident",
                        "@resident",
                        "A comment.",
                        removed - timedelta(minutes=30),
                        removed,
                        remover.pk,
                        "",
                        "Facts.",
                        "Reasons.",
                        "hidden",
                        "",
                        "",
                        "public",
                        removed,
                    )
                )
        with cur.copy(
            "COPY moderation_removaldecisioncategory (decision_id, category_id) "
            "FROM STDIN"
        ) as copy:
            for pk in range(1, n + 1):
                for number in categories_for(pk):
                    copy.write_row((pk, categories[number]))
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('moderation_removaldecision', "
            "'id'), %s)",
            [n],
        )
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute(
            "VACUUM (ANALYZE) moderation_removaldecision, "
            "moderation_removaldecisioncategory"
        )
    raw.autocommit = False
    return time.perf_counter() - started


APPEAL_MIX = [  # (status, outcome, share)
    ("answered", "upheld", 45),
    ("answered", "modified", 10),
    ("answered", "reversed", 15),
    ("withdrawn", "", 10),
    ("acknowledged", "", 12),
    ("received", "", 8),
]


def load_filings(
    n: int, kind: str, accounts: list[Any], reviewer: Any, today: date
) -> tuple[float, Counter[str]]:
    """bulk_create ``n`` appeals or challenges; return seconds and the outcomes."""
    from django.utils import timezone

    from appeals.models import Appeal, LegalityChallenge

    started = time.perf_counter()
    rng = random.Random(kind)
    model = Appeal if kind == "appeal" else LegalityChallenge
    weights = [w for *_, w in APPEAL_MIX]
    outcomes: Counter[str] = Counter()
    batch = []
    for i in range(n):
        status, outcome, _w = rng.choices(APPEAL_MIX, weights)[0]
        if kind == "challenge" and outcome:
            outcome = "stands"
        received = today - timedelta(days=rng.randrange(30, SPAN_DAYS))
        ack = received + timedelta(days=rng.randrange(0, 6))
        answered = received + timedelta(days=rng.randrange(6, 25))

        def moment(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, datetime.min.time()))

        fields: dict[str, Any] = {
            "reference": f"{'AP' if kind == 'appeal' else 'LC'}-B-{i:07d}",
            "status_token": f"bench-{kind}-{i}",
            "received_on": received,
            "name": "Resident",
            "email": "resident@example.net",
            "ack_due_on": received + timedelta(days=3),
            "answer_due_on": received + timedelta(days=14),
            "status": status,
            "outcome": outcome,
        }
        if status != "received" and status != "withdrawn":
            fields["acknowledged_at"] = moment(ack) + timedelta(hours=10)
        if status == "answered":
            fields.update(
                answered_at=moment(answered) + timedelta(hours=10),
                response="Our answer.",
                response_delivery="email",
                reviewer=reviewer,
            )
        if status == "withdrawn":
            fields["withdrawn_at"] = moment(ack)
        if kind == "appeal":
            fields.update(
                account=accounts[i % ACCOUNTS],
                comment_text="The comment.",
                explanation="Why.",
            )
        else:
            fields.update(
                section_anchor="policy-comments",
                section_title="Comments",
                basis="The basis.",
            )
        outcomes[outcome or status] += 1
        batch.append(model(**fields))
    model.objects.bulk_create(batch, batch_size=5000)  # type: ignore[arg-type]
    return time.perf_counter() - started, outcomes


def p95(values: list[float]) -> float:
    from bench.harness import percentile

    return percentile(values, 95)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def number_near(text: str, pattern: str) -> int | None:
    """The number in ``pattern``'s group, commas removed."""
    found = re.search(pattern, text)
    return int(found.group(1).replace(",", "")) if found else None


def measure_floor(*, removals: int, mentions: int) -> float:
    """The floor: the p95 of the two scans of the removals the figures cannot
    avoid (the period's removals per month and account, and their category links
    per category), the figures' own querysets (``transparency.selectors``) run as
    bare SQL: no Django model, no Python aggregation, no page. Each run's counts
    must add up to the rows loaded, or the benchmark fails."""
    from django.db import connection

    from bench.harness import fail
    from transparency import selectors
    from transparency.figures import period_last_12_months

    period = period_last_12_months()
    scans = [
        (selectors.removal_scan_by_month_account(period.start, period.end), removals),
        (selectors.removal_scan_by_category(period.start, period.end), mentions),
    ]
    sqls = [(qs.query.sql_with_params(), expected) for qs, expected in scans]
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        counted = []
        with connection.cursor() as cursor:
            for (sql, params), _expected in sqls:
                cursor.execute(sql, params)
                counted.append(sum(row[-1] for row in cursor.fetchall()))
        times.append((time.perf_counter() - started) * 1000)
        expected = [e for _sql, e in sqls]
        if counted != expected:
            fail(f"floor: the scans counted {counted}, expected {expected}")
    print(
        f"floor (the figures' two scans of the removals, bare SQL): median "
        f"{sorted(times)[len(times) // 2]:.0f} ms, p95 {p95(times):.0f} ms"
    )
    return p95(times)


def main() -> None:
    args = parse_args()
    setup(args.database_url)
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Account, CityProfile, Department, Platform, User
    from appeals.models import Appeal, LegalityChallenge
    from bench.harness import check, expect_rows, fail
    from core import clock, roles
    from moderation.models import RemovalDecision, RemovalDecisionCategory

    call_command("migrate", verbosity=0)
    reviewer, _ = User.objects.get_or_create(
        username="bench-reviewer", defaults={"is_staff": True}
    )
    reviewer.groups.add(Group.objects.get(name=roles.CITY_ADMINISTRATOR))
    if not CityProfile.objects.exists():
        CityProfile.objects.create(
            city_name="Bench Falls",
            official_website="https://bench.example.gov",
            appeal_contact="Clerk",
            appeal_email="clerk@bench.example.gov",
            appeal_postal_address="1 Main St",
            legality_email="admin@bench.example.gov",
            legality_postal_address="1 Main St",
            general_email="info@bench.example.gov",
        )
    department, _ = Department.objects.get_or_create(name="Bench department")
    platform = Platform.objects.get(slug="facebook")
    accounts = [
        Account.objects.get_or_create(
            slug=f"bench-{i}",
            defaults={
                "platform": platform,
                "handle": f"benchcity{i}",
                "display_name": f"Bench City {i}",
                "url": f"https://www.facebook.com/benchcity{i}",
                "department": department,
            },
        )[0]
        for i in range(ACCOUNTS)
    ]
    now, today = clock.now(), clock.today()
    loaded = (
        RemovalDecision.objects.count() == args.removals
        and Appeal.objects.count() == args.appeals
        and LegalityChallenge.objects.count() == args.challenges
    )
    if args.reload or not loaded:
        seconds = load_removals(args.removals, accounts, reviewer, now)
        print(f"loaded {args.removals:,} removals in {seconds:.0f} s")
        seconds, _ = load_filings(args.appeals, "appeal", accounts, reviewer, today)
        print(f"loaded {args.appeals:,} appeals in {seconds:.0f} s")
        seconds, _ = load_filings(
            args.challenges, "challenge", accounts, reviewer, today
        )
        print(f"loaded {args.challenges:,} challenges in {seconds:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE appeals_appeal, appeals_legalitychallenge")
    else:
        print("reusing the rows already loaded")
    # What the page must show: counted from the rows (they may have been loaded
    # by an earlier run) with plain SQL-free ORM counts, not from the figures.
    mentions = RemovalDecisionCategory.objects.count()
    appeal_outcomes = Counter(
        dict(
            Appeal.objects.filter(status="answered")
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    check(
        [
            expect_rows(
                "removals",
                stored=RemovalDecision.objects.count(),
                expected=args.removals,
            ),
            expect_rows(
                "appeals", stored=Appeal.objects.count(), expected=args.appeals
            ),
            expect_rows(
                "challenges",
                stored=LegalityChallenge.objects.count(),
                expected=args.challenges,
            ),
            expect_rows(
                "category links",
                stored=mentions,
                expected=sum(
                    len(categories_for(pk)) for pk in range(1, args.removals + 1)
                ),
            ),
        ]
    )

    client = Client()
    pages = {
        "last 12 months": "/transparency/",
        f"year {today.year}": f"/transparency/?year={today.year}",
    }
    samples: list[float] = []
    most_queries = 0
    problems: list[str] = []
    print(f"{'page':<18}{'queries':>8}{'median ms':>11}{'p95 ms':>9}")
    for label, url in pages.items():
        reset_queries()  # the loader filled the query log to its limit
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            fail(f"GET {url}: status {response.status_code}")
        most_queries = max(most_queries, len(ctx.captured_queries))
        text = text_of(response.content.decode())
        if label != "last 12 months":
            # The year chooser's page: the removals of this calendar year.
            this_year = RemovalDecision.objects.filter(
                removed_at__year=today.year
            ).count()
            got = number_near(text, r"([\d,]+) comments removed")
            if got != this_year:
                problems.append(f"{url}: removals shown {got}, expected {this_year}")
        if label == "last 12 months":
            shown = {
                "removals": (
                    number_near(text, r"([\d,]+) comments removed"),
                    args.removals,
                ),
                "appeals": (number_near(text, r"([\d,]+) appeals filed"), args.appeals),
                "challenges": (
                    number_near(text, r"([\d,]+) challenges filed"),
                    args.challenges,
                ),
                "upheld": (
                    number_near(text, r"Removal upheld ([\d,]+)"),
                    appeal_outcomes["upheld"],
                ),
            }
            for what, (got, expected) in shown.items():
                if got != expected:
                    problems.append(f"{url}: {what} shown {got}, expected {expected}")
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            again = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if again.status_code != 200:
                fail(f"GET {url}: status {again.status_code}")
        samples.extend(times)
        print(
            f"{label:<18}{len(ctx.captured_queries):>8}"
            f"{sorted(times)[len(times) // 2]:>11.0f}{p95(times):>9.0f}"
        )
    check(problems)
    floor = measure_floor(removals=args.removals, mentions=mentions)

    csv_peak = 0.0
    for table, expected_rows in (("removals", None), ("appeals", args.appeals)):
        url = f"/transparency/data.csv?table={table}"
        tracemalloc.start()
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            fail(f"GET {url}: status {response.status_code}")
        # Checked as it streams (one CSV line per chunk), never held whole.
        size = rows = total = suppressed = 0
        header: list[str] = []
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
            (values,) = csv.reader(io.StringIO(chunk.decode()))
            if not header:
                header = values
                continue
            rows += 1
            if table == "removals":
                row = dict(zip(header, values, strict=True))
                suppressed += row["fewer_than_3"] == "true"
                total += int(row["count"] or 0)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # A "fewer than 3" row stands for 1 or 2.
        if table == "removals" and not (
            total + suppressed <= mentions <= total + 2 * suppressed
        ):
            fail(
                f"{url}: counts add up to {total} with {suppressed} rows of "
                f"fewer than 3, expected {mentions}"
            )
        if expected_rows is not None and rows != expected_rows:
            fail(f"{url}: {rows} rows, expected {expected_rows}")
        peak_mb = peak / 1_048_576
        csv_peak = max(csv_peak, peak_mb)
        print(
            f"csv {table}: {rows:,} rows, {size / 1_048_576:.1f} MB in "
            f"{seconds:.1f} s, peak {peak_mb:.1f} MB (tracemalloc)"
        )
    print(f"all pages: p95 {p95(samples):.0f} ms over {len(samples)} requests")
    print(f"floor: p95 {floor:.0f} ms (page p95 {p95(samples) / floor:.1f}x of it)")
    print(
        f"transparency: p95 {p95(samples):.0f} ms, queries {most_queries}, "
        f"csv peak {csv_peak:.1f} MB"
    )


if __name__ == "__main__":
    main()
