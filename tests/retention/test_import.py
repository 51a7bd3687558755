"""Importing platform exports (R1): JSON and CSV, idempotent on the message id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import AuditEvent
from retention.models import Message, PurgeRun
from retention.purge import purge_run
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return AccountFactory(slug="city-fb")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_export_is_imported_once(tmp_path, account, capsys):
    rows = [
        {
            "account": "city-fb",
            "id": "m1",
            "sender": "pat",
            "body": "Hi",
            "received_at": "2026-01-05T10:00:00Z",
        },
        {"id": "m2", "sender": "lee", "text": "Pothole", "received_at": 1767607200},
    ]
    path = write(tmp_path, "export.json", json.dumps({"messages": rows}))
    call_command("import_messages", str(path), "--account", "city-fb")
    assert "2 imported, 0 already recorded" in capsys.readouterr().out
    call_command("import_messages", str(path), "--account", "city-fb")
    assert "0 imported, 2 already recorded" in capsys.readouterr().out
    assert Message.objects.count() == 2
    m2 = Message.objects.get(platform_message_id="m2")
    assert m2.body == "Pothole"
    assert m2.received_at == datetime.fromtimestamp(1767607200, tz=UTC)
    event = AuditEvent.objects.filter(action="messages.imported").first()
    assert event.personal is None
    assert "pat" not in str(event.data)


def test_csv_with_bad_rows_reports_their_line_numbers_and_imports_the_good_once(
    tmp_path, account, capsys
):
    text = (
        "account,id,sender,body,received_at\n"
        "city-fb,c1,pat,Hello,2026-01-05 10:00\n"
        "city-fb,,pat,No id,2026-01-05 10:00\n"
        "city-fb,c3,pat,Bad date,yesterday\n"
        "nowhere,c4,pat,Unknown account,2026-01-05 10:00\n"
        'city-fb,c5,pat,"Multi\nline",2026-01-05T11:00:00-06:00\n'
        "city-fb,c1,pat,Repeated,2026-01-05 10:00\n"
        "city-fb,c6,pat,Too,many,fields,here\n"
    )
    path = write(tmp_path, "export.csv", text)
    with pytest.raises(CommandError, match="4 row"):
        call_command("import_messages", str(path))
    captured = capsys.readouterr()
    assert "2 imported" in captured.out
    assert "1 repeated in the file" in captured.out
    assert "row 3: The platform message id is required." in captured.err
    assert "row 4: received_at 'yesterday' is not an ISO 8601 time" in captured.err
    assert "row 5: no city account 'nowhere'" in captured.err
    assert "row 9: the row has more fields than the header" in captured.err
    assert set(Message.objects.values_list("platform_message_id", flat=True)) == {
        "c1",
        "c5",
    }
    assert Message.objects.get(platform_message_id="c5").body == "Multi\nline"
    # Importing the same file again records nothing twice.
    with pytest.raises(CommandError):
        call_command("import_messages", str(path))
    assert Message.objects.count() == 2


def test_reimporting_after_destruction_does_not_bring_messages_back(
    tmp_path, account, manager
):
    path = write(
        tmp_path,
        "export.json",
        json.dumps([{"id": "d1", "sender": "x", "body": "old", "received_at": 1}]),
    )
    call_command("import_messages", str(path), "--account", "city-fb")
    Message.objects.update(read_at=datetime.now(tz=UTC), read_by=manager)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    call_command("import_messages", str(path), "--account", "city-fb")
    (message,) = Message.objects.all()
    assert message.destroyed_at is not None
    assert message.body == ""


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("bad.json", "{not json", "Not valid JSON"),
        ("bad.json", '{"rows": []}', "list of messages"),
        ("bad.csv", "", "empty"),
        ("bad.csv", "sender,body\nx,y\n", "no 'id' column"),
        ("bad.txt", "id\n1\n", "Unknown format"),
    ],
)
def test_unreadable_files_are_refused_whole(tmp_path, account, name, text, error):
    path = write(tmp_path, name, text)
    with pytest.raises(CommandError, match=error):
        call_command("import_messages", str(path), "--account", "city-fb")
    assert not Message.objects.exists()


def test_missing_file_and_unknown_account_are_refused(tmp_path, account):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_messages", str(tmp_path / "none.json"))
    path = write(tmp_path, "e.json", "[]")
    with pytest.raises(CommandError, match="No city account"):
        call_command("import_messages", str(path), "--account", "nope")


def test_json_rows_that_are_not_objects_are_reported(tmp_path, account, capsys):
    path = write(
        tmp_path,
        "e.json",
        json.dumps(
            [
                "text",
                {"id": "ok", "received_at": "2026-01-01T00:00:00Z"},
                {
                    "id": "c",
                    "received_at": "2026-01-01T00:00:00Z",
                    "classification": "x",
                },
            ]
        ),
    )
    with pytest.raises(CommandError):
        call_command("import_messages", str(path), "--account", "city-fb")
    err = capsys.readouterr().err
    assert "row 1: the record is not an object" in err
    assert (
        "row 3: “x” is not a classification: use public, private, confidential, "
        "nonpublic or protected_nonpublic."
    ) in err
    assert Message.objects.get().platform_message_id == "ok"


def test_sent_and_private_messages_are_imported_with_their_statute(
    tmp_path, account, capsys
):
    text = (
        "id,sender,body,received_at,direction,classification,basis\n"
        "s1,pat,Pickup is Monday,2026-01-05T10:00:00Z,sent,public,\n"
        "p1,lee,I get energy assistance,2026-01-05T11:00:00Z,,private,"
        "Minn. Stat. 13.46\n"
        "p2,kim,No statute,2026-01-05T12:00:00Z,received,private,\n"
        "d1,kim,Hello,2026-01-05T12:00:00Z,forwarded,public,\n"
    )
    path = write(tmp_path, "export.csv", text)
    with pytest.raises(CommandError, match="2 row"):
        call_command("import_messages", str(path), "--account", "city-fb")
    err = capsys.readouterr().err
    # The same sentence as on the message page and in the admin (P24).
    assert (
        "row 4: Name the statute that makes this data not public, e.g. "
        "“Minn. Stat. 13.46”."
    ) in err
    assert "row 5: unknown direction 'forwarded' (received or sent)" in err
    sent = Message.objects.get(platform_message_id="s1")
    assert sent.is_sent and sent.read_at == sent.received_at
    private = Message.objects.get(platform_message_id="p1")
    assert private.classification_basis == "Minn. Stat. 13.46"
    assert not private.is_sent and private.read_at is None
    assert Message.objects.count() == 2
