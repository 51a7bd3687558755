"""`make backup` / `make restore`: a backup describes exactly
what it holds even while the application writes, and a restore checks the backup
in a new database and folder (row counts, files, the audit trail) before it swaps
them in, so a failed check leaves the current data untouched."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from core import backup
from tests import scratch

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
# Writes as the application does while a backup runs, as fast as it can: each
# transaction records a holiday; every tenth also an audit event and an evidence
# file for one of the removal decisions made first, and every fiftieth redacts one
# of those decisions with the retention service (their files are deleted after
# that commits). Runs until the file named by STOP_FILE exists.
WRITER = """
import datetime, itertools, os, pathlib
from django.core.files.base import ContentFile
from django.db import transaction
from core.audit import record_event
from core.models import Holiday
from moderation.models import RemovalEvidence
from moderation.services import removal_redact
from tests.accounts.factories import UserFactory
from tests.moderation.factories import RemovalDecisionFactory
stop = pathlib.Path(os.environ["STOP_FILE"])
staff = UserFactory()
decisions = [RemovalDecisionFactory() for _ in range(20)]
for n in itertools.count():
    if stop.exists():
        break
    decision = decisions[(n // 10) % len(decisions)]
    with transaction.atomic():
        Holiday.objects.create(
            date=datetime.date(2030, 1, 1) + datetime.timedelta(days=n), name=f"W{n}"
        )
        if n % 10 == 0:
            record_event(action="test.written", data={"n": n})
            data = b"PNG " + str(n).encode()
            evidence = RemovalEvidence(
                decision=decision, kind="png", size=len(data), sha256="0" * 64,
                added_by=staff,
            )
            evidence.file.save("evidence", ContentFile(data), save=False)
            evidence.save()
    if n % 50 == 25:
        removal_redact(decisions=[decision], run_label="writer")
    if n == 200:
        (stop.parent / "writing").touch()
"""


def _ok(result) -> str:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout


def _manage(environment: dict[str, str], *args: str) -> str:
    return _ok(scratch.run(["manage.py", *args], environment))


def _counts(environment: dict[str, str]) -> dict[str, int]:
    out = _ok(
        scratch.run(["-c", f"import django; django.setup(); {COUNTS}"], environment)
    )
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.services
@pytest.mark.parametrize("scratch_database", ["postgres"], indirect=True)
def test_make_backup_then_restore_after_losing_everything(scratch_database, tmp_path):
    env = scratch.env(scratch_database, tmp_path)
    name = scratch_database.rsplit("/", 1)[1]
    _manage(env, "shell", "-c", SEED)
    evidence = tmp_path / "media" / "removals" / "2027" / "shot.png"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    letter = tmp_path / "media" / "letters" / "appeal.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    originals = {p: p.read_bytes() for p in (evidence, letter)}
    before = _counts(env)
    assert before["core_holiday"] == 3 and before["core_auditevent"] == 3

    folder = tmp_path / "backup"
    _ok(scratch.run_make([*MAKE, "backup", f"TO={folder}"], env))
    assert {p.name for p in folder.iterdir()} == {
        "db.dump",
        "media.tar.gz",
        "manifest.json",
    }
    assert folder.stat().st_mode & 0o077 == 0  # not readable by other users

    # Disaster: the database and the uploads are gone.
    scratch.admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    scratch.admin(f'CREATE DATABASE "{name}"')
    shutil.rmtree(tmp_path / "media")

    out = _ok(scratch.run_make([*MAKE, "restore", f"FROM={folder}", "NOINPUT=1"], env))
    assert "the audit trail were checked before the swap" in out
    assert _counts(env) == before
    for path, content in originals.items():
        assert path.read_bytes() == content
    # The restored audit trail is whole, against the anchor the backup wrote
    # (and its PostgreSQL triggers came back too).
    assert "The audit trail is intact." in _manage(env, "verify_audit")
    for sql, refusal in (
        ("DELETE FROM core_auditevent", "Cannot delete rows from core_auditevent"),
        ("TRUNCATE core_auditevent", "Cannot truncate core_auditevent"),
    ):
        refused = scratch.run(
            [
                "-c",
                "import psycopg, sys; psycopg.connect(sys.argv[1], autocommit=True)"
                ".execute(sys.argv[2])",
                scratch_database,
                sql,
            ],
            env,
        )
        assert refusal in refused.stderr
    # The empty database it replaced is kept, under a name the command gave.
    kept = out.split("The replaced database is kept as: ")[1].split()[0]
    assert scratch.admin("SELECT 1 FROM pg_database WHERE datname = %s", [kept])


@pytest.mark.services
@pytest.mark.parametrize("scratch_database", ["sqlite", "postgres"], indirect=True)
def test_a_backup_taken_while_the_app_writes_restores_cleanly(
    scratch_database, tmp_path
):
    stop = tmp_path / "stop"
    env = scratch.env(scratch_database, tmp_path, STOP_FILE=str(stop))
    writer = scratch.start(["manage.py", "shell", "-c", WRITER], env)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "writing").exists():
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.1)
        _manage(env, "backup", "--to", str(tmp_path / "backup"))
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest.get("missing_files", []) == []

    out = _manage(env, "restore", str(tmp_path / "backup"), "--noinput")
    assert "checked before the swap" in out
    assert _counts(env) == manifest["rows"]
    _manage(env, "verify_audit")


@pytest.mark.services
@pytest.mark.parametrize("scratch_database", ["sqlite", "postgres"], indirect=True)
def test_a_restore_whose_check_fails_leaves_the_current_data_untouched(
    scratch_database, tmp_path
):
    env = scratch.env(scratch_database, tmp_path)
    _manage(env, "shell", "-c", SEED)
    letter = tmp_path / "media" / "letters" / "appeal.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(b"%PDF-1.7\n backed up")
    folder = tmp_path / "backup"
    _manage(env, "backup", "--to", str(folder))
    # Since the backup: a new holiday, a changed file, a new file.
    _manage(
        env,
        "shell",
        "-c",
        "import datetime; from core.models import Holiday; "
        "Holiday.objects.create(date=datetime.date(2028, 7, 4), name='Since')",
    )
    letter.write_bytes(b"%PDF-1.7\n changed since")
    (letter.parent / "new.pdf").write_bytes(b"%PDF-1.7\n new since")
    current = _counts(env)
    # A backup whose tables do not hold what its manifest says.
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["rows"]["core_holiday"] += 5
    (folder / "manifest.json").write_text(json.dumps(manifest))

    result = scratch.run(["manage.py", "restore", str(folder), "--noinput"], env)
    assert result.returncode != 0
    assert "Row counts differ" in result.stderr
    assert _counts(env) == current
    assert letter.read_bytes() == b"%PDF-1.7\n changed since"
    assert (letter.parent / "new.pdf").exists()
    # Nothing of the attempt is left beside the data.
    assert sorted(p.name for p in tmp_path.iterdir() if "restor" in p.name) == []
    if scratch_database.startswith("postgres"):
        name = scratch_database.rsplit("/", 1)[1]
        assert (
            scratch.admin(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [name + "_%"]
            )
            == []
        )


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
