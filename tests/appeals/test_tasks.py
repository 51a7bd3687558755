"""The daily reminder job, run by a real Celery worker, and the beat entry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail

from appeals import services
from appeals.models import ReminderRun
from core import outbox, roles
from core.models import OutboxMessage
from tests.appeals.factories import (
    AppealFactory,
    AppealUnderReviewFactory,
    ChallengeFactory,
)

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = date(2026, 11, 23)


def _filings(manager, attorney):
    """Overdue, due-soon and far-off filings as of MONDAY."""
    # No removal linked: on PostgreSQL a removal needs its categories in the same
    # transaction, and the worker test runs without a wrapping transaction.
    overdue = AppealUnderReviewFactory(
        reviewer=manager,
        removal=None,
        received_on=MONDAY - timedelta(days=20),
        ack_due_on=MONDAY - timedelta(days=17),
        answer_due_on=MONDAY - timedelta(days=1),
    )
    due_soon = ChallengeFactory(
        reviewer=attorney,
        received_on=MONDAY,
        ack_due_on=MONDAY + timedelta(days=2),  # Wednesday: 2 business days
        answer_due_on=MONDAY + timedelta(days=30),
    )
    unassigned = AppealFactory(
        received_on=MONDAY - timedelta(days=7), ack_due_on=MONDAY - timedelta(days=2)
    )
    far = AppealFactory(
        reviewer=manager,
        received_on=MONDAY,
        ack_due_on=MONDAY + timedelta(days=14),
        answer_due_on=MONDAY + timedelta(days=28),
    )
    return overdue, due_soon, unassigned, far


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_reminder_job_runs_on_a_real_worker(
    celery_worker_app, make_staff, time_machine
):
    from appeals.tasks import deadline_reminders_task
    from core.tasks import outbox_drain_task

    time_machine.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=CHICAGO), tick=True)
    manager = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    attorney = make_staff(roles.CITY_ATTORNEY)
    admin_user = make_staff(roles.CITY_ADMINISTRATOR)
    overdue, due_soon, unassigned, far = _filings(manager, attorney)

    result = deadline_reminders_task.delay()
    counts = result.get(timeout=60)
    assert result.state == "SUCCESS"
    assert celery_worker_app.conf.task_always_eager is False
    assert counts == {"reviewers": 2, "digests": 1, "items": 3, "skipped": 0}
    # Written to the outbox; its job (on the same worker) sends them.
    assert mail.outbox == []
    assert outbox_drain_task.delay().get(timeout=60)["sent"] == 3

    by_recipient = {m.to[0]: m for m in mail.outbox}
    mine = by_recipient[manager.email]
    assert overdue.reference in mine.body and "OVERDUE" in mine.body
    assert far.reference not in mine.body
    assert unassigned.reference not in mine.body
    theirs = by_recipient[attorney.email]
    assert due_soon.reference in theirs.body and "OVERDUE" not in theirs.body
    digest = by_recipient[admin_user.email]
    for filing in (overdue, due_soon, unassigned):
        assert filing.reference in digest.body
    assert far.reference not in digest.body
    assert "1 of them have no reviewer yet" in digest.body
    assert ReminderRun.objects.get().run_on == MONDAY

    # Run again the same day: nothing more is sent.
    again = deadline_reminders_task.delay().get(timeout=60)
    assert again["skipped"] == 1
    assert outbox_drain_task.delay().get(timeout=60)["sent"] == 0
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_due_soon_boundary_in_business_days(make_staff, city_profile):
    """due_soon_days=2 on a Friday: Tuesday is due soon, Wednesday is not."""
    friday = date(2026, 11, 20)
    manager = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    tuesday = AppealFactory(
        reviewer=manager, received_on=friday, ack_due_on=friday + timedelta(days=4)
    )
    wednesday = AppealFactory(
        reviewer=manager, received_on=friday, ack_due_on=friday + timedelta(days=5)
    )
    counts = services.deadline_reminders_send(today=friday)
    assert counts["items"] == 1
    outbox.outbox_drain()
    body = next(m.body for m in mail.outbox if m.to == [manager.email])
    assert tuesday.reference in body and wednesday.reference not in body
    assert f"{tuesday.reference} (appeal): acknowledgment due Tue, Nov. 24, 2026\n" in (
        body
    )


@pytest.mark.django_db
def test_overdue_starts_the_day_after_the_due_date(make_staff, city_profile):
    from appeals import selectors

    monday = MONDAY
    appeal = AppealFactory(received_on=monday - timedelta(days=7), ack_due_on=monday)
    (item,) = selectors.deadline_items(today=monday)
    assert item.filing == appeal and not item.overdue and item.days_left == 0
    (item,) = selectors.deadline_items(today=monday + timedelta(days=1))
    assert item.overdue and item.days_left == -1


@pytest.mark.django_db
def test_reminders_are_written_while_the_mail_server_is_down_and_sent_later(
    make_staff, city_profile, monkeypatch, time_machine
):
    time_machine.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=CHICAGO), tick=False)
    manager = make_staff(roles.SOCIAL_MEDIA_MANAGER)
    attorney = make_staff(roles.CITY_ATTORNEY)
    _filings(manager, attorney)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    # The day's run is done: its emails wait in the outbox, whatever the mail server.
    assert services.deadline_reminders_send(today=MONDAY)["reviewers"] == 2
    assert str(ReminderRun.objects.get()) == "Reminders of Nov. 23, 2026"
    assert outbox.outbox_drain() == {"sent": 0, "retrying": 2, "gave_up": 0}
    waiting = OutboxMessage.objects.get(to=manager.email)
    assert waiting.audience == OutboxMessage.Audience.STAFF
    assert waiting.permission == "accounts.change_user"
    monkeypatch.undo()
    time_machine.move_to(datetime(2026, 11, 23, 7, 5, tzinfo=CHICAGO), tick=False)
    assert outbox.outbox_drain()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [manager.email, attorney.email]
    )
    # The day's run is not repeated: the reminders went once.
    assert services.deadline_reminders_send(today=MONDAY)["skipped"] == 1
    assert outbox.outbox_drain()["sent"] == 0
    assert len(mail.outbox) == 2


def test_the_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["appeals-deadline-reminders"]
    assert entry["task"] == "appeals.tasks.deadline_reminders_task"
    from config.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
