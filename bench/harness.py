"""What the benchmarks share.

**Honesty**. A benchmark reports figures only when every request it
made got the answer it expected and the rows it stored match the requests that
succeeded. Otherwise it says what went wrong and stops with a non-zero exit and no
ratio line: ``fail``, ``check``, ``run_problems`` and ``stored_problem``.

**HTTP load** (``public_form.py``): ``drive`` sends one ``Load`` for a bounded time
with ``wrk`` when it is installed, or with a threaded Python client otherwise.
Both send the same requests, a browser's (Host with the port; for a form, the
CSRF cookie and token with Origin and Referer: ``browser_headers``,
``form_session``), and count the same failures: socket errors, timeouts and any
status other than the one expected.

**A gunicorn of the project** (``public_form.py``, ``webhooks.py``): a PostgreSQL
database made if missing (``ensure_database``), ``manage`` and ``shell`` run in the
benchmark's environment, a free port (``ensure_port_free``) and a server that
answers before the load starts (``wait_until_up``).

**Pages through Django's test client** (``account_pages.py``, ``notice_pages.py``):
a throwaway test database, a registry of accounts, a signed-in staff client, and
the timing of pages with their SQL query counts, every answer checked.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

RUNS = 15
FORM_TYPE = "application/x-www-form-urlencoded"
# Longest wait for one answer before it counts as a failed request (both clients).
TIMEOUT_SECONDS = 10
USER_AGENT = "citysocial-bench"

# --- honesty ---------------------------------------------------------------------


def fail(*problems: str) -> NoReturn:
    """Stop the benchmark: say on stderr what went wrong and exit with status 1,
    before any ratio is printed."""
    raise SystemExit(
        "FAILED (no figures reported):\n" + "\n".join(f"  - {p}" for p in problems)
    )


def check(problems: Iterable[str | None]) -> None:
    """``fail`` with every problem listed, if there is any."""
    found = [p for p in problems if p]
    if found:
        fail(*found)


def expect_rows(what: str, *, stored: int, expected: int) -> str | None:
    """Say so when the database holds another number of rows than expected."""
    if stored == expected:
        return None
    return f"{what}: {stored} rows stored, {expected} expected"


def stored_problem(
    name: str, *, stored: int, succeeded: int, in_flight: int = 0
) -> str | None:
    """Compare the rows a run stored with its successful requests.

    ``in_flight``: how many requests may still have been on their way when the
    load generator stopped counting (``wrk`` stops at its deadline without reading
    the answers under way, one per connection; the server completes them). The
    Python client waits for every answer, so its count must match exactly.
    """
    if succeeded <= stored <= succeeded + in_flight:
        return None
    allowed = f" (or up to {in_flight} more still in flight)" if in_flight else ""
    return f"{name}: {stored} rows stored for {succeeded} successful requests{allowed}"


# --- HTTP load -------------------------------------------------------------------


@dataclass
class Load:
    """One kind of request to send over and over, and the status that means it
    succeeded (a valid form POST is a 302 to its confirmation page)."""

    name: str
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    expect: int = 200


@dataclass
class Result:
    """What one run of a ``Load`` got back."""

    name: str
    responses: int  # answers received, whatever their status
    seconds: float
    p95_ms: float
    wrong: int  # answers with another status than expected
    errors: int  # no answer: connect, read or write errors and timeouts
    example: str = ""  # one of the failures, to say what went wrong

    @property
    def succeeded(self) -> int:
        return self.responses - self.wrong

    @property
    def failed(self) -> int:
        return self.wrong + self.errors

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return self.succeeded / self.seconds if self.seconds else 0.0


def run_problems(results: Iterable[Result]) -> list[str]:
    """Say what failed in each run: nothing when every request succeeded."""
    problems = []
    for r in results:
        if r.failed:
            problems.append(
                f"{r.name}: {r.failed} of {r.responses + r.errors} requests failed "
                f"({r.wrong} with another status, {r.errors} without an answer; "
                f"e.g. {r.example})"
            )
        elif not r.succeeded:
            problems.append(f"{r.name}: no request completed")
    return problems


def percentile(values: list[float], pct: float) -> float:
    """Return the ``pct`` percentile of ``values`` (nearest rank), 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def pick_generator(choice: str = "auto") -> str:
    """Return ``"wrk"`` or ``"python"``: ``auto`` takes wrk when it is installed."""
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        fail("--generator wrk: wrk is not installed (apt-get install wrk)")
    return choice


def in_flight(generator: str, connections: int) -> int:
    """Requests a run may leave uncounted but completed (see ``stored_problem``)."""
    return connections if generator == "wrk" else 0


def drive(load: Load, *, seconds: float, connections: int, generator: str) -> Result:
    """Send ``load`` for ``seconds`` over ``connections`` connections."""
    run = run_wrk if generator == "wrk" else run_python
    return run(load, seconds=seconds, connections=connections)


def run_python(load: Load, *, seconds: float, connections: int) -> Result:
    """The load generator without wrk: one thread per connection, HTTP/1.1. Each
    thread waits for the answer to its last request, so every request sent is
    counted, as a success or a failure."""
    parts = urllib.parse.urlsplit(load.url)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    send = dict(load.headers)
    if load.body:
        send.setdefault("Content-Type", FORM_TYPE)
    body = load.body.encode() if load.body else None
    latencies: list[float] = []
    tally = {"responses": 0, "wrong": 0, "errors": 0}
    examples: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        responses = wrong = errors = 0
        example = ""
        # (http.client sends "Host: host:port" itself, as a browser does.)
        conn = http.client.HTTPConnection(
            parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS
        )
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request(load.method, path, body=body, headers=send)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                example = example or f"{type(exc).__name__}: {exc}"
                conn.close()  # the next request connects afresh
                continue
            mine.append(time.perf_counter() - started)
            responses += 1
            if response.status != load.expect:
                wrong += 1
                example = example or f"status {response.status}, not {load.expect}"
        conn.close()
        with lock:
            latencies.extend(mine)
            tally["responses"] += responses
            tally["wrong"] += wrong
            tally["errors"] += errors
            if example:
                examples.append(example)

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(
        load.name,
        responses=tally["responses"],
        seconds=time.monotonic() - began,
        p95_ms=percentile(latencies, 95) * 1000,
        wrong=tally["wrong"],
        errors=tally["errors"],
        example=examples[0] if examples else "",
    )


# wrk's Lua: each thread counts the answers with another status than expected
# (response()); done() adds them up with wrk's own socket errors and timeouts.
WRK_SCRIPT = """\
{setup}
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  wrong = 0
  example = 0
end
function response(status, headers, body)
  if status ~= {expect} then
    wrong = wrong + 1
    example = status
  end
end
function done(summary, latency, requests)
  local wrong, example = 0, 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("wrong")
    if thread:get("example") ~= 0 then example = thread:get("example") end
  end
  local e = summary.errors
  io.write(string.format(
    "JSON {{\\"responses\\": %d, \\"duration_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"wrong\\": %d, \\"example\\": %d, \\"connect\\": %d, \\"read\\": %d, "
    .. "\\"write\\": %d, \\"timeout\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(95.0), wrong, example,
    e.connect, e.read, e.write, e.timeout))
end
"""


def lua_string(value: str) -> str:
    """Quote ``value`` for Lua (an ASCII JSON string is a valid Lua literal)."""
    if not value.isascii():
        raise ValueError("wrk scripts here take ASCII only (percent-encode it)")
    return json.dumps(value)


def run_wrk(load: Load, *, seconds: float, connections: int) -> Result:
    """Send ``load`` with wrk (one thread), counting failures as ``run_python``."""
    setup = [f"wrk.method = {lua_string(load.method)}"]
    headers = dict(load.headers)
    if load.body:
        headers.setdefault("Content-Type", FORM_TYPE)
        setup.append(f"wrk.body = {lua_string(load.body)}")
    for key, value in headers.items():
        setup.append(f"wrk.headers[{lua_string(key)}] = {lua_string(value)}")
    script = WRK_SCRIPT.format(setup="\n".join(setup), expect=int(load.expect))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                f"{TIMEOUT_SECONDS}s",
                "--script",
                file.name,
                load.url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(file.name)
    match = re.search(r"^JSON (.*)$", out, re.M)
    if match is None:
        fail(f"{load.name}: wrk printed no summary:\n{out}")
    data = json.loads(match.group(1))
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    if data["wrong"]:
        example = f"status {data['example']}, not {load.expect}"
    elif errors:
        example = ", ".join(
            f"{data[k]} {k} errors"
            for k in ("connect", "read", "write", "timeout")
            if data[k]
        )
    else:
        example = ""
    return Result(
        load.name,
        responses=data["responses"],
        seconds=data["duration_us"] / 1e6,
        p95_ms=data["p95_us"] / 1e3,
        wrong=data["wrong"],
        errors=errors,
        example=example,
    )


def browser_headers(
    page_url: str, *, cookie: str = "", post: bool = False, proto: str = "https"
) -> dict[str, str]:
    """The headers a browser sends to ``page_url`` (Host comes from the URL).

    ``proto`` is what the TLS proxy in front of the server tells it
    (X-Forwarded-Proto; the server is reached over plain HTTP). A form POST also
    carries the CSRF cookie, and the Origin and Referer of the form's page, which
    Django's CSRF check compares with the Host.
    """
    headers = {"User-Agent": USER_AGENT}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    if cookie:
        headers["Cookie"] = cookie
    if post:
        parts = urllib.parse.urlsplit(page_url)
        origin = f"{proto or parts.scheme}://{parts.netloc}"
        headers["Origin"] = origin
        headers["Referer"] = origin + parts.path
    return headers


def form_session(page_url: str, *, proto: str = "https") -> tuple[str, str]:
    """GET a form page as a browser does; return its CSRF cookie (as sent back in
    a Cookie header) and the page's HTML."""
    parts = urllib.parse.urlsplit(page_url)
    conn = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS
    )
    try:
        conn.request("GET", parts.path, headers=browser_headers(page_url, proto=proto))
        response = conn.getresponse()
        html = response.read().decode()
    finally:
        conn.close()
    if response.status != 200:
        fail(f"GET {page_url}: status {response.status}, not 200")
    cookie = "; ".join(
        c.split(";", 1)[0]
        for c in response.headers.get_all("Set-Cookie") or []
        if c.startswith("csrftoken=")
    )
    if not cookie:
        fail(f"GET {page_url}: no CSRF cookie set")
    return cookie, html


def hidden_value(html: str, name: str) -> str:
    """Return the value of the form field ``name`` in ``html``."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    if match is None:
        fail(f"no field {name!r} on the form page")
    return match.group(1)


# --- pages through Django's test client --------------------------------------------


def run_in_test_database(run: Callable[..., None], *args: Any) -> None:
    """Set Django up with the test settings and call ``run`` inside a fresh test
    database (SQLite in memory, or ``DATABASE_URL``), removed afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        run(*args)
    finally:
        runner.teardown_databases(old)


def create_accounts(
    n: int, *, notice_linked: Callable[[int], bool] = lambda i: True
) -> tuple[list[Any], list[Any], list[Any]]:
    """Create ``n`` accounts over four platforms and twelve departments; return
    (accounts, departments, platforms)."""
    from accounts.models import Account, Department
    from core import clock
    from tests.accounts.factories import platform

    departments = [Department.objects.create(name=f"Department {i}") for i in range(12)]
    platforms = [platform(s) for s in ("facebook", "instagram", "x", "youtube")]
    now = clock.now()
    accounts = Account.objects.bulk_create(
        Account(
            platform=platforms[i % 4],
            handle=f"cityaccount{i}",
            display_name=f"City account {i}",
            url=f"https://www.{platforms[i % 4].host_list()[0]}/cityaccount{i}",
            slug=f"account-{i}",
            department=departments[i % 12],
            marked_as_city_at=now,
            website_linked_at=now,
            notice_linked_at=now if notice_linked(i) else None,
        )
        for i in range(n)
    )
    check([expect_rows("accounts", stored=Account.objects.count(), expected=n)])
    return accounts, departments, platforms


def staff_client(user: Any) -> Any:
    """Return a test client signed in as ``user`` with a verified second factor."""
    from django.test import Client

    from tests.conftest import verify_second_factor

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, user)
    return client


def get_ok(client: Any, url: str) -> Any:
    """GET ``url`` with the test client; ``fail`` unless the answer is a 200."""
    response = client.get(url)
    if response.status_code != 200:
        fail(f"GET {url}: status {response.status_code}, not 200")
    return response


def median_p95_ms(seconds: list[float]) -> tuple[float, float]:
    """Return the median and the 95th percentile of ``seconds``, in milliseconds."""
    return statistics.median(seconds) * 1000, percentile(seconds, 95) * 1000


def measure_pages(
    client: Any, pages: dict[str, str], *, runs: int = RUNS
) -> tuple[float, int]:
    """GET each page ``runs`` times after a warm-up; print its queries, median and
    p95; return the slowest p95 (ms) and the most queries on one page. Any answer
    but a 200 stops the benchmark (``fail``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worst_p95, most_queries = 0.0, 0
    width = max(len(label) for label in pages) + 2
    for label, url in pages.items():
        get_ok(client, url)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            get_ok(client, url)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            get_ok(client, url)
            times.append(time.perf_counter() - start)
        median, p95 = median_p95_ms(times)
        worst_p95, most_queries = max(worst_p95, p95), max(most_queries, queries)
        print(
            f"  {label:<{width}} {queries:>3} queries  "
            f"median {median:6.1f} ms  p95 {p95:6.1f} ms"
        )
    return worst_p95, most_queries


def setup_postgres(database_url: str, *, script: str, production: bool = False) -> None:
    """Set Django up against ``database_url`` (PostgreSQL only) for a data benchmark.

    ``production`` runs with the production settings (``DEBUG`` off), as the
    Celery worker does in production (no query log kept in memory).
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "config.settings.production" if production else "config.settings.local",
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if production:
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
        os.environ.setdefault("AUDIT_HMAC_KEY", "bench-only-not-secret-" + "0" * 32)
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            f"bench/{script} needs PostgreSQL (--database-url postgres://...)"
        )


# --- a gunicorn of the project -----------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SERVER_HOST = "127.0.0.1"


def ensure_database(env: dict[str, str]) -> None:
    """Create the PostgreSQL database ``env["DATABASE_URL"]`` names, if missing
    (its host, port, user and password; a server that cannot be listed stops the
    benchmark before anything is measured)."""
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = urllib.parse.unquote(url.path.lstrip("/"))
    options = [
        "-h",
        url.hostname or SERVER_HOST,
        "-p",
        str(url.port or 5432),
        "-U",
        urllib.parse.unquote(url.username or "postgres"),
    ]
    client_env = {**os.environ}
    if url.password:
        client_env["PGPASSWORD"] = urllib.parse.unquote(url.password)
    listing = subprocess.run(
        ["psql", *options, "-lqt"],
        capture_output=True,
        text=True,
        check=False,
        env=client_env,
    )
    if listing.returncode != 0:
        fail(f"cannot list the databases of {url.hostname}: {listing.stderr.strip()}")
    if not re.search(rf"^\s*{re.escape(name)}\s*\|", listing.stdout, re.M):
        subprocess.run(["createdb", *options, name], check=True, env=client_env)


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``args`` in the benchmark's environment; its output."""
    return subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def shell(env: dict[str, str], code: str) -> str:
    """Run ``code`` in ``manage.py shell``; return its last line of output."""
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def ensure_port_free(port: int) -> None:
    """Refuse to start when something already listens on ``port`` (another
    benchmark's gunicorn would be measured instead of ours)."""
    with socket.socket() as probe:
        # As gunicorn binds: connections of an earlier run left in TIME_WAIT
        # do not count, a listening server does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((SERVER_HOST, port))
        except OSError:
            fail(f"port {port} is in use: choose another with --port")


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    """Start the app under gunicorn (2 workers) on ``port``, refusing a port some
    other server already answers on (it would be measured instead)."""
    ensure_port_free(port)
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"{SERVER_HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_until_up(
    port: int, proc: subprocess.Popen, *, path: str, timeout: float = 60
) -> None:
    """Wait until the server on ``port`` answers ``path`` with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("gunicorn exited; run it by hand to see why")
        try:
            conn = http.client.HTTPConnection(SERVER_HOST, port, timeout=2)
            conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    fail("gunicorn did not answer in time")
