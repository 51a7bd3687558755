"""The outbox (core.outbox): messages written in the caller's
transaction, sent by the periodic job once each, tried again later with a longer
wait each time, given up with the reason, tried again by staff; the dashboard
panel, the admin list, and that nothing else in the product sends email."""

from __future__ import annotations

import ast
import re
import smtplib
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from core import outbox, roles
from core.audit import events_for
from core.exceptions import InvalidTransition, NotPermitted
from core.models import OutboxMessage
from tests.core.factories import (
    OutboxGaveUpFactory,
    OutboxMessageFactory,
    OutboxRetryingFactory,
    OutboxSentFactory,
)

pytestmark = pytest.mark.django_db

M = OutboxMessage.Status
CHICAGO = ZoneInfo("America/Chicago")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=CHICAGO)
ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "notices", "moderation", "appeals", "retention")


def html_of(response) -> str:
    return response.content.decode()


def outbox_panel_class(html: str) -> str:
    """The class of the outbox panel on the dashboard ("panel" or "panel alert")."""
    found = re.search(
        r'<section class="([^"]*)" aria-labelledby="panel-\d+">\s*'
        r'<h2 id="panel-\d+">Emails not sent yet</h2>',
        html,
    )
    assert found, "no outbox panel"
    return found.group(1)


def _enqueue(**overrides):
    values = {
        "to": "jordan@example.net",
        "subject": "We received your appeal (AP-2026-00042)",
        "body": "Dear Jordan,\n\nWe received your appeal.\n",
        "audience": OutboxMessage.Audience.RESIDENT,
        "topic": "appeal.receipt",
        "about": "Receipt for AP-2026-00042",
        "about_url": "/appeals/staff/appeal/1/",
        "permission": "appeals.handle_appeal",
        "reply_to": "clerk@maplefalls.example.gov",
    }
    return outbox.outbox_enqueue(**{**values, **overrides})


def _mail_server_down(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


# --- writing and sending ------------------------------------------------------------


def test_a_message_waits_in_the_outbox_until_the_job_sends_it_once():
    message = _enqueue()
    assert message.status == M.PENDING and message.attempts == 0
    assert mail.outbox == []

    assert outbox.outbox_drain() == {"sent": 1, "retrying": 0, "gave_up": 0}
    (sent,) = mail.outbox
    assert sent.to == ["jordan@example.net"]
    assert sent.reply_to == ["clerk@maplefalls.example.gov"]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.body == message.body
    assert sent.extra_headers["Message-ID"].startswith(f"<outbox.{message.pk}.")
    message.refresh_from_db()
    assert message.status == M.SENT and message.attempts == 1
    (event,) = events_for(message)
    assert event.action == "outbox.sent"
    assert event.data == {"topic": "appeal.receipt", "attempts": 1}
    assert "jordan" not in str(event.data) + event.target_label

    # Run again: nothing is sent twice.
    assert outbox.outbox_drain()["sent"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", "not an address"),
        ("to", ""),
        ("permission", "handle_appeal"),
        ("audience", "everyone"),
        ("subject", ""),
    ],
)
def test_a_message_that_cannot_be_sent_is_refused_when_written(field, value):
    with pytest.raises(ValidationError) as error:
        _enqueue(**{field: value})
    assert field in error.value.message_dict
    assert not OutboxMessage.objects.exists()


def test_a_failed_send_waits_longer_each_time_then_is_given_up(
    monkeypatch, settings, time_machine
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 120
    time_machine.move_to(NOON, tick=False)
    message = _enqueue()
    monkeypatch.setattr(EmailMessage, "send", _mail_server_down)

    assert outbox.outbox_drain() == {"sent": 0, "retrying": 1, "gave_up": 0}
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at == NOON + timedelta(minutes=2)
    assert (
        message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    # Not before its next try...
    time_machine.move_to(NOON + timedelta(minutes=2, seconds=-1), tick=False)
    assert outbox.outbox_drain()["retrying"] == 0
    # ...then at it, and the wait doubles.
    time_machine.move_to(NOON + timedelta(minutes=2), tick=False)
    assert outbox.outbox_drain()["retrying"] == 1
    message.refresh_from_db()
    assert message.next_attempt_at == NOON + timedelta(minutes=2 + 4)
    # The last try: given up, with the reason kept.
    time_machine.move_to(NOON + timedelta(minutes=6), tick=False)
    assert outbox.outbox_drain() == {"sent": 0, "retrying": 0, "gave_up": 1}
    message.refresh_from_db()
    assert message.status == M.GAVE_UP and message.attempts == 3
    assert message.gave_up_at == NOON + timedelta(minutes=6)
    assert message.next_attempt_at is None
    assert message.last_error.startswith("ConnectionRefusedError")
    event = events_for(message).get(action="outbox.gave_up")
    assert event.data == {
        "topic": "appeal.receipt",
        "attempts": 3,
        "error": "ConnectionRefusedError",
    }
    assert event.personal == {"last_error": message.last_error}
    # A given-up message is not tried again by the job.
    time_machine.move_to(NOON + timedelta(days=1), tick=False)
    assert outbox.outbox_drain() == {"sent": 0, "retrying": 0, "gave_up": 0}


def test_the_wait_doubles_up_to_the_longest(settings):
    settings.OUTBOX_RETRY_SECONDS = 120
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    waits = [outbox.retry_wait(n) for n in range(1, 8)]
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60)]
    assert outbox.retry_wait(10_000) == timedelta(hours=1)


def test_a_refused_address_is_given_up_at_once_and_the_others_still_go(monkeypatch):
    typo = _enqueue(to="typo@gmial.con")
    good = _enqueue()
    real_send = EmailMessage.send

    def relay(self, *args, **kwargs):
        if self.to == ["typo@gmial.con"]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", relay)
    assert outbox.outbox_drain() == {"sent": 1, "retrying": 0, "gave_up": 1}
    typo.refresh_from_db()
    good.refresh_from_db()
    assert typo.status == M.GAVE_UP and typo.attempts == 1
    assert typo.last_error == "the mail server refused the address"
    assert good.status == M.SENT


def test_a_run_sends_at_most_its_batch(settings):
    settings.OUTBOX_DRAIN_BATCH_SIZE = 2
    for _ in range(3):
        _enqueue()
    assert outbox.outbox_drain()["sent"] == 2
    assert outbox.outbox_drain()["sent"] == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_a_message_once(postgres, monkeypatch):
    """On PostgreSQL the second run skips the row the first one holds locked:
    it neither waits for it nor sends it again."""
    message = _enqueue()
    real_send = EmailMessage.send
    first_is_sending, second_is_done = threading.Event(), threading.Event()
    results: dict[str, dict[str, int]] = {}

    def slow_send(self, *args, **kwargs):
        first_is_sending.set()
        assert second_is_done.wait(timeout=30), "the second run waited for the lock"
        return real_send(self, *args, **kwargs)

    def run(name: str) -> None:
        from django.db import connection

        try:
            results[name] = outbox.outbox_drain()
        finally:
            connection.close()

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert first_is_sending.wait(timeout=30)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(timeout=20)
    finished_alone = not second.is_alive()
    second_is_done.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert finished_alone, "the second run did not finish while the first was sending"
    assert results["second"] == {"sent": 0, "retrying": 0, "gave_up": 0}
    assert results["first"]["sent"] == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == M.SENT and message.attempts == 1


def test_the_outbox_job_runs_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-drain"]
    assert entry["task"] == "core.tasks.outbox_drain_task"
    assert entry["schedule"] == settings.OUTBOX_DRAIN_INTERVAL_SECONDS == 30
    assert entry["options"]["expires"] == 30
    # One job for every email: the receipts job is gone.
    assert "appeals-receipts" not in settings.CELERY_BEAT_SCHEDULE
    from config.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_every_email_in_the_product_goes_through_the_outbox():
    """Only core.outbox talks to the mail server, and no request path hands work
    to the broker (a broker outage would fail the step, P22, P23)."""
    mail_calls = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers"}
    mail_classes = {"EmailMessage", "EmailMultiAlternatives"}
    broker_calls = {"delay", "apply_async", "send_task"}
    problems = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            # core/audit_anchor.py emails the audit chain's head straight from its
            # job, not through the outbox: a row waiting in the database is what
            # someone cutting the trail could delete first (docs/audit.md).
            if "/migrations/" in rel or rel in (
                "core/outbox.py",
                "core/audit_anchor.py",
            ):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(
                    node.func, "id", None
                )
                if name in mail_calls | mail_classes | broker_calls:
                    problems.append(f"{rel}:{node.lineno}: {name}()")
    assert not problems, "\n".join(problems)


# --- staff: trying again, the panel, the admin ----------------------------------------


def test_a_handler_tries_a_given_up_message_again(manager):
    message = OutboxGaveUpFactory()
    outbox.outbox_retry(message=message, by=manager)
    assert message.status == M.PENDING and message.attempts == 0
    assert message.gave_up_at is None and message.next_attempt_at is not None
    (event,) = events_for(message).filter(action="outbox.retried")
    assert event.actor == manager
    assert event.data["changes"] == {"status": ["gave_up", "pending"]}
    assert outbox.outbox_drain()["sent"] == 1


@pytest.mark.parametrize(
    ("factory", "says"),
    [
        (OutboxSentFactory, "was sent"),
        (OutboxMessageFactory, "is still being tried"),
        (OutboxRetryingFactory, "is still being tried"),
    ],
)
def test_only_a_given_up_message_is_tried_again(manager, factory, says):
    message = factory()
    with pytest.raises(InvalidTransition, match=says):
        outbox.outbox_retry(message=message, by=manager)
    assert not events_for(message).filter(action="outbox.retried").exists()


def test_only_those_who_handle_a_message_try_it_again(records_officer, manager):
    about_a_challenge = OutboxGaveUpFactory(
        permission="appeals.handle_legalitychallenge"
    )
    for user in (records_officer, manager):
        with pytest.raises(NotPermitted):
            outbox.outbox_retry(message=about_a_challenge, by=user)
    about_a_challenge.refresh_from_db()
    assert about_a_challenge.status == M.GAVE_UP


def test_a_destroyed_message_is_never_sent():
    waiting, sent = OutboxMessageFactory(), OutboxSentFactory()
    assert outbox.outbox_redact(ids=[waiting.pk, sent.pk], run_label="run 1") == 2
    waiting.refresh_from_db()
    sent.refresh_from_db()
    for message in (waiting, sent):
        assert (message.to, message.body, message.reply_to) == ("", "", "")
        assert message.redacted_at is not None
    assert sent.status == M.SENT
    # The waiting one is given up, not sent empty, and cannot be tried again.
    assert waiting.status == M.GAVE_UP
    assert waiting.last_error == outbox.DESTROYED
    assert outbox.outbox_drain()["sent"] == 0
    assert mail.outbox == []


def test_the_dashboard_shows_each_role_the_emails_it_handles(
    login_as, manager, city_admin, records_officer, time_machine
):
    time_machine.move_to(NOON, tick=False)
    refused = OutboxGaveUpFactory(about="Acknowledgment for AP-2026-00001")
    failing = OutboxRetryingFactory(about="Receipt for AP-2026-00002")
    challenge = OutboxMessageFactory(
        about="Receipt for LC-2026-00003",
        permission="appeals.handle_legalitychallenge",
    )
    staff = OutboxGaveUpFactory(
        about="Deadline reminder of Nov. 20, 2026 for dana",
        audience=OutboxMessage.Audience.STAFF,
        permission="accounts.change_user",
        to="dana@city.example.gov",
    )
    OutboxSentFactory(about="Receipt for AP-2026-00004")

    html = html_of(login_as(manager).get("/staff/"))
    assert "Emails not sent yet" in html
    panel = html.split("Emails not sent yet")[1].split("</section>")[0]
    assert (
        f'<a href="/appeals/staff/">{refused.about}</a>, to a resident '
        f"({refused.to}): "
        '<strong class="overdue">not sent: gave up</strong> Nov. 20, 2026, noon after '
        "1 try"
    ) in panel
    assert "<strong>Why:</strong> the mail server refused the address." in panel
    assert f'action="/staff/emails/{refused.pk}/try-again/"' in panel
    assert (
        f"{failing.about}</a>, to a resident ({failing.to}): "
        '<strong class="overdue">not sent yet: failed 2 times</strong>, next try '
        "Nov. 20, 2026, 12:04 p.m."
    ) in panel
    assert "Why:</strong> ConnectionRefusedError: [Errno 111]" in panel
    assert "AP-2026-00004" not in panel  # sent: nothing to do
    assert challenge.about not in panel  # managers do not handle challenges
    assert staff.about not in panel
    assert outbox_panel_class(html) == "panel alert"

    panel = html_of(login_as(city_admin).get("/staff/"))
    for message in (refused, failing, challenge, staff):
        assert message.about in panel
    assert "to a staff member (dana@city.example.gov)" in panel
    assert "Every email sent or waiting" in panel

    assert "Emails not sent yet" not in html_of(
        login_as(records_officer).get("/staff/")
    )


def test_the_dashboard_says_when_the_outbox_job_is_late(
    login_as, city_admin, time_machine
):
    time_machine.move_to(NOON, tick=False)
    OutboxMessageFactory(about="Receipt for AP-2026-00010")
    html = html_of(login_as(city_admin).get("/staff/"))
    assert "<strong>waiting to be sent</strong> since Nov. 20, 2026, noon" in html
    assert "is the outbox job running?" not in html
    assert outbox_panel_class(html) == "panel"  # due now: the job sends it soon

    # Beat, the worker or the broker is down: the message is late.
    time_machine.move_to(NOON + timedelta(minutes=10), tick=False)
    html = html_of(login_as(city_admin).get("/staff/"))
    assert "(late: is the outbox job running?)" in html
    assert "Some emails are late:" in html
    assert outbox_panel_class(html) == "panel alert"


def test_no_panel_when_every_email_has_gone(login_as, city_admin):
    OutboxSentFactory()
    assert "Emails not sent yet" not in html_of(login_as(city_admin).get("/staff/"))


def test_trying_again_goes_back_only_to_a_page_of_this_site(login_as, manager):
    message = OutboxGaveUpFactory()
    client = login_as(manager)
    url = f"/staff/emails/{message.pk}/try-again/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    # Asked twice (two tabs): the second says why, no server error.
    response = client.post(url, {"next": "/appeals/staff/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/appeals/staff/"
    assert "This email is still being tried: there is nothing to try again." in (
        html_of(response)
    )
    for pk in ("99999999", "9" * 30, "x"):
        assert client.post(f"/staff/emails/{pk}/try-again/").status_code == 404


def test_the_administrator_lists_every_email_read_only(login_as, city_admin):
    given_up = OutboxGaveUpFactory(about="Receipt for AP-2026-00020")
    OutboxSentFactory(about="Receipt for AP-2026-00021")
    client = login_as(city_admin)
    html = html_of(client.get("/admin/core/outboxmessage/"))
    assert "AP-2026-00020" in html and "AP-2026-00021" in html
    assert client.get("/admin/core/outboxmessage/add/").status_code == 403
    change = client.get(f"/admin/core/outboxmessage/{given_up.pk}/change/")
    assert change.status_code == 200
    assert 'name="to"' not in html_of(change)  # shown, not editable
    response = client.post(
        "/admin/core/outboxmessage/",
        {"action": "try_again", "_selected_action": [given_up.pk]},
        follow=True,
    )
    assert "1 email will be tried again." in html_of(response)
    given_up.refresh_from_db()
    assert given_up.status == M.PENDING


def test_staff_read_the_emails_they_handle_as_they_were_sent(login_as, manager):
    """The emails page (and, in the demo, where the demo's emails land): a
    manager reads the receipt a resident was sent, newest first (P22)."""
    older = OutboxSentFactory(
        subject="We received your appeal (AP-2026-00031)",
        body="Dear Jordan Example,\n\nWe received your appeal on Nov. 2.\n",
    )
    newer = OutboxMessageFactory(subject="Your appeal is answered (AP-2026-00032)")
    client = login_as(manager)
    html = html_of(client.get("/staff/emails/"))
    assert html.index("AP-2026-00032") < html.index("AP-2026-00031")
    assert f'href="/staff/emails/{older.pk}/"' in html
    assert "<strong>waiting to be sent</strong>" in html  # the newer one
    detail = html_of(client.get(f"/staff/emails/{older.pk}/"))
    assert "Dear Jordan Example," in detail and older.to in detail
    assert re.search(r"<dt>State</dt><dd>sent \w+", detail)
    assert newer.pk != older.pk


def test_the_emails_page_shows_only_what_the_person_handles(
    login_as, manager, records_officer
):
    challenge_letter = OutboxSentFactory(
        subject="Your challenge is answered",
        body="The City Attorney advised ...",
        permission="appeals.handle_legalitychallenge",
    )
    for user in (manager, records_officer):
        client = login_as(user)
        assert "Your challenge is answered" not in html_of(client.get("/staff/emails/"))
        assert client.get(f"/staff/emails/{challenge_letter.pk}/").status_code == 404
    for pk in ("99999999", "9" * 30, "x"):
        assert login_as(manager).get(f"/staff/emails/{pk}/").status_code == 404


def test_the_emails_page_is_for_signed_in_staff(client):
    message = OutboxSentFactory()
    for url in ("/staff/emails/", f"/staff/emails/{message.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_a_destroyed_email_shows_that_it_was_destroyed(login_as, city_admin):
    message = OutboxSentFactory(body="Dear Jordan Example, your appeal ...")
    outbox.outbox_redact(ids=[message.pk], run_label="run 7")
    html = html_of(login_as(city_admin).get(f"/staff/emails/{message.pk}/"))
    assert "Jordan Example" not in html
    assert "destroyed under the retention schedule" in html


def test_the_emails_are_the_city_administrators_to_list(make_staff):
    assert (
        "core.view_outboxmessage" in roles.role_permissions()[roles.CITY_ADMINISTRATOR]
    )
    for role in (roles.SOCIAL_MEDIA_MANAGER, roles.RECORDS_OFFICER):
        assert not make_staff(role).has_perm("core.view_outboxmessage")


def test_the_panel_costs_the_same_few_queries_however_many_emails_wait(rf, city_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.dashboard import outbox_panel

    def queries() -> int:
        request = rf.get("/staff/")
        request.user = city_admin
        with CaptureQueriesContext(connection) as captured:
            panel = outbox_panel(request)
            assert panel is not None
            list(panel.context["messages"])
        return len(captured)

    OutboxGaveUpFactory()
    queries()  # the first one also reads the user's permissions
    few = queries()
    OutboxRetryingFactory.create_batch(5)
    OutboxMessageFactory.create_batch(5, permission="accounts.change_user")
    assert queries() == few == 2
