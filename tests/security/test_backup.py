"""Item 7: `make backup` / `make restore` against the local PostgreSQL: dump, drop
the database, restore, and find the same row counts, files and audit chain."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from core import backup

ROOT = Path(__file__).resolve().parents[2]
# Never CI's or the machine's own databases (postgres, test, root); one per run, so
# two checkouts testing against the same server never share it.
SCRATCH_DB = os.environ.get(
    "BACKUP_TEST_DATABASE", f"citysocial_backup_check_{os.getpid()}"
)

SEED = """
from accounts.models import User
from core.audit import record_event
from core.models import Holiday
import datetime
for n in range(3):
    Holiday.objects.create(date=datetime.date(2027, 1, 1 + n), name=f"Day {n}")
    user = User.objects.create_user(f"user{n}", password="lake-harbor-crocus-73")
    record_event(action="test.seeded", target=user, data={"n": n}, personal={"who": n})
"""
# The Makefile targets as a person runs them, without reinstalling the project.
MAKE = ("make", "--no-print-directory", "-o", ".venv/.installed-stamp")
COUNTS = (
    "import json; from core.backup import row_counts; print(json.dumps(row_counts()))"
)


def _server_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or "postgres"),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _sh(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        list(args),
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


def _recreate(env: dict[str, str]) -> None:
    _sh("dropdb", "--if-exists", "--force", SCRATCH_DB, env=env)
    _sh("createdb", SCRATCH_DB, env=env)


@pytest.mark.services
def test_make_backup_then_restore_after_losing_everything(postgres, tmp_path):
    assert SCRATCH_DB not in ("postgres", "test", "root")
    server = _server_env()
    env = {
        **{k: v for k, v in server.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": (
            f"postgres://{server['PGUSER']}:{server.get('PGPASSWORD', '')}@"
            f"{server['PGHOST']}:{server['PGPORT']}/{SCRATCH_DB}"
        ),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("REDIS_URL", None)
    python = sys.executable
    _recreate(server)
    try:
        _sh(python, "manage.py", "migrate", "--noinput", "-v0", env=env)
        _sh(python, "manage.py", "shell", "-c", SEED, env=env)
        evidence = tmp_path / "media" / "removals" / "2027" / "shot.png"
        evidence.parent.mkdir(parents=True)
        evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
        letter = tmp_path / "media" / "letters" / "appeal.pdf"
        letter.parent.mkdir(parents=True)
        letter.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
        originals = {p: p.read_bytes() for p in (evidence, letter)}
        before = json.loads(
            _sh(python, "-c", f"import django; django.setup(); {COUNTS}", env=env)
        )
        assert before["core_holiday"] == 3 and before["core_auditevent"] == 3

        folder = tmp_path / "backup"
        _sh(*MAKE, "backup", f"TO={folder}", env=env)
        assert {p.name for p in folder.iterdir()} == {
            "db.dump",
            "media.tar.gz",
            "manifest.json",
        }
        assert folder.stat().st_mode & 0o077 == 0  # not readable by other users

        # Disaster: the database and the uploads are gone.
        _recreate(server)
        shutil.rmtree(tmp_path / "media")

        out = _sh(
            *MAKE,
            "restore",
            f"FROM={folder}",
            "NOINPUT=1",
            env=env,
        )
        assert "counts and checksums match" in out
        after = json.loads(
            _sh(python, "-c", f"import django; django.setup(); {COUNTS}", env=env)
        )
        assert after == before
        for path, content in originals.items():
            assert path.read_bytes() == content
        # The restored audit trail is whole, against the anchor the backup wrote
        # (and its PostgreSQL triggers came back too).
        assert "The audit trail is intact." in _sh(
            python, "manage.py", "verify_audit", env=env
        )
        for sql, refusal in (
            ("DELETE FROM core_auditevent", "Cannot delete rows from core_auditevent"),
            ("TRUNCATE core_auditevent", "Cannot truncate core_auditevent"),
        ):
            refused = subprocess.run(
                ["psql", "-d", SCRATCH_DB, "-c", sql],
                env=server,
                capture_output=True,
                text=True,
                check=False,
            )
            assert refusal in refused.stderr
    finally:
        _sh("dropdb", "--if-exists", "--force", SCRATCH_DB, env=server)


def test_restore_refuses_a_damaged_backup(tmp_path):
    (tmp_path / "db.dump").write_bytes(b"PGDMP damaged")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"database_file": "db.dump", "database_sha256": "0" * 64})
    )
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.read_manifest(tmp_path)


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(backup.BackupError, match="not a backup"):
        backup.read_manifest(tmp_path)
