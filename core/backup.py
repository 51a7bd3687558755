"""Back up and restore the database and uploaded files (make backup, make restore).

A backup is one folder:

    db.dump          PostgreSQL custom-format dump (pg_dump), or
    db.sqlite3       a consistent copy of the embedded SQLite database
    media.tar.gz     every uploaded file under MEDIA_ROOT
    manifest.json    when, which engine, row counts per table, file checksums

``restore`` puts both back, then checks the row counts against the manifest and
refuses to call it done if they differ. The files that were in MEDIA_ROOT before a
restore are moved aside, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump and pg_restore, no shell
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

from core import audit_anchor, clock

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore could not be completed; the message says why."""


@dataclass(frozen=True)
class Result:
    folder: Path
    rows: dict[str, int]
    files: int


def _db() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _is_postgres() -> bool:
    return "postgresql" in _db()["ENGINE"]


def _pg_env() -> dict[str, str]:
    db = _db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "localhost"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            f"{args[0]} is not installed (apt-get install postgresql-client)."
        )
    result = subprocess.run(  # noqa: S603  # nosec B603 - fixed program, no shell
        [tool, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")


def row_counts() -> dict[str, int]:
    """Return the number of rows of every table the project's models use."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        counts[model._meta.db_table] = model._base_manager.using("default").count()
    return dict(sorted(counts.items()))


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


def backup(*, folder: Path | None = None) -> Result:
    """Write a backup of the database and uploaded files to ``folder``."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(folder or Path(settings.VAR_DIR) / "backups" / stamp)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; choose a new folder.")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # residents' personal data: not for other local users
    audit_anchor.audit_anchor_write(reason="backup")  # the head this backup holds
    rows = row_counts()
    if _is_postgres():
        connections.close_all()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(folder / "db.dump"),
            ]
        )
        db_file = folder / "db.dump"
    else:
        db_file = folder / "db.sqlite3"
        source = sqlite3.connect(str(_db()["NAME"]))
        target = sqlite3.connect(str(db_file))
        with target:
            source.backup(target)
        source.close()
        target.close()
    media_root = Path(settings.MEDIA_ROOT)
    files = media_checksums(media_root)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as tar:
        for name in files:
            tar.add(media_root / name, arcname=name)
    manifest = {
        "created_at": clock.now().isoformat(),
        "engine": "postgresql" if _is_postgres() else "sqlite",
        "database_file": db_file.name,
        "database_sha256": _sha256(db_file),
        "rows": rows,
        "media": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for path in folder.iterdir():
        path.chmod(0o600)
    return Result(folder=folder, rows=rows, files=len(files))


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    db_file = Path(folder) / manifest["database_file"]
    if not db_file.exists() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError(f"{db_file} is missing or damaged (checksum differs).")
    return manifest


def restore(*, folder: Path) -> Result:
    """Replace the database and uploaded files with the backup in ``folder``.

    Checks afterwards that every table has the row count the backup recorded and
    every file its checksum; raises :class:`BackupError` if not.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = "postgresql" if _is_postgres() else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; "
            f"the configured database is {engine}."
        )
    connections.close_all()
    if _is_postgres():
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(_db()["NAME"]),
                str(folder / "db.dump"),
            ]
        )
    else:
        target = Path(_db()["NAME"])
        source = sqlite3.connect(str(folder / "db.sqlite3"))
        dest = sqlite3.connect(str(target))
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        aside = media_root.with_name(
            f"{media_root.name}.before-restore-{clock.now():%Y%m%d-%H%M%S}"
        )
        media_root.rename(aside)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as tar:
        # The "data" filter refuses absolute paths, "..", links out and devices.
        tar.extractall(media_root, filter="data")
    rows = row_counts()
    wrong = {
        table: (count, rows.get(table))
        for table, count in manifest["rows"].items()
        if rows.get(table) != count
    }
    if wrong:
        raise BackupError(f"Row counts differ after the restore: {wrong}")
    files = media_checksums(media_root)
    if files != manifest["media"]:
        raise BackupError("The restored files differ from the backup's checksums.")
    return Result(folder=folder, rows=rows, files=len(files))
