"""The benchmarks are honest: a failed request, or rows stored that do
not match the requests that succeeded, stop a benchmark with a non-zero exit and
no ratio line; both load generators count failures the same way, and the Python
one sends what a browser sends, so Django's CSRF check lets its forms through."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench import harness, public_form
from bench.harness import Load, Result

GENERATORS = [
    "python",
    pytest.param(
        "wrk",
        marks=pytest.mark.skipif(shutil.which("wrk") is None, reason="no wrk"),
    ),
]


class FakeServer(ThreadingHTTPServer):
    """Answers 200 on /ok. On /flaky, every third request gets a 500 and every
    fifth is dropped without an answer; it counts the 200s it sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen = 0
        self.answered_ok = 0
        self.headers_seen: list[dict[str, str]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # wrk hangs up at its deadline, in the middle of answers

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()

    def answer(self) -> None:
        with self.server.lock:
            self.server.seen += 1
            n = self.server.seen
            self.server.headers_seen.append(dict(self.headers.items()))
        if self.path == "/flaky" and n % 5 == 0:
            self.close_connection = True  # no answer at all
            return
        status = 500 if self.path == "/flaky" and n % 3 == 0 else 200
        if status == 200:
            with self.server.lock:
                self.server.answered_ok += 1
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()
    fake.server_close()


def drive(load: Load, generator: str, connections: int = 2) -> Result:
    # (wrk counts whole seconds.)
    seconds = 1 if generator == "wrk" else 0.3
    return harness.drive(
        load, seconds=seconds, connections=connections, generator=generator
    )


@pytest.mark.parametrize("generator", GENERATORS)
def test_both_load_generators_count_wrong_statuses_and_dropped_requests(
    server, generator
):
    result = drive(Load("flaky", server.base + "/flaky"), generator)

    assert result.wrong > 0  # the 500s
    assert result.errors > 0  # the requests dropped without an answer
    assert result.failed == result.wrong + result.errors
    # Only the 200s count as successes (wrk may stop before reading the last
    # answers under way, one per connection).
    slack = harness.in_flight(generator, 2)
    assert result.succeeded <= server.answered_ok <= result.succeeded + slack
    (problem,) = harness.run_problems([result])
    assert problem.startswith(f"flaky: {result.failed} of ")


@pytest.mark.parametrize("generator", GENERATORS)
def test_a_post_that_is_answered_200_fails_when_a_redirect_is_expected(
    server, generator
):
    """A form sent back with errors is a 200: a valid form POST expects its 302."""
    post = Load("form POST", server.base + "/ok", "POST", body="a=1", expect=302)

    result = drive(post, generator)

    assert result.succeeded == 0
    assert result.wrong == result.responses > 0
    assert "status 200, not 302" in result.example


def five_runs(server: FakeServer, *, form_post: str = "/ok") -> dict[str, list[Any]]:
    """One run of each of public_form's five requests against the fake server."""
    paths = dict.fromkeys(public_form.ROW_COUNTS, "/ok")
    paths.update({"bare GET": "/ok", "form GET": "/ok", "form POST": form_post})
    return {
        name: [drive(Load(name, server.base + path), "python")]
        for name, path in paths.items()
    }


def test_a_benchmark_with_a_failed_request_exits_non_zero_with_no_ratio_line(
    server, capsys
):
    results = five_runs(server, form_post="/flaky")
    problems = harness.run_problems(r for runs in results.values() for r in runs)

    with pytest.raises(SystemExit) as stopped:
        public_form.report(results, list(problems))

    assert stopped.value.code not in (None, 0)
    assert "form POST:" in str(stopped.value.code)
    out = capsys.readouterr().out
    assert "x of" not in out
    assert "public_form:" not in out
    assert "targets:" not in out


def test_rows_stored_that_do_not_match_the_successes_stop_the_benchmark(server, capsys):
    """The issue's case: every POST answered, nothing stored."""
    results = five_runs(server)
    succeeded = results["form POST"][0].succeeded
    problems = [
        *harness.run_problems(r for runs in results.values() for r in runs),
        harness.stored_problem("form POST", stored=0, succeeded=succeeded),
    ]

    with pytest.raises(SystemExit) as stopped:
        public_form.report(results, problems)

    assert stopped.value.code not in (None, 0)
    assert f"form POST: 0 rows stored for {succeeded} successful requests" in str(
        stopped.value.code
    )
    assert "public_form:" not in capsys.readouterr().out


def test_rows_must_match_exactly_save_the_answers_wrk_left_in_flight():
    assert harness.stored_problem("p", stored=10, succeeded=10) is None
    assert harness.stored_problem("p", stored=11, succeeded=10) is not None
    assert harness.stored_problem("p", stored=9, succeeded=10) is not None
    assert harness.stored_problem("p", stored=18, succeeded=10, in_flight=8) is None
    assert harness.stored_problem("p", stored=19, succeeded=10, in_flight=8)
    assert harness.stored_problem("p", stored=9, succeeded=10, in_flight=8)


def test_an_honest_run_prints_its_ratios_and_the_last_line(server, capsys):
    results = five_runs(server)

    public_form.report(results, [None, None])

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("public_form: get ")
    assert last.endswith("x of floor")


@pytest.mark.parametrize("generator", GENERATORS)
def test_both_load_generators_send_a_browsers_host_origin_and_referer(
    server, generator
):
    page = server.base + "/form/"
    headers = harness.browser_headers(page, cookie="csrftoken=abc", post=True)

    drive(Load("post", server.base + "/ok", "POST", headers, "a=1"), generator, 1)

    sent = server.headers_seen[0]
    host = server.base.removeprefix("http://")
    assert sent["Host"] == host  # with the port, as a browser sends it
    assert sent["Origin"] == f"https://{host}"
    assert sent["Referer"] == f"https://{host}/form/"
    assert sent["Cookie"] == "csrftoken=abc"
    assert sent["X-Forwarded-Proto"] == "https"
    assert sent["Content-Type"] == "application/x-www-form-urlencoded"


def test_the_python_generator_files_appeals_through_the_real_form(
    live_server, settings, city_profile
):
    """Through Django's CSRF check, the rate limit, the fill-time check and the
    filing service: every POST is a filing, and each filing is stored."""
    from appeals.models import Appeal
    from tests.accounts.factories import CompliantAccountFactory

    # As behind the TLS proxy of production (the benchmark's gunicorn is too).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.APPEALS_SUBMIT_RATE = "100000/m"
    settings.APPEALS_MIN_FILL_SECONDS = 0
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    account = CompliantAccountFactory()
    cookie, body = public_form.form_post(live_server.url, str(account.pk), 0)
    (post,) = [
        load
        for load in public_form.loads(live_server.url, cookie, body)
        if load.name == "form POST"
    ]

    # One connection: the live server shares one SQLite connection between
    # its threads.
    result = drive(post, "python", connections=1)

    assert harness.run_problems([result]) == []
    assert result.succeeded > 0
    assert Appeal.objects.count() == result.succeeded


@pytest.mark.skipif(shutil.which("psql") is None, reason="no psql client")
def test_a_database_server_that_cannot_be_listed_stops_the_benchmark(capsys):
    """The database step fails loudly (exit, no figures) rather than going on to
    measure against a database it did not make; the URL's port is the one used."""
    with pytest.raises(SystemExit) as stopped:
        harness.ensure_database(
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/bench_nowhere"}
        )
    assert "FAILED (no figures reported)" in str(stopped.value)
    assert "cannot list the databases of 127.0.0.1" in str(stopped.value)
    assert "port 1" in str(stopped.value)  # psql's own words name the port tried
