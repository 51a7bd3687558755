"""Back up and restore the database and uploaded files (make backup, make restore).

A backup is one folder:

    db.dump          PostgreSQL custom-format dump (pg_dump), or
    db.sqlite3       a consistent copy of the embedded SQLite database
    media.tar.gz     every uploaded file under MEDIA_ROOT
    manifest.json    when, which engine, row counts per table, file checksums

The manifest describes exactly what the dump holds, even while the application
writes: on PostgreSQL the rows are counted in the REPEATABLE READ transaction whose
snapshot ``pg_dump --snapshot`` dumps; on SQLite they are counted in the copy.
Stored files are not deleted from before that snapshot until they are copied
(``core.files.files_frozen``), so every file a copied row points at is in the
backup; ``missing_files`` lists any that were already gone.

``restore`` never touches the current data until the backup has proved good: it
loads the dump into a new database and the files into a new folder, checks the
row counts, the files and the audit trail (``verify_audit``) there, and only then
swaps them in. The database and files it replaced are kept beside them
(``<name>_pre_restore_<time>``, ``media.before-restore-<time>``), never deleted.
If a check fails, the new copies are removed and nothing else has changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump, pg_restore and manage.py, no shell
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.template.defaultfilters import pluralize

from core import audit_anchor, clock
from core.files import files_frozen

MANIFEST = "manifest.json"
# PostgreSQL's limit on a database name, in bytes.
PG_NAME_MAX = 63


class BackupError(Exception):
    """A backup or restore could not be completed; the message says why."""


@dataclass(frozen=True)
class Result:
    folder: Path
    rows: dict[str, int]
    files: int
    # Files rows pointed at that were already gone when the backup was taken.
    missing_files: list[str] = field(default_factory=list)
    # Restore: where the replaced database and uploads were kept.
    previous_database: str = ""
    previous_media: Path | None = None


def _db() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _is_postgres() -> bool:
    return "postgresql" in _db()["ENGINE"]


def _pg_env(database: str | None = None) -> dict[str, str]:
    db = _db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "localhost"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": database or str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str], *, database: str | None = None) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            f"{args[0]} is not installed (apt-get install postgresql-client)."
        )
    result = subprocess.run(  # noqa: S603  # nosec B603 - fixed program, no shell
        [tool, *args[1:]],
        env=_pg_env(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]


def _census(cursor: Any) -> tuple[dict[str, int], set[str]]:
    """Return the row count of every table the project's models use, and the
    stored files their rows point at, through a DB-API ``cursor``."""
    rows: dict[str, int] = {}
    referenced: set[str] = set()
    for model in _models():
        table = model._meta.db_table
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608  # nosec B608
        rows[table] = int(cursor.fetchone()[0])
        for column in (
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, models.FileField)
        ):
            cursor.execute(
                f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\''  # noqa: S608  # nosec B608
            )
            referenced.update(str(name) for (name,) in cursor.fetchall())
    return dict(sorted(rows.items())), referenced


def row_counts() -> dict[str, int]:
    """Return the number of rows of every table the project's models use."""
    with connection.cursor() as cursor:
        return _census(cursor)[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path) -> dict[str, str]:
    """Return ``{relative path: sha256}`` of every file under ``root``."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- Backup --------------------------------------------------------------------


def _dump_postgres(target: Path) -> tuple[dict[str, int], set[str]]:
    """Dump the database to ``target``; count its rows in the dump's snapshot."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # The transaction stays open while pg_dump reads the same snapshot.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
            ]
        )
        return _census(cursor)


def _copy_sqlite(target: Path) -> tuple[dict[str, int], set[str]]:
    """Copy the database to ``target`` (SQLite's online backup: one consistent
    state) and count the rows of the copy."""
    source = sqlite3.connect(str(_db()["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        with copy:
            source.backup(copy)
        return _census(copy.cursor())
    finally:
        source.close()
        copy.close()


def backup(*, folder: Path | None = None) -> Result:
    """Write a backup of the database and uploaded files to ``folder``."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(folder or Path(settings.VAR_DIR) / "backups" / stamp)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; choose a new folder.")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # residents' personal data: not for other local users
    media_root = Path(settings.MEDIA_ROOT)
    # The audit chain's head, written outside the database (core.audit_anchor):
    # the backup holds it, so verify_audit on a restored copy can check against it.
    audit_anchor.audit_anchor_write(reason="backup")
    # From before the snapshot until the files are copied, no stored file is
    # deleted (core.files): the copy of every row finds its files.
    with files_frozen():
        if _is_postgres():
            db_file = folder / "db.dump"
            rows, referenced = _dump_postgres(db_file)
        else:
            db_file = folder / "db.sqlite3"
            rows, referenced = _copy_sqlite(db_file)
        files = media_checksums(media_root)
        with tarfile.open(folder / "media.tar.gz", "w:gz") as tar:
            for name in files:
                tar.add(media_root / name, arcname=name)
    missing = sorted(referenced - set(files))
    manifest = {
        "created_at": clock.now().isoformat(),
        "engine": "postgresql" if _is_postgres() else "sqlite",
        "database_file": db_file.name,
        "database_sha256": _sha256(db_file),
        "rows": rows,
        "media": files,
        "missing_files": missing,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for path in folder.iterdir():
        path.chmod(0o600)
    return Result(folder=folder, rows=rows, files=len(files), missing_files=missing)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    db_file = Path(folder) / manifest["database_file"]
    if not db_file.exists() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError(f"{db_file} is missing or damaged (checksum differs).")
    return manifest


# --- Restore -------------------------------------------------------------------


def _unpack_media(folder: Path, manifest: dict[str, Any], staging: Path) -> None:
    """Unpack the backup's files into ``staging`` and check them."""
    staging.mkdir(parents=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as tar:
        # The "data" filter refuses absolute paths, "..", links out and devices.
        tar.extractall(staging, filter="data")
    if media_checksums(staging) != manifest["media"]:
        raise BackupError("The backup's files differ from its checksums.")


def _check_census(
    rows: dict[str, int], referenced: set[str], manifest: dict[str, Any]
) -> None:
    wrong = {
        table: (count, rows.get(table))
        for table, count in manifest["rows"].items()
        if rows.get(table) != count
    }
    if wrong:
        raise BackupError(
            f"Row counts differ from the backup's manifest (expected, loaded): {wrong}"
        )
    unfound = (
        referenced - set(manifest["media"]) - set(manifest.get("missing_files", []))
    )
    if unfound:
        raise BackupError(
            f"{len(unfound)} file{pluralize(len(unfound))} the restored rows point "
            "at are not in the "
            f"backup, e.g. {sorted(unfound)[0]}"
        )


def _verify_audit(database_url: str) -> None:
    """Run ``manage.py verify_audit`` against the restored copy."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(  # noqa: S603  # nosec B603 - this project's manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_audit"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            "The restored audit trail does not verify: "
            f"{(result.stderr or result.stdout).strip()[-2000:]}"
        )


def _pg_url(database: str) -> str:
    db = _db()
    credentials = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(str(db["PASSWORD"]), safe="")
    host = str(db.get("HOST") or "localhost")
    return (
        f"postgres://{credentials}@{host}:{db.get('PORT') or 5432}/"
        f"{quote(database, safe='')}"
    )


@contextmanager
def _pg_admin() -> Iterator[Any]:
    """A connection (autocommit) to the server's maintenance database, from which
    databases are created, renamed and dropped."""
    import psycopg

    db = _db()
    last: Exception | None = None
    for name in ("postgres", "template1"):
        try:
            conn = psycopg.connect(
                host=db.get("HOST") or "localhost",
                port=db.get("PORT") or 5432,
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                dbname=name,
                autocommit=True,
            )
        except psycopg.Error as exc:
            last = exc
            continue
        with conn:
            yield conn
        return
    raise BackupError(f"Cannot connect to the server's maintenance database: {last}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_names(stamp: str) -> tuple[str, str, str]:
    name = str(_db()["NAME"])
    new = f"{name[: PG_NAME_MAX - len('_restoring_') - len(stamp)]}_restoring_{stamp}"
    aside = (
        f"{name[: PG_NAME_MAX - len('_pre_restore_') - len(stamp)]}_pre_restore_{stamp}"
    )
    return name, new, aside


def _restore_postgres(folder: Path, manifest: dict[str, Any], stamp: str) -> str:
    """Load and check the backup in a new database, then swap it in; return the
    name the replaced database is kept under."""
    import psycopg

    name, new, aside = _pg_names(stamp)
    with _pg_admin() as admin:
        try:
            admin.execute(f"CREATE DATABASE {_ident(new)}")
        except psycopg.Error as exc:
            raise BackupError(
                f"Cannot create the database to restore into ({exc}); the role "
                "needs CREATEDB. Nothing was changed."
            ) from exc
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                new,
                str(folder / "db.dump"),
            ],
            database=new,
        )
        db = _db()
        with (
            psycopg.connect(
                host=db.get("HOST") or "localhost",
                port=db.get("PORT") or 5432,
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                dbname=new,
            ) as restored,
            restored.cursor() as cursor,
        ):
            rows, referenced = _census(cursor)
        _check_census(rows, referenced, manifest)
        _verify_audit(_pg_url(new))
    except BaseException:
        with _pg_admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {_ident(new)} WITH (FORCE)")
        raise
    connections.close_all()
    with _pg_admin() as admin:
        # Nobody may connect to the old database while it is renamed; sessions
        # still open on it (web, worker) are ended and reconnect to the new one.
        admin.execute(f"ALTER DATABASE {_ident(name)} WITH ALLOW_CONNECTIONS false")
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            admin.execute(f"ALTER DATABASE {_ident(name)} RENAME TO {_ident(aside)}")
        except psycopg.Error as exc:
            admin.execute(f"ALTER DATABASE {_ident(name)} WITH ALLOW_CONNECTIONS true")
            admin.execute(f"DROP DATABASE IF EXISTS {_ident(new)} WITH (FORCE)")
            raise BackupError(
                f"Cannot set {name} aside ({exc}); nothing was changed."
            ) from exc
        admin.execute(f"ALTER DATABASE {_ident(aside)} WITH ALLOW_CONNECTIONS true")
        admin.execute(f"ALTER DATABASE {_ident(new)} RENAME TO {_ident(name)}")
    return aside


def _restore_sqlite(folder: Path, manifest: dict[str, Any], stamp: str) -> str:
    """Check the backup's copy in a new file, then copy it over the database
    (SQLite's online backup: all or nothing); return the file the replaced
    database is kept in."""
    target = Path(_db()["NAME"])
    new = target.with_name(f"{target.name}.restoring-{stamp}")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    shutil.copyfile(folder / "db.sqlite3", new)
    try:
        checked = sqlite3.connect(str(new))
        try:
            rows, referenced = _census(checked.cursor())
        finally:
            checked.close()
        _check_census(rows, referenced, manifest)
        _verify_audit(f"sqlite:///{new}")
        connections.close_all()
        source = sqlite3.connect(str(new))
        current = sqlite3.connect(str(target))
        try:
            if target.exists():
                keep = sqlite3.connect(str(aside))
                with keep:
                    current.backup(keep)
                keep.close()
            with current:
                source.backup(current)
        finally:
            source.close()
            current.close()
    finally:
        for path in (new, Path(f"{new}-wal"), Path(f"{new}-shm")):
            path.unlink(missing_ok=True)
    return str(aside)


def restore(*, folder: Path) -> Result:
    """Replace the database and uploaded files with the backup in ``folder``,
    after checking it in new copies: row counts against the manifest, every file
    against its checksum and every file a row points at, and the audit trail.

    Raises :class:`BackupError` (and changes nothing) if a check fails.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = "postgresql" if _is_postgres() else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; "
            f"the configured database is {engine}."
        )
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = media_root.with_name(f"{media_root.name}.restoring-{stamp}")
    try:
        _unpack_media(folder, manifest, staging)
        if _is_postgres():
            previous_database = _restore_postgres(folder, manifest, stamp)
        else:
            previous_database = _restore_sqlite(folder, manifest, stamp)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous_media = None
    if media_root.exists():
        previous_media = media_root.with_name(
            f"{media_root.name}.before-restore-{stamp}"
        )
        media_root.rename(previous_media)
    staging.rename(media_root)
    return Result(
        folder=folder,
        rows=manifest["rows"],
        files=len(manifest["media"]),
        missing_files=list(manifest.get("missing_files", [])),
        previous_database=previous_database,
        previous_media=previous_media,
    )
