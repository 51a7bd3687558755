"""Fixtures shared by the whole suite.

Staff page tests sign in with ``login_as(user)``, the one place that knows what a
complete staff sign-in is (password and, where required, a verified second factor).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from core import roles
from tests.browser import (  # noqa: F401 (fixtures of the browser tests)
    axe,
    browser,
    browser_context_args,
    browser_type_launch_args,
    is_browser_test,
    shots,
    signed_in,
    staff_cookie,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip a test whose service is not configured, or fail when CI requires it."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL:
        service_missing("REDIS_URL is not set")
    return settings.REDIS_URL


@pytest.fixture
def postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("the suite is not running on PostgreSQL (set DATABASE_URL)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: Any) -> Any:
    """A migrated SQLite database file, copied by ``scratch_database``."""
    from tests import scratch

    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    scratch.migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: Any) -> Iterator[str]:
    """A migrated scratch PostgreSQL database, copied by ``scratch_database``."""
    from django.db import connection

    from tests import scratch

    if connection.vendor != "postgresql":
        service_missing("the suite is not running on PostgreSQL (set DATABASE_URL)")
    name = scratch.unique_name("template")
    scratch.drop_databases(name)
    scratch.admin(f'CREATE DATABASE "{name}"')
    try:
        scratch.migrate(
            f"{scratch.server_url()}/{name}", tmp_path_factory.mktemp("pg-template")
        )
        yield name
    finally:
        scratch.drop_databases(name)


@pytest.fixture
def scratch_database(request: Any, tmp_path: Any) -> Iterator[str]:
    """The URL of a migrated database of this test's own, for the project's
    processes: ``"sqlite"`` (a file) or ``"postgres"`` (a database on the test
    database's server, dropped afterwards with any its restores set aside)."""
    import shutil

    from tests import scratch

    if request.param == "sqlite":
        path = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = scratch.unique_name("scratch")
    scratch.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{scratch.server_url()}/{name}"
    finally:
        scratch.drop_databases(name)


def verify_second_factor(client: Client, user: Any) -> Any:
    """Mark ``client``'s session as verified with ``user``'s TOTP device.

    What ``django_otp.login`` does after a correct code: the session remembers the
    device, and ``OTPMiddleware`` makes ``request.user.is_verified()`` true.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def login_as(client: Client) -> Callable[[Any], Client]:
    """Return a function that signs ``user`` in on the test client as staff would:
    password and a verified second factor (a confirmed TOTP device).
    """

    def _login(user: Any) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        verify_second_factor(client, user)
        return client

    return _login


@pytest.fixture
def make_staff(db: None) -> Callable[..., Any]:
    """Return a factory of staff users holding the given role."""
    from tests.accounts.factories import UserFactory

    def _make(role: str | None = None, **kwargs: Any) -> Any:
        return UserFactory(roles=[role] if role else [], **kwargs)

    return _make


@pytest.fixture
def city_admin(make_staff: Callable[..., Any]) -> Any:
    return make_staff(roles.CITY_ADMINISTRATOR)


@pytest.fixture
def manager(make_staff: Callable[..., Any]) -> Any:
    return make_staff(roles.SOCIAL_MEDIA_MANAGER)


@pytest.fixture
def records_officer(make_staff: Callable[..., Any]) -> Any:
    return make_staff(roles.RECORDS_OFFICER)


@pytest.fixture
def attorney(make_staff: Callable[..., Any]) -> Any:
    return make_staff(roles.CITY_ATTORNEY)


@pytest.fixture
def dashboard_queries() -> Callable[[Client], tuple[int, str]]:
    """Return a function that renders the staff dashboard on a signed-in client
    and returns the number of queries it ran and the page. A panel that lists
    records must cost the same with one record as with many (no N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def _render(client: Client) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("core:dashboard"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    return _render


@pytest.fixture
def city_profile(db: None) -> Any:
    from tests.accounts.factories import CityProfileFactory

    return CityProfileFactory()


def drop_cached_backend(app: Any) -> None:
    """Forget the result backend Celery cached (in ``_backend_cache``, or per
    thread in ``_local``): an eager task run by an earlier test may have cached the
    disabled one, and the worker fixture configures another."""
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_worker_app() -> Iterator[Any]:
    """Start a real Celery worker thread (not eager mode) on the configured broker.

    With ``CELERY_BROKER_URL=redis://...`` (CI) tasks travel through Redis; otherwise
    through the in-memory transport. Each xdist worker uses its own queue so parallel
    test processes never take each other's tasks. Use with
    ``@pytest.mark.django_db(transaction=True)``: the worker thread has its own
    database connection.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    broker = settings.CELERY_BROKER_URL
    if REQUIRE_SERVICES and not broker.startswith("redis://"):
        pytest.fail("CELERY_BROKER_URL must point at Redis when REQUIRE_SERVICES=1")
    if not broker.startswith("redis://"):
        broker = "memory://"
    backend = settings.CELERY_RESULT_BACKEND or "cache+memory://"
    queue = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    saved = {
        key: app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "task_default_queue",
            "broker_transport_options",
        )
    }
    app.conf.update(
        broker_url=broker,
        result_backend=backend,
        task_always_eager=False,
        task_default_queue=queue,
        broker_transport_options={},
    )
    # Connections and backends are cached on the app: drop them so the new
    # configuration is used. (_pool is private to Celery: not in its stubs.)
    app._pool = None  # type: ignore[attr-defined]
    drop_cached_backend(app)
    app.__dict__.pop("backend", None)
    app.__dict__.pop("amqp", None)
    try:
        with start_worker(
            app,
            pool="solo",
            queues=[queue],
            perform_ping_check=False,
            shutdown_timeout=30,
        ):
            yield app
    finally:
        app.conf.update(saved)
        app._pool = None  # type: ignore[attr-defined]
        drop_cached_backend(app)
        app.__dict__.pop("backend", None)
        app.__dict__.pop("amqp", None)


@pytest.fixture
def broker_down() -> Iterator[Callable[[], None]]:
    """Make the Celery broker unreachable, as when Redis is down: eager mode off,
    and a broker address nothing listens on, so sending any task fails at once.
    Yields a function that brings the broker back (as it is at the end)."""
    from config.celery import app

    keys = (
        "broker_url",
        "task_always_eager",
        "broker_transport_options",
        "task_publish_retry",
    )
    saved = {key: app.conf[key] for key in keys}

    def reset() -> None:
        app._pool = None  # type: ignore[attr-defined]
        app.__dict__.pop("amqp", None)

    def back() -> None:
        app.conf.update(saved)
        reset()

    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        broker_transport_options={},
        task_publish_retry=False,
    )
    reset()
    try:
        yield back
    finally:
        back()


@pytest.fixture(autouse=True)
def _audit_anchor_file(settings: Any, tmp_path: Any) -> None:
    """Each test writes its audit anchors (core.audit_anchor) in its own folder."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(scope="session", autouse=True)
def _flush_append_only_tables() -> Iterator[None]:
    """Let the test run empty the append-only tables after a transactional test.

    Django empties every table then with TRUNCATE on PostgreSQL, which the
    append-only tables refuse (core.immutable): only this flush, in the test run,
    ignores their TRUNCATE triggers (pgtrigger.ignore). The product has no such way.
    """
    import pgtrigger
    from django.apps import apps
    from django.db.backends.postgresql.operations import DatabaseOperations

    from core import immutable

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        uris = [
            f"{model._meta.label}:{immutable.TRUNCATE}"
            for model in apps.get_models()
            if isinstance(getattr(model, "append_only", None), immutable.AppendOnly)
        ]
        with pgtrigger.ignore(*uris, databases=[self.connection.alias]):
            flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def _release_the_test_database(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[None]:
    """Let the test database be dropped at the end on PostgreSQL.

    Django keeps a connection per context, not per thread: a connection opened
    in another context of the main thread (seen as an idle session, last query
    ROLLBACK) outlives the one this context closes, and PostgreSQL refuses to drop
    a database in use ("being accessed by other users", a warning and a left-over
    database). Whatever is still connected when the suite ends is let go first.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if is_browser_test(item):
            item.add_marker(pytest.mark.browser)
