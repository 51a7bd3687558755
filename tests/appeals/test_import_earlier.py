"""Importing the appeals (P22) and legality challenges (P23) a city handled before
it used this system: whole or not at all, each with its own dates, counted in the
transparency figures, never twice."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals import selectors
from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Correspondence,
    LegalityChallenge,
)
from core.models import AuditEvent, Holiday, OutboxMessage
from core.roles import CITY_ADMINISTRATOR, CITY_ATTORNEY, SOCIAL_MEDIA_MANAGER
from tests.accounts.factories import AccountFactory, CityProfileFactory
from tests.appeals.factories import AppealFactory
from tests.moderation.factories import RemovalDecisionFactory
from transparency.figures import figures_for, period_for_year

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 10))


COLUMNS = [
    "kind",
    "received_on",
    "name",
    "email",
    "postal_address",
    "account",
    "comment_text",
    "removal",
    "explanation",
    "section",
    "basis",
    "acknowledged_on",
    "consulted_on",
    "answered_on",
    "outcome",
    "categories",
    "response",
    "withdrawn_on",
    "withdrawal_note",
    "reviewer",
]
ANSWER = (
    "We looked at the comment again: it advertised a business and is a "
    "commercial promotion (category 7), so the removal stands."
)


def appeal(**values):
    row = {
        "kind": "appeal",
        "name": "Pat Resident",
        "email": "pat@example.net",
        "account": "city-fb",
        "comment_text": "The pool should open earlier.",
        "explanation": "My comment was about the pool hours, not an advertisement.",
    }
    return row | values


def challenge(**values):
    row = {
        "kind": "challenge",
        "name": "Jo Challenger",
        "postal_address": "12 Lake Street\nRiverton, MN 55001",
        "section": "The notice's instructions for appeals",
        "basis": "The notice gives only an email address for appeals.",
    }
    return row | values


def write_csv(tmp_path, rows, name="filings.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def people(make_staff):
    return {
        "admin": make_staff(CITY_ADMINISTRATOR, username="ada"),
        "attorney": make_staff(CITY_ATTORNEY, username="atty"),
        "manager": make_staff(SOCIAL_MEDIA_MANAGER, username="mo"),
    }


@pytest.fixture
def city(db):
    CityProfileFactory(
        appeal_ack_days=2,
        appeal_answer_days=10,
        challenge_ack_days=2,
        challenge_answer_days=20,
    )
    Holiday.objects.create(date=date(2025, 7, 4), name="Independence Day")
    return AccountFactory(slug="city-fb")


def test_earlier_filings_come_in_with_their_own_dates_and_count_in_the_figures(
    tmp_path, people, city, capsys
):
    removal = RemovalDecisionFactory(account=city, removed_at=at(2025, 6, 30))
    path = write_csv(
        tmp_path,
        [
            # Listed out of order: numbers follow the day received.
            appeal(
                received_on="2025-09-02",
                name="Sam Resident",
                email="sam@example.net",
                acknowledged_on="2025-09-03",
                withdrawn_on="2025-09-05",
                withdrawal_note="Withdrawn by phone.",
            ),
            appeal(
                received_on="2025-07-01",
                removal=f"Removal #{removal.pk}",
                acknowledged_on="2025-07-02",
                answered_on="2025-07-16",
                outcome="modified",
                categories="7",
                response=ANSWER,
            ),
            challenge(
                received_on="2025-08-04",
                acknowledged_on="2025-08-05",
                consulted_on="2025-08-12",
                answered_on="2025-08-20",
                outcome="stands",
                response="The city attorney reviewed it: the policy stands as written.",
            ),
        ],
    )
    call_command("import_filings", str(path), "--by", "ada", "--attorney", "atty")
    assert (
        "2 appeal(s) and 1 legality challenge(s) imported." in capsys.readouterr().out
    )

    answered = Appeal.objects.get(reference="AP-2025-00001")
    assert answered.name == "Pat Resident"
    assert answered.status == "answered"
    assert answered.outcome == "modified"
    assert [c.number for c in answered.revised_categories.all()] == [7]
    assert answered.removal == removal
    assert answered.account == city
    assert timezone.localdate(answered.acknowledged_at) == date(2025, 7, 2)
    assert timezone.localdate(answered.answered_at) == date(2025, 7, 16)
    # Due dates by the city's rules: July 4 and the weekends are skipped.
    assert answered.ack_due_on == date(2025, 7, 3)
    assert answered.answer_due_on == date(2025, 7, 16)
    assert answered.response == ANSWER
    withdrawn = Appeal.objects.get(reference="AP-2025-00002")
    assert (withdrawn.status, withdrawn.withdrawal_note) == (
        "withdrawn",
        "Withdrawn by phone.",
    )
    stands = LegalityChallenge.objects.get(reference="LC-2025-00001")
    assert (stands.status, stands.outcome) == ("answered", "stands")
    consultation = AttorneyConsultation.objects.get(challenge=stands)
    assert (consultation.attorney, consultation.consulted_on) == (
        people["attorney"],
        date(2025, 8, 12),
    )
    # The letters went at the time: nothing is written or sent again.
    assert not Correspondence.objects.exists()
    assert not OutboxMessage.objects.exists()
    event = AuditEvent.objects.get(action="appeal.imported", target_id=str(answered.pk))
    assert event.actor == people["admin"]
    assert (event.data["source"], event.data["row"]) == ("filings.csv", 3)
    assert len(event.data["source_sha256"]) == 64
    assert "Pat Resident" not in json.dumps(event.data)

    figures = figures_for(period_for_year(2025))
    assert figures["appeals"]["filed"] == 2
    assert figures["appeals"]["acknowledge"]["median_days"] == 1
    assert figures["appeals"]["answer"]["median_days"] == 10
    assert figures["appeals"]["answer"]["late"] == 0
    assert figures["challenges"]["filed"] == 1


def test_the_staff_page_says_where_an_imported_filing_came_from(
    tmp_path, people, city, login_as
):
    path = write_csv(
        tmp_path, [appeal(received_on="2025-07-01", acknowledged_on="2025-07-02")]
    )
    call_command("import_filings", str(path), "--by", "ada")
    filing = Appeal.objects.get()
    html = login_as(people["admin"]).get(filing.get_absolute_url()).content.decode()
    assert "imported the appeal from the city&#x27;s earlier records" in html
    assert "by None" not in html
    assert "its letters were sent before this system" in html
    assert "Nothing sent yet" not in html
    assert "Answer by email" in html
    # Still open: it goes on in the system like any other.
    assert filing.status == "acknowledged"
    assert filing.entered_by == people["admin"]
    assert selectors.filing_imported(filing)
    # A filing the city entered here had its letters sent from here.
    entered = AppealFactory()
    assert not selectors.filing_imported(entered)
    html = login_as(people["admin"]).get(entered.get_absolute_url()).content.decode()
    assert "its letters were sent before this system" not in html


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(
    tmp_path, people, city, capsys
):
    path = write_csv(
        tmp_path,
        [
            appeal(received_on="2025-07-01"),  # good
            appeal(received_on="2099-01-01", email="a@example.net"),
            appeal(
                received_on="2025-07-01",
                email="b@example.net",
                answered_on="2025-07-08",
                outcome="upheld",
                response=ANSWER,
            ),
            appeal(
                received_on="2025-07-09",
                email="c@example.net",
                acknowledged_on="2025-07-08",
            ),
            appeal(
                received_on="2025-07-01",
                email="d@example.net",
                acknowledged_on="2025-07-02",
                answered_on="2025-07-08",
                outcome="modified",
                response=ANSWER,
            ),
            challenge(
                received_on="2025-07-01",
                acknowledged_on="2025-07-02",
                answered_on="2025-07-20",
                outcome="stands",
                response=ANSWER,
            ),
            {"kind": "complaint", "received_on": "2025-07-01"},
            appeal(received_on="2025-07-01", email="", postal_address=""),
            appeal(received_on="2025-07-01"),  # the same as row 2
        ],
    )
    with pytest.raises(CommandError, match="8 row"):
        call_command("import_filings", str(path), "--by", "ada")
    err = capsys.readouterr().err
    assert "row 3: received_on 2099-01-01 is in the future" in err
    assert "row 4: acknowledged_on is missing" in err
    assert "row 5: acknowledged_on (2025-07-08) is before received_on" in err
    assert "row 6: categories: name the categories the removal stands on" in err
    # The challenge's address takes two lines: a row is the line it ends on.
    assert "row 8: consulted_on is missing" in err
    assert "row 9: kind 'complaint' is not appeal or challenge" in err
    assert "row 10: email: Give an email address or a postal address." in err
    assert "row 11: the same filing as row 2" in err
    assert "row 2:" not in err
    assert not Appeal.objects.exists()
    assert not LegalityChallenge.objects.exists()
    assert not AuditEvent.objects.filter(action="appeal.imported").exists()


def test_a_file_imported_twice_adds_nothing_the_second_time(
    tmp_path, people, city, capsys
):
    path = tmp_path / "filings.json"
    path.write_text(
        json.dumps(
            {
                "filings": [
                    appeal(received_on="2025-07-01", acknowledged_on="2025-07-01")
                ]
            }
        )
    )
    call_command("import_filings", str(path), "--by", "ada")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_filings", str(path), "--by", "ada")
    assert "row 1: already recorded as AP-2025-00001" in capsys.readouterr().err
    assert Appeal.objects.count() == 1


def test_only_the_city_administrator_imports_filings(tmp_path, people, city):
    path = write_csv(tmp_path, [appeal(received_on="2025-07-01")] * 50)
    # Said once, before any row is read.
    with pytest.raises(
        CommandError,
        match=r"^You may not import earlier appeals and legality challenges: only "
        r"the City Administrator may\.$",
    ):
        call_command("import_filings", str(path), "--by", "mo")
    assert not Appeal.objects.exists()


def test_a_file_without_the_kind_column_is_refused_whole(tmp_path, people, city):
    path = tmp_path / "filings.csv"
    path.write_text("name,received_on\nPat,2025-07-01\n")
    with pytest.raises(CommandError, match="no 'kind' column"):
        call_command("import_filings", str(path), "--by", "ada")
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("import_filings", str(path), "--by", "nobody")


def test_a_spreadsheet_saved_from_excel_is_read_as_the_clerk_wrote_it(
    tmp_path, people, city, capsys
):
    # Excel's "CSV UTF-8": a byte order mark, column names as words, US dates.
    path = tmp_path / "Appeals log.csv"
    path.write_bytes(
        "\ufeffKind,Received on,Name,Email,Account,Comment text,Explanation,"
        "Acknowledged on\r\n"
        "Appeal,7/1/2025,Pat Resident,pat@example.net,city-fb,The pool hours.,"
        "It was about the pool hours.,07/02/2025\r\n".encode()
    )
    call_command("import_filings", str(path), "--by", "ada")
    filing = Appeal.objects.get()
    assert filing.received_on == date(2025, 7, 1)
    assert timezone.localdate(filing.acknowledged_at) == date(2025, 7, 2)
    assert filing.account == city


def test_a_date_in_another_form_is_reported_with_the_forms_it_may_take(
    tmp_path, people, city, capsys
):
    path = write_csv(tmp_path, [appeal(received_on="1 July 2025")])
    with pytest.raises(CommandError):
        call_command("import_filings", str(path), "--by", "ada")
    assert (
        "row 2: received_on '1 July 2025' is not a date (YYYY-MM-DD, or "
        "month/day/year)" in capsys.readouterr().err
    )


def test_a_reversed_appeal_asks_the_managers_to_put_the_comment_back(
    tmp_path, people, city, make_staff
):
    from moderation import services as moderation
    from moderation.models import RestorationTask
    from transparency.figures import period_last_12_months

    removal = RemovalDecisionFactory(account=city, removed_at=at(2025, 6, 30))
    path = write_csv(
        tmp_path,
        [
            appeal(
                received_on="2025-07-01",
                removal=str(removal.pk),
                acknowledged_on="2025-07-01",
                answered_on="2025-07-03",
                outcome="reversed",
                response="Your comment is in none of the categories: restored.",
                reviewer="ada",
            )
        ],
    )
    call_command("import_filings", str(path), "--by", "ada")
    reversed_appeal = Appeal.objects.get()
    # P22: the reviewer recorded, and the short answer kept as it was sent.
    assert reversed_appeal.reviewer == people["admin"]
    assert reversed_appeal.answered_by == people["admin"]
    assert reversed_appeal.response.startswith("Your comment is in none")
    task = RestorationTask.objects.get(decision=removal)
    assert task.appeal_id == reversed_appeal.pk
    assert reversed_appeal.reference in task.source
    moderation.restoration_complete(
        task=task, by=people["admin"], note="It was back on the page already."
    )
    figures = figures_for(period_last_12_months())
    assert figures["removals"]["restored_after_appeal"] == 1


def test_the_reviewer_never_made_the_removal_and_every_problem_of_a_row_is_said(
    tmp_path, people, city, capsys
):
    removal = RemovalDecisionFactory(
        account=city, removed_at=at(2025, 6, 30), removed_by=people["admin"]
    )
    other = AccountFactory(slug="city-x")
    path = write_csv(
        tmp_path,
        [
            appeal(
                received_on="2025-07-01",
                removal=str(removal.pk),
                acknowledged_on="2025-07-03",
                withdrawn_on="2025-07-02",
                withdrawal_note="By phone.",
                reviewer="ada",
                account="city-x",
            ),
            appeal(
                received_on="2025-03-32",
                email="b@example.net",
                account="city-fb-old",
                answered_on="2025-04-01",
                acknowledged_on="2025-04-01",
                outcome="overturned",
                response="Restored.",
            ),
        ],
    )
    with pytest.raises(CommandError, match="2 row"):
        call_command("import_filings", str(path), "--by", "ada")
    err = capsys.readouterr().err
    assert "withdrawn_on (2025-07-02) is before acknowledged_on (2025-07-03)" in err
    assert "reviewer: ada made the removal under appeal" in err
    assert f"removal Removal #{removal.pk} is of another account than" in err
    assert str(other) in err
    row_3 = next(line for line in err.splitlines() if line.startswith("row 3:"))
    assert "received_on '2025-03-32' is not a date" in row_3
    assert "account: no city account 'city-fb-old'" in row_3
    assert "outcome 'overturned' is not upheld, modified or reversed" in row_3
    assert not Appeal.objects.exists()


def test_a_column_the_import_does_not_read_is_said_once_never_dropped(
    tmp_path, people, city, capsys
):
    path = tmp_path / "filings.csv"
    path.write_text(
        "kind,received_on,name,email,comment_text,explanation,Notes,basys\n"
        "appeal,2025-07-01,Pat,pat@example.net,Pool.,About the pool.,called twice,\n"
        "appeal,2025-07-02,Sam,sam@example.net,Pool.,About the pool.,,\n"
    )
    with pytest.raises(CommandError):
        call_command("import_filings", str(path), "--by", "ada")
    err = capsys.readouterr().err
    assert err.count("the import reads no column basys, notes") == 1
    assert not Appeal.objects.exists()


def test_blank_rows_are_skipped_and_two_appeals_of_one_day_are_two(
    tmp_path, people, city, capsys
):
    path = tmp_path / "filings.csv"
    path.write_text(
        "kind,received_on,name,email,comment_text,explanation\n"
        "appeal,2025-07-01,Pat,pat@example.net,The pool hours.,Not spam.\n"
        "appeal,2025-07-01,Pat,pat@example.net,The library hours.,Not spam.\n"
        ",,,,,\n"
        ",,,,,\n"
    )
    call_command("import_filings", str(path), "--by", "ada")
    assert (
        "2 appeal(s) and 0 legality challenge(s) imported." in capsys.readouterr().out
    )
    assert sorted(Appeal.objects.values_list("comment_text", flat=True)) == [
        "The library hours.",
        "The pool hours.",
    ]


def test_a_file_saved_in_a_windows_encoding_is_refused_with_what_to_do(
    tmp_path, people, city
):
    path = tmp_path / "filings.csv"
    path.write_bytes("kind,received_on,name\nappeal,2025-07-01,Zoë\n".encode("cp1252"))
    with pytest.raises(CommandError, match='save it as "CSV UTF-8"'):
        call_command("import_filings", str(path), "--by", "ada")


def test_the_documented_sample_imports_into_the_demo_city(capsys):
    from pathlib import Path

    from accounts import demo as accounts_demo

    accounts_demo.seed({"logins": []})
    sample = Path(__file__).parents[2] / "docs" / "samples" / "earlier-filings.csv"
    call_command(
        "import_filings", str(sample), "--by", "clerk", "--attorney", "attorney"
    )
    assert (
        "3 appeal(s) and 1 legality challenge(s) imported." in capsys.readouterr().out
    )
    assert set(Appeal.objects.values_list("status", flat=True)) == {
        "answered",
        "withdrawn",
    }
    assert LegalityChallenge.objects.get().outcome == "stands"


def _lookups(tmp_path, name, rows):
    """The queries an import of ``rows`` makes to read the city profile and the
    removal records (not counting full_clean's check that a removal exists)."""
    from accounts.models import CityProfile
    from moderation.models import RemovalDecision

    path = write_csv(tmp_path, rows, name=name)
    with CaptureQueriesContext(connection) as captured:
        call_command("import_filings", str(path), "--by", "ada")
    said = [q["sql"] for q in captured.captured_queries]
    profile, removal = CityProfile._meta.db_table, RemovalDecision._meta.db_table
    return (
        sum(f'"{profile}"' in sql for sql in said),
        sum(f'"{removal}"."removed_at"' in sql for sql in said),
    )


def test_an_import_reads_the_deadlines_and_the_removals_once_whatever_its_rows(
    tmp_path, people, city
):
    removals = [
        RemovalDecisionFactory(account=city, removed_at=at(2025, 6, 30))
        for _ in range(11)
    ]

    def rows(first, count):
        return [
            appeal(
                received_on="2025-07-01",
                name=f"Resident {n}",
                removal=f"Removal #{removals[n].pk}",
                acknowledged_on="2025-07-02",
                answered_on="2025-07-16",
                outcome="modified",
                categories="7",
                response=ANSWER,
            )
            for n in range(first, first + count)
        ]

    one = _lookups(tmp_path, "one.csv", rows(0, 1))
    ten = _lookups(tmp_path, "ten.csv", rows(1, 10))
    assert Appeal.objects.count() == 11
    assert one == ten
    # Each row still has its own due dates (P22) and removal.
    last = Appeal.objects.get(name="Resident 10")
    assert (last.ack_due_on, last.removal) == (date(2025, 7, 3), removals[10])
    event = AuditEvent.objects.get(action="appeal.imported", target_id=str(last.pk))
    assert event.data["categories"] == [c.pk for c in last.revised_categories.all()]
