"""R3, R4: a purge killed with SIGKILL at any point of a batch
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
import signal
from pathlib import Path

import pytest

from tests import scratch

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


def _crash_and_recover(
    database_url: str, tmp_path: Path, point: str, destroyed: tuple[int, int]
) -> None:
    files = tmp_path / "files.json"
    killed = scratch.run(
        ["-m", "tests.retention.crash_scenario", "purge", str(files)],
        _env(database_url, tmp_path, crash_at=point),
    )
    assert killed.returncode == -signal.SIGKILL, (
        f"the purge was not killed at {point}: {killed.returncode}\n{killed.stderr}"
    )
    result = scratch.run(
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


def _env(database_url: str, folder: Path, crash_at: str = "") -> dict[str, str]:
    return scratch.env(
        database_url, folder, settings_module="tests.crash_settings", CRASH_AT=crash_at
    )


@pytest.mark.services
@pytest.mark.parametrize("scratch_database", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("point,destroyed", POINTS)
def test_a_killed_purge_leaves_each_record_whole_or_destroyed_with_its_files(
    scratch_database: str, tmp_path: Path, point: str, destroyed: tuple[int, int]
) -> None:
    _crash_and_recover(scratch_database, tmp_path, point, destroyed)
