"""The daily overdue access-review report (P3): the service, the beat entry and a
real Celery worker running the job end to end."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail

from accounts import services
from accounts.models import ManagerAccess
from accounts.tasks import access_review_overdue_task
from core import outbox, roles
from core.models import AuditEvent, OutboxMessage
from tests.accounts.factories import ManagerAccessFactory, RevokedManagerAccessFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


@pytest.fixture
def grants(city_admin, make_staff, city_profile):
    """One overdue, one due today (not overdue), one revoked and overdue."""
    overdue = ManagerAccessFactory(
        review_due_on=TODAY - timedelta(days=1),
        manager=make_staff(roles.SOCIAL_MEDIA_MANAGER, first_name="Dana"),
    )
    due_today = ManagerAccessFactory(review_due_on=TODAY)
    revoked = RevokedManagerAccessFactory(review_due_on=TODAY - timedelta(days=30))
    return overdue, due_today, revoked


def test_the_report_emails_the_city_administrators_and_marks_the_grants(
    city_admin, grants, make_staff
):
    inactive_admin = make_staff(roles.CITY_ADMINISTRATOR, is_active=False)
    make_staff(roles.CITY_ADMINISTRATOR, email="")  # no address: skipped
    make_staff(roles.SOCIAL_MEDIA_MANAGER)  # not a recipient
    overdue, due_today, revoked = grants

    result = services.access_review_report_overdue(today=TODAY)

    assert result == {"overdue": 1, "newly_reported": 1, "emails": 1}
    # Written to the outbox, for the City Administrators to follow up if it fails.
    (queued,) = OutboxMessage.objects.all()
    assert queued.audience == OutboxMessage.Audience.STAFF
    assert queued.permission == "accounts.change_user"
    assert queued.about_url == "/admin/accounts/manageraccess/?review=overdue"
    assert mail.outbox == []
    assert outbox.outbox_drain()["sent"] == 1
    (message,) = mail.outbox
    assert message.to == [city_admin.email]
    assert inactive_admin.email not in message.to
    assert "1 manager access review overdue" in message.subject
    assert str(overdue.account) in message.body
    assert "Dana" in message.body
    assert ", review due April 14, 2026 (1 days overdue)" in message.body
    assert str(due_today.account) not in message.body
    overdue.refresh_from_db()
    due_today.refresh_from_db()
    revoked.refresh_from_db()
    assert overdue.review_overdue_reported_on == TODAY
    assert due_today.review_overdue_reported_on is None
    assert revoked.review_overdue_reported_on is None
    event = AuditEvent.objects.get(action="manager_access.review_overdue_reported")
    assert event.data["grants"] == [overdue.pk]
    assert "Dana" not in str(event.data)


def test_running_twice_a_day_sends_one_email(city_admin, grants):
    services.access_review_report_overdue(today=TODAY)
    again = services.access_review_report_overdue(today=TODAY)
    assert again == {"overdue": 1, "newly_reported": 0, "emails": 0}
    outbox.outbox_drain()
    assert len(mail.outbox) == 1
    # The next day the review is still overdue: it is reported again.
    services.access_review_report_overdue(today=TODAY + timedelta(days=1))
    outbox.outbox_drain()
    assert len(mail.outbox) == 2


def test_each_city_administrator_gets_their_own_email(city_admin, grants, make_staff):
    other = make_staff(roles.CITY_ADMINISTRATOR)
    result = services.access_review_report_overdue(today=TODAY)
    assert result["emails"] == 2
    outbox.outbox_drain()
    assert sorted(m.to for m in mail.outbox) == sorted(
        [[city_admin.email], [other.email]]
    )


def test_dry_run_neither_emails_nor_marks(city_admin, grants):
    result = services.access_review_report_overdue(today=TODAY, dry_run=True)
    assert result["overdue"] == 1
    assert not OutboxMessage.objects.exists()
    assert not ManagerAccess.objects.filter(review_overdue_reported_on__isnull=False)


def test_nothing_overdue_sends_nothing(city_admin, city_profile):
    ManagerAccessFactory(review_due_on=TODAY + timedelta(days=10))
    assert services.access_review_report_overdue(today=TODAY)["overdue"] == 0
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(
        action="manager_access.review_overdue_reported"
    ).exists()


def test_the_job_is_on_the_beat_schedule_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-access-review-overdue"]
    assert entry["task"] == "accounts.tasks.access_review_overdue_task"
    assert entry["schedule"].day_of_week == set(range(7))
    assert access_review_overdue_task.name == entry["task"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_daily_report(celery_worker_app):
    from core import clock
    from core.tasks import outbox_drain_task
    from tests.accounts.factories import CityProfileFactory, UserFactory

    # No frozen clock here: the worker thread keeps real time (Celery's timers).
    today = clock.today()
    CityProfileFactory()
    admin = UserFactory(roles=[roles.CITY_ADMINISTRATOR])
    overdue = ManagerAccessFactory(review_due_on=today - timedelta(days=5))

    result = access_review_overdue_task.delay().get(timeout=30)

    assert result == {"overdue": 1, "newly_reported": 1, "emails": 1}
    assert outbox_drain_task.delay().get(timeout=30)["sent"] == 1
    assert mail.outbox[-1].to == [admin.email]
    assert "5 days overdue" in mail.outbox[-1].body
    overdue.refresh_from_db()
    assert overdue.review_overdue_reported_on == today
