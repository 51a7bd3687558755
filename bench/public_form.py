"""Benchmark of the public appeal form: GET and valid POST against bare
Django views served by the same gunicorn.

    .venv/bin/python bench/public_form.py [--seconds 10] [--connections 8]
        [--rounds 3] [--cpu] [--generator auto|wrk|python]

It migrates a PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/h_appeals_bench``, created with ``createdb``
when missing), starts ``gunicorn config.wsgi`` with 2 workers under production
settings (``config.settings.production``, Redis cache and broker from
``BENCH_REDIS_URL``; ``bench/public_form_settings.py`` only adds the three
baseline views and raises the rate limit so one load generator is not refused),
then drives, for a bounded time each and in alternating rounds:

* GET  ``/bench/bare/``          a constant page (the GET baseline)
* GET  ``/appeals/appeal/``      the appeal form
* POST ``/bench/bare-insert/``   parse the same body and insert one row (shown for
  scale only)
* POST ``/bench/form-insert/``   the floor (the POST baseline): CSRF, the same
  form's validation and one ORM insert of the appeal, nothing else
* POST ``/appeals/appeal/``      a valid appeal: CSRF, rate limit, honeypot and
  fill-time checks, validation, the filing with its tracking number, audit event
  and pending receipt in one transaction, and the redirect

with ``wrk`` when it is installed (``apt-get install wrk``), otherwise a threaded
Python client (``--generator`` chooses). Both send what a browser sends (the CSRF
cookie and token, Origin and Referer) and count every failure: a socket error, a
timeout, or any status but the one expected (200 for a page, 302 for a valid form
POST). After each POST run the rows stored are counted and must match the
successful requests. Any failure ends the benchmark with exit status 1 and no
ratio line (``bench/harness.py``).

It prints requests per second and p95 latency for each (with ``--cpu``, also the
CPU milliseconds each request cost in the web workers, PostgreSQL, Redis and the
load generator, read from /proc), and last:

    public_form: get <x>x of bare, post <y>x of floor

Targets: GET at least 0.6x of the bare GET, POST at least 0.5x of the
floor measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    SERVER_HOST,
    Load,
    Result,
    browser_headers,
    check,
    drive,
    ensure_database,
    form_session,
    hidden_value,
    in_flight,
    manage,
    pick_generator,
    run_problems,
    shell,
    start_gunicorn,
    stored_problem,
    wait_until_up,
)

GET_TARGET, POST_TARGET = 0.6, 0.5
FORM = "/appeals/appeal/"

# The rows each POST stores, counted before and after each of its runs. (The
# floor's appeals are numbered FL-..., the real filings AP-...)
ROW_COUNTS = {
    "bare insert POST": "SELECT count(*) FROM bench_public_form_row",
    "form floor POST": "SELECT count(*) FROM appeals_appeal "
    "WHERE reference LIKE 'FL-%'",
    "form POST": "SELECT count(*) FROM appeals_appeal WHERE reference NOT LIKE 'FL-%'",
}


def environment(port: int, static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    env.update(
        DJANGO_SETTINGS_MODULE="bench.public_form_settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS=SERVER_HOST,
        # TLS ends at the proxy in production; here the client says it was HTTPS.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_appeals_bench"
        ),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND="",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


SETUP = """
from django.db import connection
from accounts.models import Account, CityProfile, Department, Platform
CityProfile.objects.get_or_create(singleton=True, defaults=dict(
    city_name="Benchville", official_website="https://bench.example.gov",
    scope_contact="Clerk", sensitive_info_contact="Clerk", appeal_contact="Clerk",
    appeal_email="clerk@bench.example.gov", appeal_postal_address="1 Main St",
    legality_contact="Admin", legality_email="admin@bench.example.gov",
    legality_postal_address="1 Main St", general_contact="Clerk",
    general_email="info@bench.example.gov"))
department, _ = Department.objects.get_or_create(name="Communications")
platform = Platform.objects.get(slug="facebook")
account, _ = Account.objects.get_or_create(slug="bench", defaults=dict(
    platform=platform, handle="benchville", display_name="City of Benchville",
    url="https://www.facebook.com/benchville", department=department))
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS bench_public_form_row "
              "(id bigserial PRIMARY KEY, body text NOT NULL, "
              "created timestamptz NOT NULL DEFAULT now())")
print(account.pk)
"""


def flush_redis(env: dict[str, str]) -> None:
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def form_post(base: str, account_id: str, min_fill: float) -> tuple[str, str]:
    """GET the form once as a browser does; return its CSRF cookie and a valid
    POST body, then wait out the minimum fill time (and a second more: the
    signed time of a release before this one was rounded up) so every POST that
    reuses the form's signed time is accepted."""
    cookie, html = form_session(base + FORM)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": hidden_value(html, "csrfmiddlewaretoken"),
            "account": account_id,
            "account_other": "",
            "comment_posted_on": "2026-11-20",
            "comment_url": "https://www.facebook.com/benchville/posts/1",
            "comment_text": "The council should fix Elm Street before bike lanes.",
            "explanation": "My comment was an opinion about city spending. It is "
            "not obscene, not a threat, not spam, and it names no one.",
            "name": "Jordan Bench",
            "email": "jordan@bench.example.net",
            "postal_address": "",
            "reply_by": "email",
            "website": "",
            "started": hidden_value(html, "started"),
        }
    )
    time.sleep(min_fill + 1.5)
    return cookie, body


def loads(base: str, cookie: str, body: str) -> list[Load]:
    """The five requests, as a browser sends them."""
    get = browser_headers(base + FORM)
    post = browser_headers(base + FORM, cookie=cookie, post=True)
    return [
        Load("bare GET", base + "/bench/bare/", headers=get),
        Load("form GET", base + FORM, headers=get),
        Load("bare insert POST", base + "/bench/bare-insert/", "POST", post, body),
        Load("form floor POST", base + "/bench/form-insert/", "POST", post, body, 302),
        Load("form POST", base + FORM, "POST", post, body, 302),
    ]


def row_counter(database_url: str) -> Callable[[str], int]:
    """Return a function counting a POST's rows; it waits until the count stops
    changing, so the requests the server is still completing are in it."""
    import psycopg

    conn = psycopg.connect(database_url, autocommit=True)

    def count(sql: str) -> int:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def settled(name: str) -> int:
        sql = ROW_COUNTS[name]
        last, deadline = count(sql), time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = count(sql)
            if now == last:
                break
            last = now
        return last

    return settled


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(gunicorn: int, database: str) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of this benchmark, from /proc
    (Linux): its gunicorn (master and workers), the PostgreSQL backends connected
    to its database, Redis (one server, shared with whoever else uses it) and
    the load generator. Other benchmarks' servers on the machine are left out."""
    seen: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            pid = int(stat.parent.name)
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            if name == "gunicorn" and gunicorn in (pid, int(fields[1])):
                group = "web"
            elif name == "postgres" and _backend_database(pid) == database:
                group = "postgres"
            elif name == "redis-server":
                group = "redis"
            else:
                continue
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        seen[pid] = (group, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    # The load generator: wrk has exited by the end of a run (a child); the
    # Python client's threads run in this process.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    seen[0] = ("load", children.ru_utime + children.ru_stime)
    seen[-1] = ("load", own.ru_utime + own.ru_stime)
    return seen


def _backend_database(pid: int) -> str:
    """The database a PostgreSQL backend serves, from its process title
    ("postgres: [cluster:] user database host(port) state"); "" for the
    server's own processes and anything else."""
    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    if not title or title[0] != b"postgres:":
        return ""
    rest = title[2:] if len(title) > 1 and title[1].endswith(b":") else title[1:]
    client = len(rest) > 2 and (b"(" in rest[2] or rest[2] == b"[local]")
    return rest[1].decode() if client else ""


def cpu_used(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    used: dict[str, float] = {}
    for pid, (group, seconds) in after.items():
        used[group] = used.get(group, 0.0) + seconds - before.get(pid, (group, 0.0))[1]
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument(
        "--generator", choices=("auto", "wrk", "python"), default="auto"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="also print CPU milliseconds per request by process (this run's "
        "gunicorn, the PostgreSQL backends of its database, Redis, the load "
        "generator)",
    )
    args = parser.parse_args()
    generator = pick_generator(args.generator)

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = environment(args.port, static_root)
    ensure_database(env)
    print("migrating and collecting static files ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    account_id = shell(env, SETUP)
    flush_redis(env)
    min_fill = float(
        shell(
            env,
            "from django.conf import settings; "
            "print(settings.APPEALS_MIN_FILL_SECONDS)",
        )
    )
    settled = row_counter(env["DATABASE_URL"])
    slack = in_flight(generator, args.connections)
    base = f"http://{SERVER_HOST}:{args.port}"
    database = urllib.parse.urlsplit(env["DATABASE_URL"]).path.lstrip("/")

    gunicorn = start_gunicorn(env, args.port)
    results: dict[str, list[Result]] = {}
    cpu: dict[str, dict[str, float]] = {}
    problems: list[str | None] = []
    try:
        wait_until_up(args.port, gunicorn, path="/bench/bare/")
        cases = loads(base, *form_post(base, account_id, min_fill))
        print(
            f"gunicorn: 2 workers, production settings, PostgreSQL; load: {generator}, "
            f"{args.connections} connections, {args.seconds:.0f} s per run, "
            f"{args.rounds} rounds",
            flush=True,
        )

        def run(load: Load, seconds: float, connections: int) -> Result:
            before = settled(load.name) if load.name in ROW_COUNTS else 0
            start = cpu_seconds(gunicorn.pid, database)
            result = drive(
                load, seconds=seconds, connections=connections, generator=generator
            )
            end = cpu_seconds(gunicorn.pid, database)
            for group, used in cpu_used(start, end).items():
                per_case = cpu.setdefault(load.name, {})
                per_case[group] = per_case.get(group, 0.0) + used
            problems.extend(run_problems([result]))
            if load.name in ROW_COUNTS:
                problems.append(
                    stored_problem(
                        load.name,
                        stored=settled(load.name) - before,
                        succeeded=result.succeeded,
                        in_flight=min(slack, connections),
                    )
                )
            return result

        # Warm up every path (imports, connections, template caches); checked too.
        for load in cases:
            run(load, 2, 2)
        cpu.clear()
        for _ in range(args.rounds):
            for load in cases:
                result = run(load, args.seconds, args.connections)
                results.setdefault(load.name, []).append(result)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        flush_redis(env)
        shutil.rmtree(static_root, ignore_errors=True)
    report(results, problems, cpu=cpu if args.cpu else None)


def report(
    results: dict[str, list[Result]],
    problems: list[str | None],
    *,
    cpu: dict[str, dict[str, float]] | None = None,
) -> None:
    """Print the figures; then, unless a request failed or the rows stored do not
    match (``harness.check`` exits with status 1), the ratios and the last line."""

    def summary(name: str) -> tuple[float, float, int, int]:
        runs = results[name]
        return (
            statistics.mean(r.rps for r in runs),
            statistics.mean(r.p95_ms for r in runs),
            sum(r.failed for r in runs),
            sum(r.succeeded for r in runs),
        )

    print(f"{'':18} {'req/s':>9} {'p95 ms':>8} {'succeeded':>9} {'failed':>7}")
    for name in results:
        rps, p95, failed, succeeded = summary(name)
        print(f"{name:18} {rps:9.1f} {p95:8.1f} {succeeded:9d} {failed:7d}")
    if cpu is not None:
        groups = sorted({g for used in cpu.values() for g in used})
        print("CPU ms per request (redis: the whole server): " + ", ".join(groups))
        for name in results:
            total = sum(r.responses + r.errors for r in results[name]) or 1
            figures = "  ".join(
                f"{g} {cpu.get(name, {}).get(g, 0.0) * 1000 / total:6.2f}"
                for g in groups
            )
            print(f"{name:18} {figures}")
    check(problems)

    get_ratio = summary("form GET")[0] / summary("bare GET")[0]
    post_ratio = summary("form POST")[0] / summary("form floor POST")[0]
    floor_ratio = summary("form floor POST")[0] / summary("bare insert POST")[0]
    print(
        f"p95: form GET {summary('form GET')[1]:.1f} ms vs bare "
        f"{summary('bare GET')[1]:.1f} ms; form POST {summary('form POST')[1]:.1f} ms "
        f"vs floor {summary('form floor POST')[1]:.1f} ms"
    )
    print(
        f"(the floor itself, CSRF + the form's validation + one ORM insert: "
        f"{floor_ratio:.2f}x of a bare one-row insert)"
    )
    get_met = "met" if get_ratio >= GET_TARGET else "MISSED"
    post_met = "met" if post_ratio >= POST_TARGET else "MISSED"
    print(
        f"targets: GET >= {GET_TARGET}x of bare ({get_met}), "
        f"POST >= {POST_TARGET}x of floor ({post_met})"
    )
    print(f"public_form: get {get_ratio:.2f}x of bare, post {post_ratio:.2f}x of floor")


if __name__ == "__main__":
    main()
