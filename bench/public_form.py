"""Benchmark of the public appeal form (issue #6): GET and valid POST against bare
Django views served by the same gunicorn.

    .venv/bin/python bench/public_form.py [--seconds 15] [--connections 8] [--cpu]

It migrates a PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/h_appeals_bench``, created with ``createdb``
when missing), starts ``gunicorn config.wsgi`` with 2 workers under production
settings (``config.settings.production``, Redis cache and broker from
``BENCH_REDIS_URL``; ``bench/public_form_settings.py`` only adds the three
baseline views and raises the rate limit so one load generator is not refused),
then drives, for a bounded time each and in alternating rounds:

* GET  ``/bench/bare/``          a constant page (the GET baseline)
* GET  ``/appeals/appeal/``      the appeal form
* POST ``/bench/bare-insert/``   parse the same body and insert one row (baseline)
* POST ``/bench/form-insert/``   the floor: CSRF, the same form's validation and
  one ORM insert of the appeal, nothing else
* POST ``/appeals/appeal/``      a valid appeal: CSRF, rate limit, honeypot and
  fill-time checks, validation, the filing with its tracking number, audit event
  and pending receipt in one transaction, and the redirect

with ``wrk`` when it is installed (``apt-get install wrk``), otherwise a threaded
Python client. It prints requests per second and p95 latency for each (with
``--cpu``, also the CPU milliseconds each request cost in the web workers,
PostgreSQL, Redis and the load generator, read from /proc), the ratios, and
last: ``public_form: get <x>x of bare, post <y>x of bare insert``. Targets: GET at
least 0.6x, POST at least 0.5x. The floor's own ratio to the bare insert shows how
much of the POST target is left for what the issue asks of a filing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
GET_TARGET, POST_TARGET = 0.6, 0.5


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p95_ms: float
    bad: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def environment(port: int, static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    env.update(
        DJANGO_SETTINGS_MODULE="bench.public_form_settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS=HOST,
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


def ensure_database(env: dict[str, str]) -> None:
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    check = subprocess.run(
        ["psql", "-h", url.hostname or HOST, "-U", url.username or "postgres", "-lqt"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode == 0 and not re.search(
        rf"^\s*{re.escape(name)}\s*\|", check.stdout, re.M
    ):
        subprocess.run(
            [
                "createdb",
                "-h",
                url.hostname or HOST,
                "-U",
                url.username or "postgres",
                name,
            ],
            check=True,
        )


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


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


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; run it by hand to see why")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/bench/bare/", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def first_group(pattern: str, text: str, flags: int = 0) -> str:
    """Return the first group of ``pattern``'s first match in ``text``."""
    match = re.search(pattern, text, flags)
    if match is None:
        raise RuntimeError(f"{pattern!r} not found in the output")
    return match.group(1)


def headers(port: int, cookie: str = "") -> dict[str, str]:
    out = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "Referer": f"https://{HOST}:{port}/appeals/appeal/",
        "User-Agent": "bench/public_form",
    }
    if cookie:
        out["Cookie"] = cookie
    return out


def form_body(port: int, account_id: str, min_fill: float) -> tuple[str, str]:
    """GET the form once; return the cookie and a valid POST body, then wait out
    the minimum fill time so every POST that reuses the stamp is accepted."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", "/appeals/appeal/", headers=headers(port))
    response = conn.getresponse()
    html = response.read().decode()
    cookie = "; ".join(
        c.split(";", 1)[0]
        for c in response.headers.get_all("Set-Cookie") or []
        if c.startswith("csrftoken=")
    )
    token = first_group(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    stamp = first_group(r'name="started" value="([^"]+)"', html)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
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
            "started": stamp,
        }
    )
    time.sleep(min_fill + 0.5)
    return cookie, body


WRK_SCRIPT = """
{setup}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"bad\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(95.0),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal here


def run_wrk(
    name: str,
    port: int,
    path: str,
    method: str,
    hdrs: dict,
    body: str,
    seconds: float,
    connections: int,
) -> Result:
    setup = [f"wrk.method = {lua_string(method)}"]
    for key, value in hdrs.items():
        if key != "Host":
            setup.append(f"wrk.headers[{lua_string(key)}] = {lua_string(value)}")
    if body:
        setup.append(f"wrk.body = {lua_string(body)}")
        setup.append(
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(setup="\n".join(setup)))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{int(seconds)}s",
                "-s",
                script.name,
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    data = json.loads(first_group(r"^JSON (.*)$", out, re.M))
    return Result(
        name,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p95_us"] / 1e3,
        data["bad"],
    )


def run_python(
    name: str,
    port: int,
    path: str,
    method: str,
    hdrs: dict,
    body: str,
    seconds: float,
    connections: int,
) -> Result:
    """Fallback load generator: one thread per connection, HTTP/1.1."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    send = dict(hdrs)
    if body:
        send["Content-Type"] = "application/x-www-form-urlencoded"

    def worker() -> None:
        mine: list[float] = []
        errors = 0
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body or None, headers=send)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    p95 = statistics.quantiles(latencies, n=20)[18] * 1e3 if len(latencies) > 20 else 0
    return Result(name, len(latencies), elapsed, p95, bad[0])


CPU_GROUPS = {"gunicorn": "web", "postgres": "postgres", "redis-server": "redis"}
# (manage.py runs are children too, but none runs while a case is driven.)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of interest, from /proc (Linux)."""
    seen: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        group = CPU_GROUPS.get(name)
        if group is None:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        seen[int(stat.parent.name)] = (
            group,
            (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
        )
    # The load generator has exited by the end of a run: count it as a child.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    seen[0] = ("load", children.ru_utime + children.ru_stime)
    return seen


def cpu_used(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    used: dict[str, float] = {}
    for pid, (group, seconds) in after.items():
        used[group] = used.get(group, 0.0) + seconds - before.get(pid, (group, 0.0))[1]
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="also print CPU milliseconds per request by process "
        "(web workers, PostgreSQL, Redis, load generator)",
    )
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = environment(args.port, static_root)
    ensure_database(env)
    print("migrating and collecting static files ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    account_id = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    flush_redis(env)
    min_fill = float(
        manage(
            env,
            "shell",
            "-c",
            "from django.conf import settings; "
            "print(settings.APPEALS_MIN_FILL_SECONDS)",
        )
        .strip()
        .splitlines()[-1]
    )
    # (The floor's appeals are numbered FL-..., so they are not counted.)
    count_sql = (
        "from appeals.models import Appeal; "
        "print(Appeal.objects.exclude(reference__startswith='FL-').count())"
    )

    gunicorn = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(args.port, gunicorn)
        cookie, body = form_body(args.port, account_id, min_fill)
        drive = run_wrk if shutil.which("wrk") else run_python
        generator = "wrk" if drive is run_wrk else "python threads"
        print(
            f"gunicorn: 2 workers, production settings, PostgreSQL; load: {generator}, "
            f"{args.connections} connections, {args.seconds:.0f} s per run, "
            f"{args.rounds} rounds",
            flush=True,
        )
        get_hdrs = headers(args.port)
        post_hdrs = headers(args.port, cookie)
        cases = [
            ("bare GET", "/bench/bare/", "GET", get_hdrs, ""),
            ("form GET", "/appeals/appeal/", "GET", get_hdrs, ""),
            ("bare insert POST", "/bench/bare-insert/", "POST", post_hdrs, body),
            ("form floor POST", "/bench/form-insert/", "POST", post_hdrs, body),
            ("form POST", "/appeals/appeal/", "POST", post_hdrs, body),
        ]
        # Warm up every path (imports, connections, template caches).
        for name, path, method, hdrs, data in cases:
            drive(name, args.port, path, method, hdrs, data, 2, 2)
        before = int(manage(env, "shell", "-c", count_sql).strip().splitlines()[-1])
        results: dict[str, list[Result]] = {c[0]: [] for c in cases}
        cpu: dict[str, dict[str, float]] = {c[0]: {} for c in cases}
        for _ in range(args.rounds):
            for name, path, method, hdrs, data in cases:
                start = cpu_seconds()
                result = drive(
                    name,
                    args.port,
                    path,
                    method,
                    hdrs,
                    data,
                    args.seconds,
                    args.connections,
                )
                results[name].append(result)
                for group, used in cpu_used(start, cpu_seconds()).items():
                    cpu[name][group] = cpu[name].get(group, 0.0) + used
        after = int(manage(env, "shell", "-c", count_sql).strip().splitlines()[-1])
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        flush_redis(env)
        shutil.rmtree(static_root, ignore_errors=True)

    def summary(name: str) -> tuple[float, float, int, int]:
        runs = results[name]
        return (
            statistics.mean(r.rps for r in runs),
            statistics.mean(r.p95_ms for r in runs),
            sum(r.bad for r in runs),
            sum(r.requests for r in runs),
        )

    print(f"{'':18} {'req/s':>9} {'p95 ms':>8} {'requests':>9} {'errors':>7}")
    for name in results:
        rps, p95, bad, total = summary(name)
        print(f"{name:18} {rps:9.1f} {p95:8.1f} {total:9d} {bad:7d}")
    if args.cpu:
        groups = sorted({g for used in cpu.values() for g in used})
        print("CPU ms per request: " + ", ".join(groups))
        for name in results:
            total = summary(name)[3] or 1
            figures = "  ".join(
                f"{g} {cpu[name].get(g, 0.0) * 1000 / total:6.2f}" for g in groups
            )
            print(f"{name:18} {figures}")
    form_posts = summary("form POST")[3]
    filed = after - before
    # wrk counts the responses it received in time; a few requests still in
    # flight when a run ends are completed by the server too.
    in_flight = args.connections * args.rounds
    print(f"appeals filed during the form POST runs: {filed} ({form_posts} counted)")
    if any(summary(n)[2] for n in results) or not (
        form_posts <= filed <= form_posts + in_flight
    ):
        print("WARNING: some requests failed; the figures are not comparable")
    get_ratio = summary("form GET")[0] / summary("bare GET")[0]
    post_ratio = summary("form POST")[0] / summary("bare insert POST")[0]
    print(
        f"p95: form GET {summary('form GET')[1]:.1f} ms vs bare "
        f"{summary('bare GET')[1]:.1f} ms; form POST {summary('form POST')[1]:.1f} ms "
        f"vs bare insert {summary('bare insert POST')[1]:.1f} ms"
    )
    floor_ratio = summary("form floor POST")[0] / summary("bare insert POST")[0]
    print(
        f"floor (CSRF, the form's validation, one ORM insert): {floor_ratio:.2f}x of "
        f"bare insert; form POST {post_ratio / floor_ratio:.2f}x of the floor"
    )
    get_met = "met" if get_ratio >= GET_TARGET else "MISSED"
    post_met = "met" if post_ratio >= POST_TARGET else "MISSED"
    print(
        f"targets: GET >= {GET_TARGET}x ({get_met}), "
        f"POST >= {POST_TARGET}x ({post_met})"
    )
    print(
        f"public_form: get {get_ratio:.2f}x of bare, "
        f"post {post_ratio:.2f}x of bare insert"
    )


if __name__ == "__main__":
    main()
