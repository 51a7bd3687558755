"""Benchmark: the retention purge against hand-written batched SQL (issue #7).

    .venv/bin/python bench/purge.py [--rows 1000000] [--database-url postgres://...]

Loads N messages into PostgreSQL (90% read, 5% unread, 5% read but under a legal
hold), runs the project's purge as the Celery job does (the task, in-process), then,
on a fresh copy of the same data, a baseline of hand-written batched SQL (10,000-row
``DELETE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`` batches). Checks that
every unread and held message is intact and every other read message destroyed, and
prints both times, their ratio and the project's peak memory. The last line is

    purge: <ratio>x of batched SQL, peak <MB> MB, kept <n> unread+held intact

Targets: ratio at most 1.5, peak under 150 MB, nothing wrong kept or destroyed.
The database (default ``h_retention_bench``) is migrated and its messages replaced.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ACCOUNTS = 20  # account 0 is under the legal hold: 5% of the rows
BATCH = 10_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/h_retention_bench",
        ),
    )
    args = parser.parse_args()
    if args.rows < ACCOUNTS * 20:
        parser.error(f"--rows must be at least {ACCOUNTS * 20}")
    return args


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import setup_postgres

    setup_postgres(database_url, script="purge.py", production=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(rows: int) -> tuple[list[int], int, int, int]:
    """Insert the messages in the database; return (held account ids, unread,
    held, other read) counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import Account, Department, Platform
    from retention.models import LegalHold, RetentionSchedule, Series

    department, _ = Department.objects.get_or_create(name="Bench")
    platform = Platform.objects.get(slug="facebook")
    accounts = []
    for i in range(ACCOUNTS):
        account, _ = Account.objects.get_or_create(
            slug=f"bench-{i}",
            defaults={
                "platform": platform,
                "handle": f"benchcity{i}",
                "display_name": f"Bench {i}",
                "url": f"https://www.facebook.com/benchcity{i}",
                "department": department,
            },
        )
        accounts.append(account)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-records", defaults={"is_staff": True}
    )
    RetentionSchedule.objects.filter(series=Series.MESSAGES).update(
        destruction_enabled=True
    )
    LegalHold.objects.filter(released_at__isnull=True).update(
        released_at=time_now(), released_by=user, release_reason="bench reset"
    )
    hold = LegalHold.objects.create(
        title="Bench hold", reason="benchmark", placed_by=user
    )
    hold.accounts.set([accounts[0]])
    ids = [a.pk for a in accounts]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE retention_message CASCADE")
        # Row g: account g % 20 (account 0 held); unread when (g / 20) % 19 == 0
        # on the other accounts: 5% held, 5% unread, 90% read.
        cursor.execute(
            """
            INSERT INTO retention_message (
                account_id, platform_message_id, sender_handle, body, received_at,
                imported_at, read_at, read_by_id, classification, follow_up_channel)
            SELECT (%s::bigint[])[(g %% 20) + 1], 'fb-' || g, 'resident' || (g %% 5000),
                   'Hello city, message ' || g || ': the bench by the lake is broken'
                   || ' and the path lights are out again. Thank you.',
                   now() - make_interval(secs => g), now(),
                   CASE WHEN g %% 20 <> 0 AND (g / 20) %% 19 = 0 THEN NULL
                        ELSE now() END,
                   CASE WHEN g %% 20 <> 0 AND (g / 20) %% 19 = 0 THEN NULL
                        ELSE %s END,
                   'public', ''
            FROM generate_series(1, %s) AS g
            """,
            [ids, user.pk, rows],
        )
        cursor.execute("DROP TABLE IF EXISTS bench_message_snapshot")
        cursor.execute(
            "CREATE TABLE bench_message_snapshot AS SELECT * FROM retention_message"
        )
        cursor.execute(
            "SELECT count(*) FILTER (WHERE read_at IS NULL),"
            " count(*) FILTER (WHERE read_at IS NOT NULL AND account_id = %s),"
            " count(*) FILTER (WHERE read_at IS NOT NULL AND account_id <> %s)"
            " FROM retention_message",
            [ids[0], ids[0]],
        )
        unread, held, other = cursor.fetchone()
    vacuum("retention_message")
    return [ids[0]], unread, held, other


def time_now():  # type: ignore[no-untyped-def]
    from core import clock

    return clock.now()


def vacuum(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def run_project() -> tuple[float, dict]:
    from retention.tasks import retention_purge_task

    started = time.perf_counter()
    result = retention_purge_task.apply().get()
    return time.perf_counter() - started, result


def check_project(
    run_id: int, held_ids: list[int], unread: int, held: int, other: int
) -> int:
    from django.db import connection

    from retention.models import DestructionRecord

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              count(*) FILTER (WHERE read_at IS NULL AND destroyed_at IS NULL
                               AND body <> '' AND sender_handle <> ''),
              count(*) FILTER (WHERE account_id = ANY(%s) AND destroyed_at IS NULL
                               AND body <> '' AND sender_handle <> ''),
              count(*) FILTER (WHERE read_at IS NOT NULL AND NOT account_id = ANY(%s)
                               AND destroyed_at IS NOT NULL AND body = ''
                               AND sender_handle = ''),
              count(*) FILTER (WHERE destroyed_at IS NOT NULL
                               AND (read_at IS NULL OR account_id = ANY(%s)))
            FROM retention_message
            """,
            [held_ids, held_ids, held_ids],
        )
        kept_unread, kept_held, destroyed, wrong = cursor.fetchone()
    logged = sum(
        DestructionRecord.objects.filter(run_id=run_id, series="messages").values_list(
            "item_count", flat=True
        )
    )
    problems = []
    if kept_unread != unread:
        problems.append(f"unread intact {kept_unread} of {unread}")
    if kept_held != held:
        problems.append(f"held intact {kept_held} of {held}")
    if destroyed != other:
        problems.append(f"destroyed {destroyed} of {other} read messages")
    if wrong:
        problems.append(f"{wrong} unread or held messages destroyed")
    if logged != other:
        problems.append(f"destruction log counts {logged}, expected {other}")
    if problems:
        sys.exit("project purge WRONG: " + "; ".join(problems))
    return kept_unread + kept_held


def run_baseline(held_ids: list[int], unread: int, held: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute(
            "CREATE TABLE bench_baseline (LIKE retention_message INCLUDING ALL)"
        )
        cursor.execute(
            "INSERT INTO bench_baseline SELECT * FROM bench_message_snapshot"
        )
    vacuum("bench_baseline")
    started = time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM bench_baseline WHERE id IN (
                    SELECT id FROM bench_baseline
                    WHERE read_at IS NOT NULL AND destroyed_at IS NULL
                      AND NOT account_id = ANY(%s)
                    ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED)
                """,
                [held_ids, BATCH],
            )
            deleted = cursor.rowcount
        if not deleted:
            break
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE read_at IS NULL),"
            " count(*) FILTER (WHERE account_id = ANY(%s)), count(*)"
            " FROM bench_baseline",
            [held_ids],
        )
        b_unread, b_held, total = cursor.fetchone()
        cursor.execute("DROP TABLE bench_baseline")
        cursor.execute("DROP TABLE bench_message_snapshot")
    if (b_unread, b_held, total) != (unread, held, unread + held):
        sys.exit(f"baseline WRONG: {b_unread} unread, {b_held} held, {total} left")
    return elapsed


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"Loading {args.rows:,} messages ...", flush=True)
    started = time.perf_counter()
    held_ids, unread, held, other = load(args.rows)
    print(
        f"  loaded in {time.perf_counter() - started:.1f} s: {other:,} read, "
        f"{unread:,} unread, {held:,} read under a legal hold",
        flush=True,
    )
    rss_before = rss_mb()
    project, result = run_project()
    peak = rss_mb()
    print(
        f"project purge (Celery task): {project:.2f} s, destroyed "
        f"{result['destroyed']:,}, status {result['status']}",
        flush=True,
    )
    print(
        f"  peak memory: {peak:.0f} MB resident (the whole process; "
        f"{rss_before:.0f} MB before the purge)"
    )
    kept = check_project(result["run"], held_ids, unread, held, other)
    print(f"  checked: {kept:,} unread+held intact, {other:,} read destroyed")
    baseline = run_baseline(held_ids, unread, held)
    print(f"baseline batched SQL DELETE: {baseline:.2f} s", flush=True)
    ratio = project / baseline
    print(
        f"purge: {ratio:.2f}x of batched SQL, peak {peak:.0f} MB, "
        f"kept {kept} unread+held intact"
    )


if __name__ == "__main__":
    main()
