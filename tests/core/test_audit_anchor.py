"""The audit chain's head anchored outside the database, and
``verify_audit`` comparing the trail with it: a cut tail, an emptied trail, and
what it could not check."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import audit, audit_anchor, clock
from core.models import AuditEvent
from core.tasks import audit_anchor_task

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [audit.record_event(action="test.recorded", data={"n": i}) for i in range(n)]


def _lines() -> list[dict]:
    text = Path(settings.AUDIT_ANCHOR_FILE).read_text()
    return [json.loads(line) for line in text.splitlines()]


def _delete_behind_the_application(where: str) -> None:
    """Act as someone with direct database access who skips the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM core_auditevent WHERE {where}")


def _verify(capsys) -> tuple[str, str]:
    call_command("verify_audit")
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_the_anchor_job_writes_the_head_to_the_file_and_the_log(caplog):
    events = _events(3)
    with caplog.at_level(logging.INFO, logger="citysocial.audit.anchor"):
        assert audit_anchor_task.delay().get() == 3
    (line,) = _lines()
    assert line["sequence"] == 3 and line["events"] == 3
    assert line["hash"] == events[-1].hash
    assert line["reason"] == "periodic"
    (logged,) = [r for r in caplog.records if r.name == "citysocial.audit.anchor"]
    assert json.dumps(line, separators=(",", ":")) in logged.getMessage()


def test_the_anchor_job_runs_every_few_minutes_and_sealing_is_no_job():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["audit-anchor"]["task"] == "core.tasks.audit_anchor_task"
    assert schedule["audit-anchor"]["schedule"] == 60.0 * (
        settings.AUDIT_ANCHOR_INTERVAL_MINUTES
    )
    assert "audit-seal" not in schedule
    assert not hasattr(settings, "AUDIT_SEAL_INTERVAL_SECONDS")


def test_each_purge_run_anchors_the_head():
    from retention.models import PurgeRun
    from retention.purge import purge_run

    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    (line,) = _lines()
    run_event = AuditEvent.objects.get(action="retention.purge_run")
    assert (line["reason"], line["sequence"]) == ("purge", run_event.sequence)


def test_each_backup_anchors_the_head(tmp_path):
    from core import backup

    _events(2)
    with (
        mock.patch.object(backup, "_is_postgres", return_value=False),
        mock.patch.object(backup.sqlite3, "connect"),
        mock.patch.object(backup, "_sha256", return_value="0" * 64),
    ):
        backup.backup(folder=tmp_path / "backup")
    (line,) = _lines()
    assert (line["reason"], line["sequence"]) == ("backup", 2)


def test_an_empty_trail_is_anchored_as_empty():
    anchor = audit_anchor.audit_anchor_write(reason="periodic")
    assert (anchor.sequence, anchor.events, anchor.hash) == (0, 0, audit.GENESIS_HASH)


def test_the_records_officer_gets_the_anchor_by_email_when_due(settings, time_machine):
    settings.AUDIT_ANCHOR_EMAIL_TO = ["records@city.example"]
    settings.AUDIT_ANCHOR_EMAIL_HOURS = 24
    time_machine.move_to("2026-11-20 08:00:00+00:00", tick=False)
    _events(1)
    audit_anchor.audit_anchor_write(reason="periodic")
    (message,) = mail.outbox
    assert message.to == ["records@city.example"]
    assert json.dumps(_lines()[0], separators=(",", ":")) in message.body
    assert "verify_audit --anchors" in message.body
    time_machine.move_to("2026-11-20 20:00:00+00:00", tick=False)
    audit_anchor.audit_anchor_write(reason="periodic")
    assert len(mail.outbox) == 1  # not due yet
    time_machine.move_to("2026-11-21 08:00:01+00:00", tick=False)
    audit_anchor.audit_anchor_write(reason="periodic")
    assert len(mail.outbox) == 2


def test_a_failed_anchor_email_is_logged_and_the_next_anchor_tries_again(
    settings, caplog
):
    settings.AUDIT_ANCHOR_EMAIL_TO = ["records@city.example"]
    with mock.patch.object(
        audit_anchor, "send_mail", side_effect=OSError("mail server down")
    ):
        audit_anchor.audit_anchor_write(reason="periodic")
    assert "Could not email the audit anchor" in caplog.text
    assert len(_lines()) == 1  # the file and the log have it all the same
    audit_anchor.audit_anchor_write(reason="periodic")
    assert len(mail.outbox) == 1


def test_verify_audit_reports_a_cut_tail():
    _events(5)
    audit_anchor.audit_anchor_write(reason="periodic")
    _delete_behind_the_application("sequence >= 4")
    # The chain that is left is whole: only the anchor shows what is missing.
    assert list(audit.verify_chain()) == []
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")
    (problem,) = audit_anchor.audit_anchor_compare().problems
    assert problem.problem.startswith(
        "the trail ends at event 3, but events up to 5 were anchored at"
    )
    assert problem.problem.endswith("events 4..5 were cut from its end")


def test_verify_audit_reports_an_emptied_trail(capsys):
    _events(3)
    audit_anchor.audit_anchor_write(reason="periodic")
    _delete_behind_the_application("TRUE")
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")
    assert "the trail: the trail is empty, but 3 events up to event 3 were " in (
        capsys.readouterr().err
    )


def test_verify_audit_reports_a_cut_that_a_later_anchor_took_in():
    """Someone cut the tail, and the anchor job wrote the shorter head down: the
    anchors themselves show it."""
    _events(4)
    audit_anchor.audit_anchor_write(reason="periodic")
    _delete_behind_the_application("sequence = 4")
    audit_anchor.audit_anchor_write(reason="periodic")
    problems = [p.problem for p in audit_anchor.audit_anchor_compare().problems]
    assert len(problems) == 2
    assert "ends at event 3, below event 4 anchored at" in problems[0]
    assert "events 4..4 were cut from its end" in problems[1]


def test_verify_audit_reports_an_anchored_event_rewritten():
    events = _events(2)
    audit_anchor.audit_anchor_write(reason="periodic")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE core_auditevent SET hash = %s WHERE id = %s",
            ["f" * 64, events[1].pk],
        )
    problems = audit_anchor.audit_anchor_compare().problems
    assert [(p.sequence, p.problem) for p in problems] == [
        (
            2,
            f"no longer has the hash anchored at {_anchor_when()}: the trail was "
            "rewritten up to it",
        )
    ]


def _anchor_when() -> str:
    (anchor,), _ = audit_anchor.read_anchors(audit_anchor.anchor_path())
    return anchor.when


def test_a_forged_anchor_line_is_reported():
    _events(1)
    audit_anchor.audit_anchor_write(reason="periodic")
    line = _lines()[0]
    line["sequence"] = 1000  # would make the trail look cut
    with Path(settings.AUDIT_ANCHOR_FILE).open("a") as handle:
        handle.write(json.dumps(line) + "\n")
        handle.write("not json\n")
    problems = [p.problem for p in audit_anchor.audit_anchor_compare().problems]
    assert problems == [
        f"the anchor on line 2 of {settings.AUDIT_ANCHOR_FILE} signature does not "
        "match: not written by this application",
        f"line 3 of {settings.AUDIT_ANCHOR_FILE} is not an anchor",
    ]


def test_verify_audit_says_plainly_what_it_could_not_check(capsys):
    _events(2)
    out, _err = _verify(capsys)
    assert f"Not checked: There is no anchor file at {settings.AUDIT_ANCHOR_FILE}" in (
        out
    )
    assert "intact as far as it could be checked" in out
    audit_anchor.audit_anchor_write(reason="periodic")
    out, _err = _verify(capsys)
    assert "Not checked" not in out and "The audit trail is intact." in out
    _events(2)
    out, _err = _verify(capsys)
    assert "Not checked: Events 3..4 were recorded after the last anchor" in out


def test_verify_audit_compares_with_an_anchor_kept_elsewhere(tmp_path):
    """The line of the Records Officer's email, saved in a file, is enough."""
    _events(3)
    audit_anchor.audit_anchor_write(reason="periodic")
    kept = tmp_path / "from-the-email.jsonl"
    kept.write_text(Path(settings.AUDIT_ANCHOR_FILE).read_text())
    Path(settings.AUDIT_ANCHOR_FILE).unlink()  # the local copy is gone too
    _delete_behind_the_application("TRUE")
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit", "--anchors", str(kept))


def test_an_anchor_line_reads_back_as_written():
    _events(1)
    written = audit_anchor.audit_anchor_write(reason="backup")
    (read,), problems = audit_anchor.read_anchors(audit_anchor.anchor_path())
    assert problems == []
    assert (read.sequence, read.hash, read.events, read.reason) == (
        written.sequence,
        written.hash,
        written.events,
        written.reason,
    )
    assert abs(read.anchored_at - clock.now()) < timedelta(minutes=1)
