"""Benchmark of Meta's webhook: signed deliveries against a bare view
that checks the same HMAC and inserts one row, in the same run and the same
gunicorn.

    .venv/bin/python bench/webhooks.py [--seconds 15] [--connections 8] [--rounds 2]

It migrates a PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/platforms_bench``, created when missing),
starts ``gunicorn config.wsgi`` with 2 workers under production settings
(``bench/webhooks_settings.py`` only adds the baseline's URL), then drives with
``wrk``, for a bounded time each and in alternating rounds:

* POST ``/bench/bare-signed-insert/``   check the signature, insert the body
* POST ``/platforms/meta/webhook/``     the product: size cap, signature, the
  delivery stored once (a body already stored is answered 200, not stored again)

Every delivery is a distinct, signed Facebook comment, and each is sent **three
times** in a row across the connections (the three copies race each other), as Meta
does when it thinks a delivery was lost. Afterwards the job's own service
processes every stored delivery, and the benchmark counts what was kept.

Honest: a request answered with anything but 200 (or not answered), a count of
stored rows that does not match the requests sent, a delivery processed into
anything but exactly one comment, or a duplicate stored anywhere, fails the
benchmark with a non-zero exit and no ratio line. Last line:
``webhooks: <x>x of bare signed insert, duplicates stored 0``. Target: at least
0.5x, and 0 duplicates.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    SERVER_HOST,
    ensure_database,
    fail,
    lua_string,
    manage,
    shell,
    start_gunicorn,
    wait_until_up,
)

TARGET = 0.5
COPIES = 3
PAGE_ID = "100000000000001"
BARE = "/bench/bare-signed-insert/"
WEBHOOK = "/platforms/meta/webhook/"

# One Facebook comment; %(n)s differs for every delivery (ASCII, no other "%").
TEMPLATE = (
    '{"object":"page","entry":[{"id":"' + PAGE_ID + '","time":1764540000,'
    '"changes":[{"field":"feed","value":{"from":{"id":"400000000000001",'
    '"name":"Jordan Lee"},"post":{"status_type":"added_photos","is_published":true,'
    '"updated_time":"2025-11-30T21:59:00+0000","permalink_url":'
    '"https://www.facebook.com/cityoflakeside/posts/200000000000001",'
    '"promotion_status":"inactive","id":"' + PAGE_ID + '_200000000000001"},'
    '"message":"Will the Elm Street detour end before the farmers market? (%s)",'
    '"post_id":"' + PAGE_ID + '_200000000000001",'
    '"comment_id":"200000000000001_%s","created_time":1764539940,'
    '"item":"comment","parent_id":"' + PAGE_ID + '_200000000000001","verb":"add"}}]}]}'
)


@dataclass
class Result:
    name: str
    completed: int
    issued: int
    seconds: float
    p95_ms: float
    errors: int  # socket errors, timeouts and answers other than 200

    @property
    def rps(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def environment(port: int, static_root: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    env.update(
        DJANGO_SETTINGS_MODULE="bench.webhooks_settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS=SERVER_HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=os.environ.get(
            "BENCH_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/platforms_bench",
        ),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND="",
        META_APP_SECRET=secret,
        META_VERIFY_TOKEN=secrets.token_urlsafe(16),
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


SETUP = f"""
from django.db import connection
from accounts.models import Account, Department, Platform
department, _ = Department.objects.get_or_create(name="Communications")
Account.objects.get_or_create(slug="bench-page", defaults=dict(
    platform=Platform.objects.get(slug="facebook"), handle="cityoflakeside",
    display_name="City of Lakeside", url="https://www.facebook.com/cityoflakeside",
    department=department, platform_account_id="{PAGE_ID}"))
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS bench_webhook_row "
              "(id bigserial PRIMARY KEY, body bytea NOT NULL, "
              "created timestamptz NOT NULL DEFAULT now())")
    c.execute("TRUNCATE bench_webhook_row")
print("ok")
"""


def body_of(tag: str, n: int) -> bytes:
    value = f"{tag}{n:09d}"
    return (TEMPLATE % (value, value)).encode()


def write_signatures(path: Path, tag: str, count: int, secret: str) -> None:
    key = secret.encode()
    with path.open("w") as out:
        for n in range(count):
            out.write(hmac.new(key, body_of(tag, n), hashlib.sha256).hexdigest())
            out.write("\n")


LUA = """
local sigs = {{}}
for line in io.lines({sigfile}) do sigs[#sigs + 1] = line end
local template = {template}
local tag, offset, copies = {tag}, {offset}, {copies}
counter, bad, wrapped = 0, 0, 0
local threads = {{}}

setup = function(thread) table.insert(threads, thread) end

request = function()
  counter = counter + 1
  local n = offset + math.floor((counter - 1) / copies)
  if n >= #sigs then wrapped = 1; n = n % #sigs end
  local value = string.format("%s%09d", tag, n)
  local body = string.format(template, value, value)
  return wrk.format("POST", {path}, {{
    ["Content-Type"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
    ["X-Hub-Signature-256"] = "sha256=" .. sigs[n + 1],
  }}, body)
end

response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  local issued, wrong, wrap = 0, 0, 0
  for _, thread in ipairs(threads) do
    issued = issued + thread:get("counter")
    wrong = wrong + thread:get("bad")
    wrap = wrap + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    "JSON {{\\"completed\\": %d, \\"issued\\": %d, \\"duration_us\\": %d, "
    .. "\\"p95_us\\": %d, \\"errors\\": %d, \\"wrapped\\": %d}}\\n",
    summary.requests, issued, summary.duration, latency:percentile(95.0),
    e.connect + e.read + e.write + e.timeout + e.status + wrong, wrap))
end
"""


def drive(
    name: str,
    path: str,
    *,
    port: int,
    sigfile: Path,
    tag: str,
    offset: int,
    seconds: float,
    connections: int,
) -> tuple[Result, int]:
    """Run wrk once; return the result and how many deliveries it used."""
    script = LUA.format(
        sigfile=lua_string(str(sigfile)),
        template=lua_string(TEMPLATE),
        tag=lua_string(tag),
        offset=offset,
        copies=COPIES,
        path=lua_string(path),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{max(1, int(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                f"http://{SERVER_HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    match = re.search(r"^JSON (.*)$", out, re.M)
    if match is None:
        fail(f"wrk printed no summary for {name}: {out[-500:]}")
    data = json.loads(match.group(1))
    if data["wrapped"]:
        fail(f"{name}: more deliveries were sent than were signed; raise --deliveries")
    used = (data["issued"] + COPIES - 1) // COPIES
    return (
        Result(
            name,
            data["completed"],
            data["issued"],
            data["duration_us"] / 1e6,
            data["p95_us"] / 1e3,
            data["errors"],
        ),
        used,
    )


PROCESS = """
import json
from platforms import services
total = {}
while True:
    done = services.meta_deliveries_process(limit=2000)
    if not done:
        break
    for key, value in done.items():
        total[key] = total.get(key, 0) + value
print(json.dumps(total))
"""

COUNT = """
import json
from django.db import connection
from django.db.models import Count
from platforms.models import CapturedComment, CommentVersion, MetaDelivery
deliveries = MetaDelivery.objects.filter(received_at__gte="{since}")
prefix = "200000000000001_{tag}"
comments = CapturedComment.objects.filter(comment_id__startswith=prefix)
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM bench_webhook_row")
    bare = c.fetchone()[0]
print(json.dumps({{
    "bare_rows": bare,
    "deliveries": deliveries.count(),
    "duplicate_deliveries": deliveries.count()
        - deliveries.values("body_sha256").distinct().count(),
    "not_processed": deliveries.exclude(status="processed").count(),
    "comments": comments.count(),
    "duplicate_comments": comments.count()
        - comments.values("account", "comment_id").distinct().count(),
    "versions": CommentVersion.objects.filter(comment__in=comments).count(),
}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8802)
    parser.add_argument(
        "--copies",
        type=int,
        default=3,
        help="times each delivery is sent (3: each delivery thrice; 1: no duplicates)",
    )
    parser.add_argument(
        "--deliveries",
        type=int,
        default=150_000,
        help="distinct signed deliveries prepared (each is sent three times)",
    )
    args = parser.parse_args()
    global COPIES
    COPIES = max(1, args.copies)
    if not shutil.which("wrk"):
        fail("wrk is needed (apt-get install wrk)")

    secret = secrets.token_hex(32)
    tag = f"{secrets.randbelow(10**6):06d}"
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    sigfile = workdir / "signatures.txt"
    env = environment(args.port, static_root, secret)
    ensure_database(env)
    print("migrating, collecting static files, signing deliveries ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    shell(env, SETUP)
    write_signatures(sigfile, tag, args.deliveries, secret)
    since = shell(env, "from core import clock; print(clock.now().isoformat())")

    gunicorn = start_gunicorn(env, args.port)
    cases = [("bare signed insert", BARE), ("webhook", WEBHOOK)]
    results: dict[str, list[Result]] = {name: [] for name, _ in cases}
    # Every run, the warm-up's included: what was stored is counted against them.
    every_run: dict[str, list[Result]] = {path: [] for _, path in cases}
    offset = {BARE: 0, WEBHOOK: args.deliveries // 2}
    try:
        wait_until_up(args.port, gunicorn, path="/healthz")
        print(
            f"gunicorn: 2 workers, production settings, PostgreSQL; load: wrk, "
            f"{args.connections} connections, {args.seconds:.0f} s per run, "
            f"{args.rounds} rounds; each delivery sent {COPIES} times",
            flush=True,
        )
        plan = [(name, path, 2.0, 2, False) for name, path in cases]  # warm-up
        for _ in range(args.rounds):
            plan += [
                (name, path, args.seconds, args.connections, True)
                for name, path in cases
            ]
        for name, path, seconds, connections, measured in plan:
            result, used = drive(
                name,
                path,
                port=args.port,
                sigfile=sigfile,
                tag=tag,
                offset=offset[path],
                seconds=seconds,
                connections=connections,
            )
            offset[path] += used
            every_run[path].append(result)
            if measured:
                results[name].append(result)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)

    started = time.monotonic()
    processed = shell(env, PROCESS)
    process_seconds = time.monotonic() - started
    counts = json.loads(shell(env, COUNT.format(since=since, tag=tag)))

    problems = []
    for runs in every_run.values():
        for run in runs:
            if run.errors:
                problems.append(f"{run.name}: {run.errors} requests failed or not 200")
    # wrk stops at its deadline without the answers still under way (at most one
    # per connection); the server completes those requests all the same.
    bare_runs = every_run[BARE]
    completed = sum(r.completed for r in bare_runs)
    issued = sum(r.issued for r in bare_runs)
    if not completed <= counts["bare_rows"] <= issued:
        problems.append(
            f"bare: {counts['bare_rows']} rows stored for {completed} answered "
            f"requests ({issued} sent)"
        )
    webhook_runs = every_run[WEBHOOK]
    sent = offset[WEBHOOK] - args.deliveries // 2  # distinct deliveries sent
    unanswered = sum(r.issued - r.completed for r in webhook_runs)
    if not sent - unanswered <= counts["deliveries"] <= sent:
        problems.append(
            f"webhook: {counts['deliveries']} deliveries stored, {sent} distinct ones "
            f"sent ({unanswered} requests unanswered at the deadlines)"
        )
    if counts["duplicate_deliveries"] or counts["duplicate_comments"]:
        problems.append(
            f"duplicates stored: {counts['duplicate_deliveries']} deliveries, "
            f"{counts['duplicate_comments']} comments"
        )
    if counts["not_processed"]:
        problems.append(f"{counts['not_processed']} deliveries were not processed")
    if not counts["comments"] == counts["deliveries"] == counts["versions"]:
        problems.append(
            f"{counts['deliveries']} deliveries became {counts['comments']} comments "
            f"with {counts['versions']} versions (one each expected)"
        )
    if problems:
        fail(*problems)

    def mean(name: str) -> tuple[float, float, int]:
        runs = results[name]
        return (
            statistics.mean(r.rps for r in runs),
            statistics.mean(r.p95_ms for r in runs),
            sum(r.completed for r in runs),
        )

    print(f"{'':20} {'req/s':>9} {'p95 ms':>8} {'requests':>9}")
    for name in results:
        rps, p95, total = mean(name)
        print(f"{name:20} {rps:9.1f} {p95:8.1f} {total:9d}")
    print(
        f"stored: {counts['deliveries']} deliveries from {sent} distinct "
        f"sent {COPIES} times each; bare rows {counts['bare_rows']}"
    )
    print(
        f"processed by the job's service: {json.loads(processed)} in "
        f"{process_seconds:.1f} s "
        f"({counts['deliveries'] / max(process_seconds, 1e-9):.0f} deliveries/s, "
        f"one process, with its audit events); {counts['comments']} comments"
    )
    ratio = mean("webhook")[0] / mean("bare signed insert")[0]
    duplicates = counts["duplicate_deliveries"] + counts["duplicate_comments"]
    print(f"target: >= {TARGET}x ({'met' if ratio >= TARGET else 'MISSED'})")
    print(
        f"webhooks: {ratio:.2f}x of bare signed insert, duplicates stored {duplicates}"
    )


if __name__ == "__main__":
    main()
