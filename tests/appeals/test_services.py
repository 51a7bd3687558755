"""Services of the appeals app: filing, every transition, independence, answers."""

from __future__ import annotations

import re
import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import connection

from appeals import selectors, services
from appeals.models import (
    COMMENT_TEXT_MAX,
    EARLIEST_DATE,
    EXPLANATION_MAX,
    Appeal,
    Channel,
    Correspondence,
    Delivery,
    Filing,
    ReferenceCounter,
)
from core import audit, outbox, roles
from core.audit import events_for
from core.calendar import add_business_days
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from core.models import OutboxMessage
from moderation.models import RemovalAmendment, RemovalCategory
from tests.appeals.factories import (
    AppealAcknowledgedFactory,
    AppealAnsweredFactory,
    AppealFactory,
    AppealUnderReviewFactory,
    AppealWithdrawnFactory,
    ChallengeAcknowledgedFactory,
    ChallengeFactory,
    ChallengeUnderReviewFactory,
    ConsultationFactory,
    RemovalFactory,
)

pytestmark = pytest.mark.django_db

S = Filing.Status
CHICAGO = ZoneInfo("America/Chicago")
# A Friday morning in the city's time zone.
FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=CHICAGO)
REASONED = (
    "We looked at the comment again. It criticised a council decision and did "
    "not advertise anything, so it is not spam (category 7)."
)


def submit(**overrides):
    fields = {
        "name": "Jordan Public",
        "email": "jordan@example.net",
        "comment_text": "Fix Elm Street first.",
        "explanation": "It was an opinion.",
    }
    fields.update(overrides)
    return services.appeal_submit(**fields)


# --- filing ----------------------------------------------------------------------


def test_submit_gives_a_readable_reference_and_an_unguessable_token(
    city_profile, time_machine
):
    time_machine.move_to(FRIDAY_NOON)
    first, second = submit(), submit()
    assert str(first) == first.reference
    assert re.fullmatch(r"AP-2026-\d{5}", first.reference)
    assert reference_number(second) == reference_number(first) + 1
    assert len(first.status_token) >= 40
    assert first.status_token != second.status_token
    # 32 random bytes: not derived from the id or the reference.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first.status_token)
    challenge = services.challenge_submit(
        name="Sam",
        email="sam@example.net",
        section_anchor="other",
        section_title="Other",
        basis="Unlawful.",
    )
    assert re.fullmatch(r"LC-2026-\d{5}", challenge.reference)


def reference_number(filing: Filing) -> int:
    return int(filing.reference.rsplit("-", 1)[1])


def test_the_database_refuses_a_second_filing_with_a_reference_or_token(
    city_profile,
):
    from django.db import IntegrityError, transaction

    first = submit()
    for field in ("reference", "status_token"):
        second = submit()
        setattr(second, field, getattr(first, field))
        with pytest.raises(IntegrityError), transaction.atomic():
            second.save(update_fields=[field])


def test_references_count_per_year_from_one(city_profile, time_machine):
    time_machine.move_to(datetime(2031, 1, 2, 12, tzinfo=ZoneInfo("America/Chicago")))
    assert submit().reference == "AP-2031-00001"
    assert submit().reference == "AP-2031-00002"


def test_numbering_continues_from_the_counter_table(city_profile, time_machine):
    ReferenceCounter.objects.create(prefix="AP", year=2032, last=41)
    time_machine.move_to(datetime(2032, 3, 2, 12, tzinfo=ZoneInfo("America/Chicago")))
    assert submit().reference == "AP-2032-00042"


def test_a_filing_that_fails_gives_its_number_back(city_profile, monkeypatch):
    """The number is taken in the filing's transaction: no gaps (on PostgreSQL
    the per-year sequences left one for every filing that failed)."""
    first = submit()

    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(audit, "record_event", broken)
    with pytest.raises(RuntimeError):
        submit()
    monkeypatch.undo()

    assert reference_number(submit()) == reference_number(first) + 1


@pytest.mark.django_db(transaction=True)
def test_two_filings_at_once_never_take_the_same_number(postgres, city_profile):
    """A filing that has taken its number holds its year's counter until it
    commits; the next one waits and takes the number after it."""
    import threading

    import psycopg

    first = submit()
    year = first.received_on.year
    taken: list[Appeal] = []

    def file_one() -> None:
        try:
            taken.append(submit())
        finally:
            connection.close()  # this thread's own connection

    with psycopg.connect(**connection.get_connection_params()) as other:
        # Another filing under way: it took the next number, not yet committed.
        other.execute(
            "UPDATE appeals_referencecounter SET last = last + 1 "
            "WHERE prefix = 'AP' AND year = %s",
            [year],
        )
        thread = threading.Thread(target=file_one)
        thread.start()
        wait_for_a_lock_wait()
        other.commit()
    thread.join(timeout=30)

    assert [reference_number(a) for a in taken] == [reference_number(first) + 2]


def wait_for_a_lock_wait() -> None:
    """Return once a session of this database waits for a lock (or after 10 s)."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)


def test_numbers_the_old_sequences_issued_are_not_issued_again(
    postgres, city_profile, time_machine
):
    """Upgrading from the per-year sequences (migration 0003): their numbers are
    carried into the counter table before they are dropped."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("appeals.migrations.0011_drop_reference_sequences")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE appeals_reference_ap_2034")
        cursor.execute("SELECT setval('appeals_reference_ap_2034', 77)")
    with connection.schema_editor() as editor:
        migration.forward(apps, editor)

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('appeals_reference_ap_2034')")
        assert cursor.fetchone()[0] is None
    time_machine.move_to(datetime(2034, 3, 2, 12, tzinfo=ZoneInfo("America/Chicago")))
    assert submit().reference == "AP-2034-00078"


def test_due_dates_are_business_days_from_the_city_profile(city_profile, time_machine):
    time_machine.move_to(FRIDAY_NOON)
    city_profile.appeal_ack_days = 1
    city_profile.appeal_answer_days = 10
    city_profile.save()
    appeal = submit()
    assert appeal.received_on == date(2026, 11, 20)
    assert appeal.ack_due_on == date(2026, 11, 23)  # Monday, weekend skipped
    assert appeal.answer_due_on == add_business_days(date(2026, 11, 20), 10)
    challenge = services.challenge_submit(
        name="Sam",
        email="sam@example.net",
        section_anchor="other",
        section_title="Other",
        basis="Unlawful.",
    )
    assert challenge.answer_due_on == add_business_days(
        date(2026, 11, 20), city_profile.challenge_answer_days
    )


def test_submit_audits_with_personal_data_apart(city_profile):
    appeal = submit(explanation="My secret reasons.")
    (event,) = events_for(appeal)
    assert event.action == "appeal.received"
    assert event.target_label == appeal.reference
    assert "Jordan" not in str(event.data)
    assert event.personal["name"] == "Jordan Public"
    assert event.personal["explanation"] == "My secret reasons."


def test_filing_writes_its_receipt_to_the_outbox_and_the_job_emails_it_once(
    city_profile, django_capture_on_commit_callbacks, settings, time_machine
):
    time_machine.move_to(FRIDAY_NOON)
    settings.SITE_URL = "https://social.maplefalls.example.gov"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appeal = submit()
    # Filing queues nothing on the broker: the receipt waits in the outbox,
    # written with the filing.
    assert callbacks == []
    receipt = appeal.correspondence.get()
    assert receipt.kind == Correspondence.Kind.RECEIPT
    assert receipt.outbox.status == OutboxMessage.Status.PENDING
    assert receipt.sent_at is None
    assert mail.outbox == []

    assert outbox.outbox_drain()["sent"] == 1
    (message,) = mail.outbox
    assert message.to == ["jordan@example.net"]
    assert appeal.reference in message.subject
    assert appeal.reference in message.body
    assert (
        f"https://social.maplefalls.example.gov/appeals/status/{appeal.status_token}/"
        in (message.body)
    )
    assert message.reply_to == [city_profile.appeal_email]
    # Dates in a letter's words; the deadlines with their weekday.
    assert "appeal of a removed comment on November 20, 2026." in message.body
    assert (
        "the city acknowledges it by Wednesday, November 25, 2026 and sends you "
        "a written answer by Friday, December 4, 2026."
    ) in message.body
    receipt.refresh_from_db()
    assert receipt.sent_at is not None
    assert receipt.body == message.body

    # The next run finds nothing to send.
    assert outbox.outbox_drain()["sent"] == 0
    assert len(mail.outbox) == 1


def _challenge(email: str = "jordan@example.net"):
    return services.challenge_submit(
        name="Jordan Public",
        email=email,
        section_anchor="other",
        section_title="Other",
        basis="Unlawful.",
    )


def test_a_receipt_that_could_not_be_sent_is_tried_again_later(
    city_profile, monkeypatch, time_machine
):
    time_machine.move_to(FRIDAY_NOON, tick=False)
    challenge = _challenge()

    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", mail_server_down)
    assert outbox.outbox_drain()["retrying"] == 1
    receipt = challenge.correspondence.get()
    assert receipt.outbox.attempts == 1 and receipt.sent_at is None
    monkeypatch.undo()
    # Not again at once: it waits its turn (2 minutes after the first failure).
    assert outbox.outbox_drain()["sent"] == 0
    time_machine.move_to(FRIDAY_NOON + timedelta(minutes=3), tick=False)
    assert outbox.outbox_drain()["sent"] == 1
    (message,) = mail.outbox
    assert challenge.reference in message.subject
    # The same receipt, written once and sent once.
    assert challenge.correspondence.get().sent_at is not None


def test_failing_receipts_do_not_hold_up_the_others(city_profile, monkeypatch):
    typos = [_challenge(f"typo{n}@gmial.con") for n in range(3)]
    good = _challenge("jordan@example.net")
    real_send = EmailMessage.send

    def relay(self, *args, **kwargs):
        if self.to[0].endswith("gmial.con"):
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        if self.to[0].startswith("boom"):
            raise ValueError("something unexpected")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", relay)
    boom = _challenge("boom@example.net")
    counts = outbox.outbox_drain(limit=2)
    # A refused address is given up at once, and the reason shown to staff.
    assert counts["gave_up"] == 2
    counts = outbox.outbox_drain(limit=3)
    assert counts == {"sent": 1, "retrying": 1, "gave_up": 1}
    assert [m.to for m in mail.outbox] == [["jordan@example.net"]]
    assert good.correspondence.get().sent_at is not None
    waiting = boom.correspondence.get().outbox
    assert waiting.status == OutboxMessage.Status.PENDING and waiting.attempts == 1
    assert waiting.last_error == "ValueError: something unexpected"
    given_up = typos[0].correspondence.get().outbox
    assert given_up.status == OutboxMessage.Status.GAVE_UP
    assert given_up.last_error == "the mail server refused the address"
    (event,) = events_for(given_up).filter(action="outbox.gave_up")
    assert event.data == {
        "topic": "challenge.receipt",
        "attempts": 1,
        "error": "SMTPRecipientsRefused",
    }


def test_staff_see_why_a_receipt_was_not_sent(
    city_profile, monkeypatch, login_as, city_admin
):
    challenge = _challenge("typo@gmial.con")

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})

    monkeypatch.setattr(EmailMessage, "send", refused)
    outbox.outbox_drain()
    page = login_as(city_admin).get(challenge.get_absolute_url())
    assert page.status_code == 200
    assert "<strong>Why:</strong> the mail server refused the address." in (
        page.content.decode()
    )


def test_a_receipt_is_given_up_after_its_last_try(
    city_profile, monkeypatch, settings, login_as, city_admin
):
    challenge = _challenge()
    message = challenge.correspondence.get().outbox
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=settings.OUTBOX_MAX_ATTEMPTS - 1
    )

    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", mail_server_down)
    assert outbox.outbox_drain()["gave_up"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.GAVE_UP
    assert message.attempts == settings.OUTBOX_MAX_ATTEMPTS == 8
    page = login_as(city_admin).get(challenge.get_absolute_url()).content.decode()
    assert "after 8 tries" in page
    assert "<strong>Why:</strong> ConnectionRefusedError: smtp down." in page


def test_a_postal_only_filing_gets_no_email(city_profile):
    appeal = submit(email="", postal_address="1 Elm St", reply_by=Delivery.MAIL)
    assert not appeal.correspondence.exists()
    assert not OutboxMessage.objects.exists()
    outbox.outbox_drain()
    assert mail.outbox == []


def test_a_filing_needs_a_way_to_answer(city_profile):
    with pytest.raises(ValidationError):
        submit(email="", postal_address="")
    with pytest.raises(ValidationError):
        submit(email="", postal_address="1 Elm St", reply_by=Delivery.EMAIL)
    assert not Appeal.objects.exists()


def test_staff_entry_keeps_channel_date_and_checked_letter(city_profile, manager):
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scanned letter", "application/pdf")
    appeal = submit(
        channel=Channel.LETTER,
        received_on=date(2026, 11, 2),
        by=manager,
        letter=pdf,
    )
    assert appeal.channel == Channel.LETTER
    assert appeal.entered_by == manager
    assert appeal.received_on == date(2026, 11, 2)
    assert len(appeal.letter_sha256) == 64
    assert appeal.letter.name.startswith("appeals/letters/")


def test_staff_entry_refuses_a_fake_letter_and_a_future_date(city_profile, manager):
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00not a pdf", "application/pdf")
    with pytest.raises(ValidationError):
        submit(channel=Channel.LETTER, by=manager, letter=exe)
    with pytest.raises(ValidationError):
        submit(
            channel=Channel.LETTER,
            by=manager,
            received_on=date.today() + timedelta(days=3),
        )
    with pytest.raises(ValidationError):
        submit(channel=Channel.LETTER)  # paper channels are entered by staff
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("explanation", EXPLANATION_MAX), ("comment_text", COMMENT_TEXT_MAX)],
)
def test_the_service_holds_text_to_the_form_s_limits(city_profile, field, limit):
    # Not only the public form: any caller of the service (P22).
    with pytest.raises(ValidationError) as error:
        submit(**{field: "x" * (limit + 1)})
    assert field in error.value.message_dict
    assert not Appeal.objects.exists()
    assert submit(**{field: "x" * limit}).pk


def test_a_received_date_before_2000_is_a_slip_and_refused(city_profile, manager):
    with pytest.raises(ValidationError) as error:
        submit(channel=Channel.LETTER, by=manager, received_on=date(1999, 12, 31))
    assert "before the year 2000" in str(error.value.message_dict["received_on"])
    assert not Appeal.objects.exists()
    appeal = submit(channel=Channel.LETTER, by=manager, received_on=EARLIEST_DATE)
    assert appeal.reference.startswith("AP-2000-")


# --- transitions -------------------------------------------------------------------


def test_acknowledge_records_and_writes_to_the_resident(
    city_profile, manager, django_capture_on_commit_callbacks
):
    appeal = AppealFactory(
        received_on=date(2026, 11, 20), answer_due_on=date(2026, 12, 4)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.filing_acknowledge(filing=appeal, by=manager)
    assert callbacks == []  # nothing for the broker: the letter is in the outbox
    appeal.refresh_from_db()
    assert appeal.status == S.ACKNOWLEDGED
    assert appeal.acknowledged_by == manager
    letter = appeal.correspondence.get(kind=Correspondence.Kind.ACKNOWLEDGMENT)
    assert letter.outbox.status == OutboxMessage.Status.PENDING
    assert outbox.outbox_drain()["sent"] == 1
    letter.refresh_from_db()
    assert letter.sent_at is not None
    assert mail.outbox[0].body == letter.body
    assert "received on November 20, 2026 (reference" in letter.body
    assert "written answer with its reasons by Friday, December 4, 2026." in (
        letter.body
    )
    assert [e.action for e in events_for(appeal)][-1] == "appeal.acknowledged"
    assert [e.action for e in events_for(letter.outbox)] == ["outbox.sent"]


def test_acknowledge_by_mail_waits_to_be_marked_mailed(city_profile, manager):
    appeal = AppealFactory(email="", postal_address="1 Elm St", reply_by="mail")
    services.filing_acknowledge(filing=appeal, by=manager)
    letter = appeal.correspondence.get()
    assert letter.delivery == Delivery.MAIL and letter.mailed_at is None
    assert letter.outbox is None  # nothing to email
    services.correspondence_mark_mailed(correspondence=letter, by=manager)
    letter.refresh_from_db()
    assert letter.mailed_at is not None and letter.marked_by == manager
    assert letter.sent_at == letter.mailed_at
    with pytest.raises(InvalidTransition):
        services.correspondence_mark_mailed(correspondence=letter, by=manager)


@pytest.mark.parametrize(
    "factory",
    [
        AppealAcknowledgedFactory,
        AppealUnderReviewFactory,
        AppealAnsweredFactory,
        AppealWithdrawnFactory,
    ],
)
def test_acknowledge_is_refused_after_received(city_profile, manager, factory):
    appeal = factory()
    with pytest.raises(InvalidTransition):
        services.filing_acknowledge(filing=appeal, by=manager)


def test_only_handlers_may_act(city_profile, records_officer, attorney):
    appeal = AppealFactory()
    with pytest.raises(NotPermitted):
        services.filing_acknowledge(filing=appeal, by=records_officer)
    with pytest.raises(NotPermitted):
        services.filing_acknowledge(filing=appeal, by=attorney)  # challenges only
    services.filing_acknowledge(filing=ChallengeFactory(), by=attorney)


def test_the_remover_cannot_be_the_reviewer(city_profile, manager, make_staff):
    appeal = AppealAcknowledgedFactory(removal=RemovalFactory(removed_by=manager))
    with pytest.raises(DomainError, match="P22"):
        services.filing_assign_reviewer(filing=appeal, reviewer=manager, by=manager)
    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    services.filing_assign_reviewer(filing=appeal, reviewer=other, by=manager)
    appeal.refresh_from_db()
    assert appeal.reviewer == other


def test_linking_a_removal_made_by_the_reviewer_is_refused(
    city_profile, manager, make_staff
):
    appeal = AppealAcknowledgedFactory(reviewer=manager)
    mine = RemovalFactory(removed_by=manager)
    with pytest.raises(DomainError, match="P22"):
        services.appeal_link_removal(appeal=appeal, removal=mine, by=manager)
    theirs = RemovalFactory()
    services.appeal_link_removal(appeal=appeal, removal=theirs, by=manager)
    appeal.refresh_from_db()
    assert appeal.removal == theirs


def test_a_reviewer_must_be_able_to_handle_appeals(
    city_profile, manager, records_officer
):
    appeal = AppealFactory()
    with pytest.raises(NotPermitted):
        services.filing_assign_reviewer(
            filing=appeal, reviewer=records_officer, by=manager
        )


def test_start_review_needs_a_reviewer(city_profile, manager):
    appeal = AppealAcknowledgedFactory()
    with pytest.raises(DomainError):
        services.filing_start_review(filing=appeal, by=manager)
    services.filing_assign_reviewer(filing=appeal, reviewer=manager, by=manager)
    services.filing_start_review(filing=appeal, by=manager)
    assert appeal.status == S.UNDER_REVIEW


@pytest.mark.parametrize(
    "factory", [AppealFactory, AppealAnsweredFactory, AppealWithdrawnFactory]
)
def test_start_review_is_refused_unless_acknowledged(city_profile, manager, factory):
    appeal = factory(reviewer=manager)
    with pytest.raises(InvalidTransition):
        services.filing_start_review(filing=appeal, by=manager)


def test_answer_upheld_keeps_the_response_exactly_as_sent(
    city_profile, manager, django_capture_on_commit_callbacks
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    text = REASONED + "\n\nSecond paragraph, kept as written."
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(
            appeal=appeal, by=manager, outcome="upheld", response=text
        )
    appeal.refresh_from_db()
    assert appeal.status == S.ANSWERED and appeal.outcome == "upheld"
    assert appeal.response == text
    letter = appeal.correspondence.get(kind=Correspondence.Kind.RESPONSE)
    assert text in letter.body
    outbox.outbox_drain()
    assert mail.outbox[-1].body == letter.body
    day = appeal.received_on
    assert f"{appeal.reference}, received on {day:%B} {day.day}, {day.year}." in (
        letter.body
    )
    event = events_for(appeal).get(action="appeal.answered")
    assert event.personal == {"response": text}
    assert "response" not in event.data


def test_answer_needs_a_reasoned_response(city_profile, manager):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    with pytest.raises(ValidationError) as err:
        services.appeal_answer(
            appeal=appeal, by=manager, outcome="upheld", response="No."
        )
    assert "response" in err.value.message_dict
    appeal.refresh_from_db()
    assert appeal.status == S.UNDER_REVIEW


def test_answer_needs_the_removal_linked(city_profile, manager):
    appeal = AppealUnderReviewFactory(reviewer=manager, removal=None)
    with pytest.raises(DomainError):
        services.appeal_answer(
            appeal=appeal, by=manager, outcome="upheld", response=REASONED
        )


def test_modified_outcome_names_the_new_categories(city_profile, manager):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    with pytest.raises(ValidationError):
        services.appeal_answer(
            appeal=appeal, by=manager, outcome="modified", response=REASONED
        )
    links = RemovalCategory.objects.filter(number=8)
    services.appeal_answer(
        appeal=appeal,
        by=manager,
        outcome="modified",
        response=REASONED,
        categories=links,
    )
    assert list(appeal.revised_categories.values_list("number", flat=True)) == [8]


def test_reversal_asks_for_the_restoration_recorded_once_done(
    city_profile, manager, city_admin
):
    """P22: a reversal does not say "restored" by itself; it asks the
    account's managers to restore the comment, and the restoration amendment is
    recorded when one of them confirms it."""
    from moderation.services import restoration_complete

    appeal = AppealUnderReviewFactory(reviewer=manager)
    services.appeal_answer(
        appeal=appeal, by=manager, outcome="reversed", response=REASONED
    )
    assert not RemovalAmendment.objects.filter(decision=appeal.removal).exists()
    task = appeal.removal.restoration_tasks.get()
    assert task.status == "open"
    assert task.source == f"Appeal {appeal.reference} reversed the removal."
    assert task.appeal_id == appeal.pk
    assert REASONED not in task.reason  # the response stays with the appeal
    restoration_complete(task=task, by=city_admin, note="Unhidden on Facebook.")
    amendment = RemovalAmendment.objects.get(decision=appeal.removal)
    assert amendment.kind == RemovalAmendment.Kind.RESTORATION
    assert amendment.appeal_reference == appeal.reference
    assert amendment.made_by == city_admin


def test_only_the_reviewer_or_the_administrator_answers(
    city_profile, manager, make_staff, city_admin
):
    appeal = AppealUnderReviewFactory(reviewer=manager)
    other = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    with pytest.raises(NotPermitted):
        services.appeal_answer(
            appeal=appeal, by=other, outcome="upheld", response=REASONED
        )
    services.appeal_answer(
        appeal=appeal, by=city_admin, outcome="upheld", response=REASONED
    )
    assert appeal.answered_by == city_admin


def test_the_remover_cannot_answer_even_as_administrator(
    city_profile, city_admin, manager
):
    appeal = AppealUnderReviewFactory(
        reviewer=manager, removal=RemovalFactory(removed_by=city_admin)
    )
    with pytest.raises(DomainError, match="P22"):
        services.appeal_answer(
            appeal=appeal, by=city_admin, outcome="reversed", response=REASONED
        )
    assert not RemovalAmendment.objects.exists()


@pytest.mark.parametrize(
    "factory", [AppealFactory, AppealAnsweredFactory, AppealWithdrawnFactory]
)
def test_answer_is_refused_unless_acknowledged_or_under_review(
    city_profile, manager, factory
):
    appeal = factory(reviewer=manager, removal=RemovalFactory())
    with pytest.raises(InvalidTransition):
        services.appeal_answer(
            appeal=appeal, by=manager, outcome="upheld", response=REASONED
        )


def test_withdraw_from_each_open_status(city_profile, manager):
    for factory in (AppealFactory, AppealAcknowledgedFactory, AppealUnderReviewFactory):
        appeal = factory()
        services.filing_withdraw(filing=appeal, by=manager, note="Phoned to withdraw.")
        appeal.refresh_from_db()
        assert appeal.status == S.WITHDRAWN and appeal.withdrawn_at
    with pytest.raises(InvalidTransition):
        services.filing_withdraw(
            filing=AppealAnsweredFactory(), by=manager, note="Too late."
        )
    with pytest.raises(ValidationError):
        services.filing_withdraw(filing=AppealFactory(), by=manager, note=" ")


# --- legality challenges -----------------------------------------------------------


def test_consultation_is_recorded_by_the_attorney_without_notes_in_the_audit(
    city_profile, attorney, city_admin, manager
):
    challenge = ChallengeAcknowledgedFactory()
    with pytest.raises(NotPermitted):
        services.challenge_record_consultation(
            challenge=challenge, by=manager, attorney=attorney, notes="x"
        )
    with pytest.raises(NotPermitted):  # the attorney consulted must be one
        services.challenge_record_consultation(
            challenge=challenge, by=city_admin, attorney=manager, notes="x"
        )
    consultation = services.challenge_record_consultation(
        challenge=challenge, by=city_admin, attorney=attorney, notes="Privileged view."
    )
    assert consultation.classification == "confidential"
    for event in events_for(challenge):
        assert "Privileged view." not in str(event.data)
        assert "Privileged view." not in str(event.personal)


@pytest.mark.parametrize("days_before", [1, 365 * 2000])
def test_consultation_dated_before_the_challenge_was_received_is_refused(
    city_profile, attorney, days_before
):
    challenge = ChallengeAcknowledgedFactory()
    with pytest.raises(ValidationError) as refused:
        services.challenge_record_consultation(
            challenge=challenge,
            by=attorney,
            attorney=attorney,
            notes="x",
            consulted_on=challenge.received_on - timedelta(days=days_before),
        )
    assert "consulted_on" in refused.value.message_dict
    assert not challenge.consultations.exists()
    services.challenge_record_consultation(  # the day it came is fine
        challenge=challenge,
        by=attorney,
        attorney=attorney,
        notes="x",
        consulted_on=challenge.received_on,
    )


def test_challenge_answer_needs_the_attorney_consulted(city_profile, attorney):
    challenge = ChallengeUnderReviewFactory(reviewer=attorney)
    with pytest.raises(DomainError):
        services.challenge_answer(
            challenge=challenge, by=attorney, outcome="stands", response=REASONED
        )
    ConsultationFactory(challenge=challenge, attorney=attorney)
    services.challenge_answer(
        challenge=challenge, by=attorney, outcome="stands", response=REASONED
    )
    challenge.refresh_from_db()
    assert challenge.status == S.ANSWERED and challenge.outcome == "stands"


def test_amended_outcome_links_a_published_version(city_profile, attorney, city_admin):
    from tests.notices.factories import publish_current

    challenge = ChallengeUnderReviewFactory(reviewer=attorney)
    ConsultationFactory(challenge=challenge, attorney=attorney)
    with pytest.raises(ValidationError) as err:
        services.challenge_answer(
            challenge=challenge, by=attorney, outcome="amended", response=REASONED
        )
    assert "amended_version" in err.value.message_dict
    version = publish_current(kind="policy", by=city_admin)
    services.challenge_answer(
        challenge=challenge,
        by=attorney,
        outcome="amended",
        response=REASONED,
        amended_version=version,
    )
    assert challenge.amended_version == version


# --- email, selectors --------------------------------------------------------------


def test_sending_twice_sends_once(city_profile, manager):
    appeal = AppealFactory()
    services.filing_acknowledge(filing=appeal, by=manager)
    assert outbox.outbox_drain()["sent"] == 1
    assert outbox.outbox_drain()["sent"] == 0
    assert len(mail.outbox) == 1


def test_removal_ids_under_open_appeal():
    open_one = AppealUnderReviewFactory()
    AppealAnsweredFactory()
    AppealWithdrawnFactory(removal=RemovalFactory())
    AppealFactory(removal=None)
    assert selectors.removal_ids_under_open_appeal() == {open_one.removal_id}


def test_removal_candidates_by_account_date_and_author(
    city_profile, time_machine, city_admin
):
    viewer = city_admin
    time_machine.move_to(FRIDAY_NOON)
    target = RemovalFactory(author_name="Jordan Public", author_handle="@jpublic")
    RemovalFactory(
        account=target.account, author_name="Someone Else", author_handle="@x"
    )
    old = RemovalFactory(account=target.account, author_name="Jordan Public")
    found = selectors.removal_candidates(
        user=viewer,
        account=target.account,
        around=date(2026, 11, 19),
        author="jpublic",
    )
    assert found == [target]
    by_name = selectors.removal_candidates(
        user=viewer, account=target.account, author="Jordan"
    )
    assert set(by_name) == {target, old}
    assert selectors.removal_candidates(user=viewer, around=date(2026, 10, 1)) == []
    assert selectors.removal_candidates(
        user=viewer, comment_url=target.comment_url
    ) == [target]
