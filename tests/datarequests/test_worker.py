"""Data Practices requests end to end: a data subject's request finds records in three
apps, holds them through a purge run by a real Celery worker on PostgreSQL
(nothing destroyed), releases a package withholding another person's private
data with the reason, and closes (hold released after the schedule's period)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appeals.models import Appeal
from core import clock
from datarequests import selectors, services
from datarequests.models import DataRequest
from moderation.models import RemovalDecision
from retention.models import LegalHold, Message, RetentionSchedule, Series
from tests.datarequests.conftest import HANDLE, SUBJECT, read_package

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]


def test_held_through_a_real_workers_purge_released_and_closed(
    world, records_officer, celery_worker_app
):
    from retention.tasks import retention_purge_task

    assert celery_worker_app.conf.task_always_eager is False
    request = services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        name=SUBJECT,
        email="dana@example.net",
        handles=HANDLE,
        description="Everything about me.",
    )
    services.datarequest_start(request=request, by=records_officer)
    found = selectors.records_search(user=records_officer, terms=request.subject_terms)
    picks = [
        (key, record)
        for key in ("removal_decision", "appeal", "message")
        for record in found.groups[key]
    ]
    assert len(picks) == 3  # one record in each of three apps
    picks.append(("removal_decision", world.neighbor))
    services.datarequest_pick_records(request=request, picks=picks, by=records_officer)

    result = retention_purge_task.delay().get(timeout=120)

    assert result["status"] == "finished"
    assert result["counts"][Series.MESSAGES] >= 1  # the purge did destroy others
    assert RemovalDecision.objects.get(pk=world.removal.pk).redacted_at is None
    assert RemovalDecision.objects.get(pk=world.neighbor.pk).redacted_at is None
    assert Appeal.objects.get(pk=world.appeal.pk).name == SUBJECT
    assert Message.objects.get(pk=world.message.pk).destroyed_at is None
    assert Message.objects.get(pk=world.others.message.pk).destroyed_at is not None
    assert RemovalDecision.objects.get(pk=world.others.removal.pk).redacted_at

    services.datarequest_verify_identity(
        request=request, method="photo_id", by=records_officer
    )
    package = services.datarequest_release(request=request, by=records_officer)
    files = read_package(package)
    assert "Pat Neighbor" not in "".join(files.values())
    assert "Private data on another individual" in files["records.csv"]
    assert "Minn. Stat. 13.02 subd. 12; 13.04 subd. 3" in files["records.csv"]

    services.datarequest_close(request=request, note="Released.", by=records_officer)
    RetentionSchedule.objects.filter(series=Series.DATA_REQUESTS).update(years=1)
    later = clock.now() + timedelta(days=367)
    assert services.datarequest_holds_release_due(now=later) == 1
    hold = LegalHold.objects.get(title=f"Data request {request.reference}")
    assert hold.released_at is not None
