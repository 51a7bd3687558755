"""Scratch databases for the tests that run the project in other processes (the
crash tests, backups): a migrated SQLite file or PostgreSQL database of their own,
never the test database, and the environment those processes run with.

The fixtures (``scratch_database``, parametrized ``"sqlite"``/``"postgres"`` with
``indirect=True``) are in ``tests/conftest.py``; each copies a template migrated
once per test process.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_numbers = itertools.count()


def server_url() -> str:
    """``postgres://user:password@host:port`` of the test database's server."""
    from django.db import connection

    params = connection.get_connection_params()
    return (
        f"postgres://{params.get('user') or 'postgres'}:"
        f"{params.get('password') or ''}@{params.get('host') or '127.0.0.1'}:"
        f"{params.get('port') or 5432}"
    )


def admin(sql: str, params: list[object] | None = None) -> list[tuple]:
    """Run ``sql`` on the server's maintenance database; return its rows."""
    import psycopg

    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def drop_databases(prefix: str) -> None:
    """Drop every database whose name starts with ``prefix``."""
    for (name,) in admin(
        "SELECT datname FROM pg_database WHERE left(datname, %s) = %s",
        [len(prefix), prefix],
    ):
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unique_name(kind: str) -> str:
    return f"citysocial_{kind}_{os.getpid()}_{next(_numbers)}"


def env(
    database_url: str,
    folder: Path,
    *,
    settings_module: str = "config.settings.local",
    **extra: str,
) -> dict[str, str]:
    """The environment of a project process on ``database_url``, with its own
    uploads and var folders under ``folder`` and no Redis."""
    result = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "PG")) and k != "REDIS_URL"
    }
    result.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(folder / "media"),
        VAR_DIR=str(folder / "var"),
        LOG_LEVEL="WARNING",
        **extra,
    )
    return result


def run(
    args: list[str], environment: dict[str, str], *, timeout: int = 300
) -> subprocess.CompletedProcess:
    """Run ``python args...`` in the project folder; return what it did."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def migrate(database_url: str, folder: Path) -> None:
    command = ["manage.py", "migrate", "--noinput", "-v0"]
    result = run(command, env(database_url, folder))
    assert result.returncode == 0, result.stderr


def run_make(
    args: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess:
    """Run a ``make`` target in the project folder, as a person would."""
    return subprocess.run(
        args,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def start(args: list[str], environment: dict[str, str]) -> subprocess.Popen:
    """Start ``python args...`` in the project folder in the background."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
