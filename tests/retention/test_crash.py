"""Issue #14, item 1 (R3, R4): a purge killed with SIGKILL at any point of a batch
with files leaves every record either whole with its files, or destroyed and logged
with its files deleted (at once, or by the next run).

Each test runs ``manage.py purge`` in a real process against a database file
(SQLite) or a scratch PostgreSQL database, on a real media folder, and has it kill
itself at one crash point (``core.faults``). Another process then inspects what
is left, places a legal hold on both series, runs the purge again and inspects it
again (``crash_scenario.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]

# (crash point, how many records of (decisions, appeals) were destroyed when killed)
POINTS = [
    # Before COMMIT of the second batch of removal decisions.
    ("purge.batch_destroyed:2", (2, 0)),
    # Before COMMIT of the first batch of appeals (their letters).
    ("purge.batch_destroyed:3", (4, 0)),
    # After COMMIT of the second batch of decisions, before any file is deleted.
    ("files.before_delete:2", (4, 0)),
    # After COMMIT of the first batch of appeals, before its letters are deleted.
    ("files.before_delete:3", (4, 2)),
    # Halfway through deleting the first batch's evidence files.
    ("files.deleted_one:2", (2, 0)),
    # After the first batch and its files, before the next batch.
    ("purge.batch_done:1", (2, 0)),
    # Every batch done, before the run's destruction records are written.
    ("purge.before_log", (4, 3)),
]


def _env(database_url: str, tmp_path: Path, crash_at: str = "") -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "PG")) and k != "REDIS_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.crash_settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="WARNING",
        CRASH_AT=crash_at,
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: Any) -> Path:
    """A migrated SQLite database file, copied by each test."""
    folder = tmp_path_factory.mktemp("crash-template")
    path = folder / "template.sqlite3"
    result = _run(
        ["manage.py", "migrate", "--noinput", "-v0"],
        _env(f"sqlite:///{path}", folder),
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _server() -> str:
    params = connection.get_connection_params()
    return (
        f"postgres://{params.get('user') or 'postgres'}:"
        f"{params.get('password') or ''}@{params.get('host') or '127.0.0.1'}:"
        f"{params.get('port') or 5432}"
    )


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def postgres_template(tmp_path_factory: Any) -> Iterator[str]:
    """A migrated scratch PostgreSQL database, copied by each test."""
    if connection.vendor != "postgresql":
        service_missing("the suite is not running on PostgreSQL (set DATABASE_URL)")
    name = f"citysocial_crash_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        result = _run(
            ["manage.py", "migrate", "--noinput", "-v0"],
            _env(f"{_server()}/{name}", tmp_path_factory.mktemp("crash-template")),
        )
        assert result.returncode == 0, result.stderr
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database(postgres_template: str) -> Iterator[str]:
    name = f"{postgres_template}_run"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    try:
        yield f"{_server()}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _crash_and_recover(
    database_url: str, tmp_path: Path, point: str, destroyed: tuple[int, int]
) -> None:
    files = tmp_path / "files.json"
    killed = _run(
        ["-m", "tests.retention.crash_scenario", "purge", str(files)],
        _env(database_url, tmp_path, crash_at=point),
    )
    assert killed.returncode == -signal.SIGKILL, (
        f"the purge was not killed at {point}: {killed.returncode}\n{killed.stderr}"
    )
    result = _run(
        ["-m", "tests.retention.crash_scenario", "recover", str(files)],
        _env(database_url, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    after_kill, after = report["after_kill"], report["after_recovery"]

    gone = dict.fromkeys(("decisions", "appeals"), 0)
    for label, record in after_kill["records"].items():
        if not record["destroyed"]:
            # Whole: its row names its files, every one there as it was stored.
            assert record["names"] == record["originals"], label
            assert record["stored"] == dict.fromkeys(record["originals"], True), label
            assert not record["ledger"] and not record["pending"], label
            continue
        gone[label.split()[0]] += 1
        # Destroyed: in the run's ledger (the destruction record follows from it),
        # its row names no file, and each file is deleted or waits to be.
        assert record["ledger"], label
        assert record["names"] == [], label
        for name in record["originals"]:
            assert name not in record["stored"] or name in record["pending"], label
            assert record["stored"].get(name, True), label  # never half-written
    assert (gone["decisions"], gone["appeals"]) == destroyed

    # The next run (a legal hold now covers both series) finishes the files of
    # what was destroyed, logs it, and keeps what was whole whole (R3, R4).
    assert report["outcome"]["status"] == "finished", report["outcome"]
    assert after["pending"] == 0
    assert "running" not in after["runs"]
    for label, record in after["records"].items():
        before = after_kill["records"][label]
        if before["destroyed"]:
            assert record["destroyed"] and record["logged"], label
            assert record["stored"] == {}, label
        else:
            assert record == before, label


@pytest.mark.parametrize("point,destroyed", POINTS)
def test_a_purge_killed_on_sqlite_loses_no_file_of_a_kept_record(
    sqlite_database: str, tmp_path: Path, point: str, destroyed: tuple[int, int]
) -> None:
    _crash_and_recover(sqlite_database, tmp_path, point, destroyed)


@pytest.mark.services
@pytest.mark.parametrize("point,destroyed", POINTS)
def test_a_purge_killed_on_postgres_loses_no_file_of_a_kept_record(
    postgres_database: str, tmp_path: Path, point: str, destroyed: tuple[int, int]
) -> None:
    _crash_and_recover(postgres_database, tmp_path, point, destroyed)
