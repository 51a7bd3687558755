"""Letters to residents go through the outbox (core.outbox, P22, P23):
a staff step never fails because the broker is down, the letter waits in the
outbox and is sent once the job runs again; the filing page says where each
letter is, and why one has not gone."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from appeals import services
from appeals.models import Correspondence, Filing
from core import outbox
from core.audit import events_for
from core.models import AuditEvent, OutboxMessage
from tests.appeals.factories import (
    AppealFactory,
    ChallengeUnderReviewFactory,
    ConsultationFactory,
)

S = Filing.Status
M = OutboxMessage.Status
REASONED = (
    "The city attorney reviewed the challenge. The categories follow the model "
    "policy and are viewpoint-neutral; the policy stands as written."
)


def html_of(response) -> str:
    return response.content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_acknowledging_while_the_broker_is_down_works_and_the_email_goes_when_back(
    request, broker_down, login_as, manager, city_profile
):
    appeal = AppealFactory()
    client = login_as(manager)
    client.raise_request_exception = False  # a server error shows as a 500

    response = client.post(appeal.get_absolute_url(), {"action": "acknowledge"})

    # The step is taken: no server error, and the letter waits in the outbox.
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == S.ACKNOWLEDGED
    letter = appeal.correspondence.get(kind=Correspondence.Kind.ACKNOWLEDGMENT)
    assert letter.outbox.status == M.PENDING
    assert mail.outbox == []
    page = html_of(client.get(appeal.get_absolute_url()))
    assert "Acknowledgment by email: <strong>waiting to be sent</strong> since" in page

    # The broker is back: beat hands the outbox job to a real worker.
    broker_down()
    worker = request.getfixturevalue("celery_worker_app")
    from core.tasks import outbox_drain_task

    result = outbox_drain_task.delay()
    assert result.get(timeout=60) == {"sent": 1, "retrying": 0, "gave_up": 0}
    assert worker.conf.task_always_eager is False
    (message,) = mail.outbox
    assert message.to == [appeal.email]
    assert message.body == letter.body
    assert message.reply_to == [city_profile.appeal_email]
    letter.outbox.refresh_from_db()
    assert letter.outbox.status == M.SENT
    # Run again: sent once, however often the job runs.
    assert outbox_drain_task.delay().get(timeout=60)["sent"] == 0
    assert len(mail.outbox) == 1
    page = html_of(client.get(appeal.get_absolute_url()))
    assert "Acknowledgment by email: sent " in page


@pytest.mark.django_db(transaction=True)
def test_answering_while_the_broker_is_down_works_and_the_answer_waits(
    broker_down, login_as, city_admin, city_profile
):
    challenge = ChallengeUnderReviewFactory(reviewer=city_admin)
    ConsultationFactory(challenge=challenge)
    client = login_as(city_admin)
    client.raise_request_exception = False

    response = client.post(
        challenge.get_absolute_url(),
        {"action": "answer", "outcome": "stands", "response": REASONED},
    )

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == S.ANSWERED
    answer = challenge.correspondence.get(kind=Correspondence.Kind.RESPONSE)
    assert answer.outbox.status == M.PENDING
    assert answer.outbox.permission == "appeals.handle_legalitychallenge"
    assert mail.outbox == []
    # The outbox job sends it (run here in the test's own thread).
    assert outbox.outbox_drain()["sent"] == 1
    assert mail.outbox[0].body == answer.body
    assert REASONED in answer.body


@pytest.mark.django_db
def test_a_step_that_fails_leaves_no_email_behind(city_profile, manager, monkeypatch):
    appeal = AppealFactory()

    def audit_down(**kwargs):
        raise RuntimeError("the step fails after writing its letter")

    monkeypatch.setattr("appeals.services.handling.audit.record_event", audit_down)
    with pytest.raises(RuntimeError):
        services.filing_acknowledge(filing=appeal, by=manager)
    # The letter and its email were in the step's transaction: both are gone.
    assert not Correspondence.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert outbox.outbox_drain()["sent"] == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_filing_page_says_where_each_letter_is_and_why(
    city_profile, manager, login_as, monkeypatch, time_machine
):
    time_machine.move_to("2026-11-20 15:05 -06:00", tick=False)
    typo = AppealFactory(email="typo@gmial.con")
    services.filing_acknowledge(filing=typo, by=manager)
    down = AppealFactory()
    services.filing_acknowledge(filing=down, by=manager)
    waiting = AppealFactory()
    services.filing_acknowledge(filing=waiting, by=manager)
    by_mail = AppealFactory(email="", postal_address="1 Elm St", reply_by="mail")
    services.filing_acknowledge(filing=by_mail, by=manager)

    def relay(self, *args, **kwargs):
        if self.to == ["typo@gmial.con"]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailMessage, "send", relay)
    outbox.outbox_drain(limit=2)  # the typo and the one whose mail server is down
    client = login_as(manager)

    page = html_of(client.get(typo.get_absolute_url()))
    assert (
        '<strong class="overdue">not sent: gave up</strong> '
        "Nov. 20, 2026, 3:05 p.m. after 1 try"
    ) in page
    assert "<strong>Why:</strong> the mail server refused the address." in page
    assert "Try sending it again</button>" in page

    page = html_of(client.get(down.get_absolute_url()))
    assert (
        '<strong class="overdue">not sent yet: failed 1 time</strong>, '
        "next try Nov. 20, 2026, 3:07 p.m."
    ) in page
    assert "Why:</strong> ConnectionRefusedError: [Errno 111] Connection refused" in (
        page
    )
    assert "Try sending it again" not in page

    page = html_of(client.get(waiting.get_absolute_url()))
    assert (
        "<strong>waiting to be sent</strong> since Nov. 20, 2026, 3:05 p.m.</h3>"
    ) in page

    page = html_of(client.get(by_mail.get_absolute_url()))
    assert "Acknowledgment by mail: <strong>not mailed yet</strong>" in page
    assert "Mark mailed" in page


@pytest.mark.django_db
def test_a_handler_tries_a_given_up_letter_again_from_the_filing_page(
    city_profile, manager, login_as, monkeypatch
):
    appeal = AppealFactory(email="typo@gmial.con")
    services.filing_acknowledge(filing=appeal, by=manager)

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})

    monkeypatch.setattr(EmailMessage, "send", refused)
    assert outbox.outbox_drain()["gave_up"] == 1
    monkeypatch.undo()  # the mail server's problem was fixed
    message = appeal.correspondence.get().outbox

    response = login_as(manager).post(
        f"/staff/emails/{message.pk}/try-again/",
        {"next": appeal.get_absolute_url()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == appeal.get_absolute_url()
    assert "the email will be sent again shortly" in html_of(response)
    message.refresh_from_db()
    assert message.status == M.PENDING and message.attempts == 0
    event = events_for(message).get(action="outbox.retried")
    assert event.actor == manager
    assert outbox.outbox_drain()["sent"] == 1
    assert mail.outbox[0].to == ["typo@gmial.con"]


@pytest.mark.django_db
def test_only_handlers_of_the_filing_may_try_its_letter_again(
    city_profile, manager, records_officer, login_as
):
    appeal = AppealFactory()
    services.filing_acknowledge(filing=appeal, by=manager)
    message = appeal.correspondence.get().outbox
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=M.GAVE_UP, next_attempt_at=None, gave_up_at=message.created_at
    )
    # A Records Officer reads the filing but does not handle appeals.
    page = html_of(login_as(records_officer).get(appeal.get_absolute_url()))
    assert "not sent: gave up" in page and "Try sending it again" not in page
    response = login_as(records_officer).post(f"/staff/emails/{message.pk}/try-again/")
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == M.GAVE_UP
    assert not AuditEvent.objects.filter(action="outbox.retried").exists()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_moves_every_email_into_the_outbox(settings):
    """Migrations 0008-0010: the emails of an earlier release keep their state in
    the outbox, a receipt the old job had not written yet is written, and a
    letter marked as mailed stays as it was."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.accounts.factories import CityProfileFactory, UserFactory

    settings.SITE_URL = "https://social.maplefalls.example.gov"
    before = [("appeals", "0007_bounded_text")]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    mailed_on = datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("America/Chicago"))
    CityProfileFactory()
    clerk = UserFactory()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Appeal = old.get_model("appeals", "Appeal")
        Letter = old.get_model("appeals", "Correspondence")

        def appeal(n: int, **fields):
            values = {
                "reference": f"AP-2026-0000{n}",
                "status_token": f"token-{n}-" + "x" * 30,
                "name": f"Resident {n}",
                "email": f"resident{n}@example.net",
                "received_on": date(2026, 11, 2),
                "ack_due_on": date(2026, 11, 5),
                "answer_due_on": date(2026, 11, 16),
                "comment_text": "It was not spam.",
                "explanation": "My comment was an opinion.",
                **fields,
            }
            return Appeal.objects.create(**values)

        def letter(filing, kind: str, **fields):
            values = {
                "kind": kind,
                "delivery": "email",
                "to": filing.email,
                "subject": f"About {filing.reference}",
                "body": f"Dear {filing.name},\n",
                **fields,
            }
            return Letter.objects.create(appeal=filing, **values)

        sent = letter(appeal(1), "acknowledgment", sent_at=mailed_on)
        refused = letter(
            appeal(2), "receipt", send_error="the mail server refused the address"
        )
        waiting = letter(appeal(3), "response")
        no_receipt_yet = appeal(4, receipt_pending=True, receipt_attempts=0)
        by_post = appeal(5, email="", postal_address="1 Elm St", reply_by="mail")
        posted = letter(
            by_post,
            "acknowledgment",
            delivery="mail",
            to="1 Elm St",
            sent_at=mailed_on,
            marked_by_id=clerk.pk,
        )
    finally:
        MigrationExecutor(connection).migrate(latest)

    def now_of(old_letter):
        return Correspondence.objects.select_related("outbox").get(pk=old_letter.pk)

    moved = now_of(sent)
    assert moved.outbox.status == M.SENT and moved.outbox.sent_at == mailed_on
    assert moved.mailed_at is None and moved.sent_at == mailed_on
    assert moved.outbox.to == "resident1@example.net"
    assert moved.outbox.permission == "appeals.handle_appeal"
    assert moved.outbox.about == "Acknowledgment for AP-2026-00001"
    moved = now_of(refused)
    assert moved.outbox.status == M.GAVE_UP
    assert moved.outbox.last_error == "the mail server refused the address"
    assert now_of(waiting).outbox.status == M.PENDING
    posted_now = now_of(posted)
    assert posted_now.outbox is None
    assert posted_now.mailed_at == mailed_on and posted_now.marked_by_id == clerk.pk
    receipt = Correspondence.objects.get(appeal_id=no_receipt_yet.pk)
    assert receipt.kind == Correspondence.Kind.RECEIPT
    assert "Tracking reference: AP-2026-00004" in receipt.body
    assert (
        "https://social.maplefalls.example.gov/appeals/status/token-4-" in receipt.body
    )
    assert receipt.outbox.status == M.PENDING
    assert receipt.outbox.reply_to == "clerk@maplefalls.example.gov"

    # The outbox job sends the two that were still to go, and only those.
    assert outbox.outbox_drain()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "resident3@example.net",
        "resident4@example.net",
    ]
