"""Business-day clocks, stopped and restarted (Minn. Stat. 13.04)."""

from __future__ import annotations

from datetime import date

import pytest

from core import calendar, clock
from core.exceptions import InvalidTransition
from core.models import Holiday
from datarequests import services
from datarequests.models import DATA_SUBJECT_DAYS, DataRequest
from tests.accounts.factories import CityProfileFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 16)
THANKSGIVING = date(2026, 11, 26)


def _request(by, kind=DataRequest.Kind.DATA_SUBJECT):
    return services.datarequest_submit(
        kind=kind,
        name="Dana Whitfield",
        email="dana@example.net",
        description="All about me.",
        channel="email",
        received_on=MONDAY,
        by=by,
    )


def test_a_data_subject_has_ten_business_days_and_the_public_the_citys_target(
    records_officer, time_machine
):
    time_machine.move_to("2026-11-16 10:00")
    CityProfileFactory(data_request_days=5)
    subject = _request(records_officer)
    public = _request(records_officer, kind=DataRequest.Kind.PUBLIC)
    assert subject.due_on == calendar.add_business_days(MONDAY, DATA_SUBJECT_DAYS)
    assert public.due_on == date(2026, 11, 23)


def test_the_clock_stops_and_restarts_across_a_holiday(records_officer, time_machine):
    Holiday.objects.create(date=THANKSGIVING, name="Thanksgiving")
    Holiday.objects.create(date=date(2026, 11, 27), name="Day after")
    time_machine.move_to("2026-11-16 10:00")
    request = _request(records_officer)
    # Ten business days from Monday the 16th, Thanksgiving and the day after off.
    assert request.due_on == date(2026, 12, 2)
    time_machine.move_to("2026-11-25 09:00")  # Wednesday before Thanksgiving
    pause = services.datarequest_pause(
        request=request, why="clarification", note="Which accounts?", by=records_officer
    )
    request.refresh_from_db()
    assert request.status == DataRequest.Status.CLARIFICATION
    time_machine.move_to("2026-12-01 09:00")  # Tuesday after
    services.datarequest_resume(request=request, by=records_officer)
    pause.refresh_from_db()
    request.refresh_from_db()
    # Stopped after Wednesday the 25th; Thursday and Friday were holidays, so the
    # clock lost Monday the 30th and Tuesday the 1st: two business days.
    assert (pause.paused_on, pause.resumed_on) == (
        date(2026, 11, 25),
        date(2026, 12, 1),
    )
    assert pause.business_days == 2
    assert request.due_on == date(2026, 12, 4)
    assert request.status == DataRequest.Status.IN_PROGRESS


@pytest.mark.parametrize("status", ["clarification", "released", "closed"])
def test_only_a_running_request_can_be_paused(records_officer, status):
    request = _request(records_officer)
    DataRequest.objects.filter(pk=request.pk).update(
        status=status, identity_verified_at=clock.now(), closed_at=clock.now()
    )
    request.refresh_from_db()
    with pytest.raises(InvalidTransition, match="cannot be paused"):
        services.datarequest_pause(request=request, why="payment", by=records_officer)


def test_the_citys_target_is_at_least_one_business_day():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    profile = CityProfileFactory()
    profile.data_request_days = 0
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "data_request_days" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        type(profile).objects.filter(pk=profile.pk).update(data_request_days=0)


def test_closing_a_paused_request_counts_the_days_it_stood_still(
    records_officer, time_machine
):
    time_machine.move_to("2026-11-16 10:00")
    request = _request(records_officer)
    pause = services.datarequest_pause(
        request=request, why="clarification", note="Which accounts?", by=records_officer
    )
    time_machine.move_to("2026-11-19 10:00")  # Thursday: three days later
    services.datarequest_close(
        request=request, note="The requester never answered.", by=records_officer
    )
    pause.refresh_from_db()
    assert (pause.resumed_on, pause.business_days) == (date(2026, 11, 19), 3)
