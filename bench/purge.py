"""Benchmark: the retention purge against hand-written keyset SQL.

    .venv/bin/python bench/purge.py [--rows 200000,1000000] [--database-url ...]

For each size: loads N messages into PostgreSQL (90% read, 5% unread, 5% read but
under a legal hold), runs the project's purge as the Celery job does (the task,
in-process), then, on a fresh copy of the same data, a baseline of hand-written SQL
doing the same kind of writes: keyset batches of 10,000 (``id > last``, so no batch
walks past the rows the batches before it destroyed), each one transaction that
writes the tombstones (the same UPDATE as the purge) and one log row. Prints both
times, their ratio and the cost per destroyed row of each.

Honest: the purge must keep every unread and held message intact, destroy every
other read message and log exactly that many; the baseline must leave the same
rows and log one row per batch. Anything else stops the benchmark with a non-zero
exit and no ratio line.

With two sizes or more it also prints how the purge's cost per row grows from the
smallest to the largest (targets: ratio at most 1.5 at every size; cost per row at
the largest at most 1.3x of the smallest, i.e. linear). The last line is

    purge: <r>x of keyset SQL at <N> (<us> us/row vs <us> us/row)[; ...][; cost
    per row x<g> from <N> to <M>], peak <MB> MB, kept <n> unread+held intact

The database (default ``h_retention_bench``) is migrated and its messages replaced.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

ACCOUNTS = 20  # account 0 is under the legal hold: 5% of the rows
BATCH = 10_000
RATIO_TARGET = 1.5
GROWTH_TARGET = 1.3


@dataclass
class Loaded:
    rows: int
    held_ids: list[int]
    unread: int
    held: int
    other: int  # read, not held: what a purge destroys


@dataclass
class Measured:
    rows: int
    destroyed: int
    project: float
    baseline: float
    kept: int

    @property
    def ratio(self) -> float:
        return self.project / self.baseline

    def per_row_us(self, seconds: float) -> float:
        return seconds / self.destroyed * 1e6


def fail(*problems: str) -> NoReturn:
    """Stop: say what went wrong on stderr, exit 1, print no ratio."""
    raise SystemExit(
        "FAILED (no figures reported):\n" + "\n".join(f"  - {p}" for p in problems)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows",
        default="1000000",
        help="messages to load, or sizes separated by commas (e.g. 200000,1000000)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/h_retention_bench",
        ),
    )
    args = parser.parse_args()
    try:
        args.sizes = sorted(int(n.replace("_", "")) for n in args.rows.split(","))
    except ValueError:
        parser.error("--rows takes whole numbers separated by commas")
    if args.sizes[0] < ACCOUNTS * 20:
        parser.error(f"--rows must be at least {ACCOUNTS * 20}")
    return args


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import setup_postgres

    setup_postgres(database_url, script="purge.py", production=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(rows: int) -> Loaded:
    """Insert the messages in the database; return what a purge must do."""
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
            " count(*) FILTER (WHERE read_at IS NOT NULL AND account_id <> %s),"
            " count(*) FROM retention_message",
            [ids[0], ids[0]],
        )
        unread, held, other, total = cursor.fetchone()
    if total != rows:
        fail(f"loaded {total} messages, {rows} asked")
    vacuum("retention_message")
    return Loaded(rows, [ids[0]], unread, held, other)


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


def check_project(result: dict, data: Loaded) -> int:
    """Check the purge did exactly its job; return how many messages it kept."""
    from django.db import connection

    from retention.models import DestructionRecord

    problems = []
    if result.get("status") != "finished" or result.get("errors"):
        problems.append(f"the run ended {result.get('status')}: {result.get('errors')}")
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
                               AND (read_at IS NULL OR account_id = ANY(%s))),
              count(*)
            FROM retention_message
            """,
            [data.held_ids, data.held_ids, data.held_ids],
        )
        kept_unread, kept_held, destroyed, wrong, total = cursor.fetchone()
    logged = sum(
        DestructionRecord.objects.filter(
            run_id=result.get("run"), series="messages"
        ).values_list("item_count", flat=True)
    )
    if total != data.rows:
        problems.append(f"{total} messages stored, {data.rows} loaded")
    if kept_unread != data.unread:
        problems.append(f"unread intact {kept_unread} of {data.unread}")
    if kept_held != data.held:
        problems.append(f"held intact {kept_held} of {data.held}")
    if destroyed != data.other:
        problems.append(f"destroyed {destroyed} of {data.other} read messages")
    if result.get("destroyed") != data.other:
        problems.append(f"the run reports {result.get('destroyed')} destroyed")
    if wrong:
        problems.append(f"{wrong} unread or held messages destroyed")
    if logged != data.other:
        problems.append(f"destruction log counts {logged}, expected {data.other}")
    if problems:
        fail(*(f"project purge: {p}" for p in problems))
    return kept_unread + kept_held


def run_baseline(data: Loaded, run_id: int) -> float:
    """Destroy the same messages on a copy with hand-written keyset batches: the
    purge's tombstone UPDATE and one log row per batch, one transaction each."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline, bench_baseline_log")
        # The same columns, constraints and indexes as the messages table.
        cursor.execute(
            "CREATE TABLE bench_baseline (LIKE retention_message INCLUDING ALL)"
        )
        cursor.execute(
            "CREATE TABLE bench_baseline_log (id bigserial PRIMARY KEY, "
            "items integer NOT NULL, first_id bigint, last_id bigint, "
            "recorded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            "INSERT INTO bench_baseline SELECT * FROM bench_message_snapshot"
        )
    vacuum("bench_baseline")
    batches = 0
    last = 0
    started = time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH batch AS (
                    SELECT id FROM bench_baseline
                    WHERE id > %s AND read_at IS NOT NULL AND destroyed_at IS NULL
                      AND NOT account_id = ANY(%s)
                    ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED),
                done AS (
                    UPDATE bench_baseline AS m SET body = '', sender_handle = '',
                           destroyed_at = now(), destroyed_by_run_id = %s
                    FROM batch WHERE m.id = batch.id
                    RETURNING m.id)
                INSERT INTO bench_baseline_log (items, first_id, last_id)
                SELECT count(*), min(id), max(id) FROM done
                RETURNING items, last_id
                """,
                [last, data.held_ids, BATCH, run_id],
            )
            items, last_id = cursor.fetchone()
        if not items:
            break
        batches += 1
        last = last_id
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE read_at IS NULL AND destroyed_at IS NULL),"
            " count(*) FILTER (WHERE account_id = ANY(%s) AND destroyed_at IS NULL),"
            " count(*) FILTER (WHERE destroyed_at IS NOT NULL AND body = ''),"
            " count(*) FROM bench_baseline",
            [data.held_ids],
        )
        b_unread, b_held, b_destroyed, total = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), coalesce(sum(items), 0) FROM bench_baseline_log "
            "WHERE items > 0"
        )
        log_rows, logged = cursor.fetchone()
        cursor.execute("DROP TABLE bench_baseline, bench_baseline_log")
        cursor.execute("DROP TABLE bench_message_snapshot")
    problems = []
    if (b_unread, b_held, total) != (data.unread, data.held, data.rows):
        problems.append(
            f"{b_unread} unread and {b_held} held intact, {total} rows stored "
            f"(expected {data.unread}, {data.held}, {data.rows})"
        )
    if b_destroyed != data.other or logged != data.other:
        problems.append(f"destroyed {b_destroyed}, logged {logged} of {data.other}")
    if log_rows != batches:
        problems.append(f"{log_rows} log rows for {batches} batches")
    if problems:
        fail(*(f"baseline: {p}" for p in problems))
    return elapsed


def measure(rows: int) -> Measured:
    print(f"Loading {rows:,} messages ...", flush=True)
    started = time.perf_counter()
    data = load(rows)
    print(
        f"  loaded in {time.perf_counter() - started:.1f} s: {data.other:,} read, "
        f"{data.unread:,} unread, {data.held:,} read under a legal hold",
        flush=True,
    )
    rss_before = rss_mb()
    project, result = run_project()
    kept = check_project(result, data)
    print(
        f"project purge (Celery task): {project:.2f} s, destroyed "
        f"{result['destroyed']:,}; checked: {kept:,} unread+held intact",
        flush=True,
    )
    print(
        f"  peak memory: {rss_mb():.0f} MB resident (the whole process; "
        f"{rss_before:.0f} MB before the purge)"
    )
    baseline = run_baseline(data, result["run"])
    m = Measured(rows, data.other, project, baseline, kept)
    print(f"baseline keyset SQL: {baseline:.2f} s, checked", flush=True)
    print(
        f"  at {rows:,}: {m.ratio:.2f}x; cost per destroyed row: purge "
        f"{m.per_row_us(project):.2f} us, baseline {m.per_row_us(baseline):.2f} us",
        flush=True,
    )
    return m


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    results = [measure(rows) for rows in args.sizes]
    parts = [
        f"{m.ratio:.2f}x of keyset SQL at {m.rows:,} "
        f"({m.per_row_us(m.project):.2f} us/row vs {m.per_row_us(m.baseline):.2f})"
        for m in results
    ]
    missed = [m for m in results if m.ratio > RATIO_TARGET]
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = last.per_row_us(last.project) / first.per_row_us(first.project)
        parts.append(f"cost per row x{growth:.2f} from {first.rows:,} to {last.rows:,}")
        print(
            f"linearity: the purge's cost per row at {last.rows:,} is {growth:.2f}x "
            f"of its cost at {first.rows:,} (target at most {GROWTH_TARGET}x)"
        )
        if growth > GROWTH_TARGET:
            print("  TARGET MISSED: the purge does not scale linearly")
    for m in missed:
        print(
            f"  TARGET MISSED: {m.ratio:.2f}x at {m.rows:,} (at most {RATIO_TARGET}x)"
        )
    print(
        "purge: " + "; ".join(parts) + f", peak {rss_mb():.0f} MB, "
        f"kept {results[-1].kept} unread+held intact"
    )


if __name__ == "__main__":
    main()
