"""A data subject's request from receipt to close (P24, R3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from appeals.models import Appeal
from core import clock, roles
from core.exceptions import DomainError
from core.immutable import ImmutableError
from core.models import AuditEvent
from datarequests import selectors, services
from datarequests.models import DataRequest, ReleasePackage
from moderation.models import RemovalDecision
from retention.models import LegalHold, Message, PurgeRun, RetentionSchedule, Series
from retention.purge import purge_run
from tests.datarequests.conftest import HANDLE, SUBJECT, read_package

pytestmark = pytest.mark.django_db


def _subject_request(by):
    return services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        name=SUBJECT,
        email="dana@example.net",
        handles=HANDLE,
        description="Everything the city keeps about me from its social media.",
        channel="letter",
        by=by,
    )


def _pick_all_about_subject(request, world, by):
    found = selectors.records_search(user=by, terms=request.subject_terms)
    assert [r.pk for r in found.groups["removal_decision"]] == [world.removal.pk]
    assert [r.pk for r in found.groups["appeal"]] == [world.appeal.pk]
    assert [r.pk for r in found.groups["message"]] == [world.message.pk]
    picks = [
        ("removal_decision", world.removal),
        ("appeal", world.appeal),
        ("message", world.message),
        # Found by the account and dates: another person's comment about her.
        ("removal_decision", world.neighbor),
    ]
    return services.datarequest_pick_records(request=request, picks=picks, by=by)


def test_reference_comes_from_the_filings_counter(records_officer):
    first = _subject_request(records_officer)
    second = _subject_request(records_officer)
    year = clock.today().year
    assert first.reference == f"DR-{year}-00001"
    assert second.reference == f"DR-{year}-00002"
    assert len(first.status_token) >= 40


def test_the_records_found_are_held_from_the_purge_and_released_with_reasons(
    world, records_officer, make_staff, login_as
):
    request = _subject_request(records_officer)
    services.datarequest_start(request=request, by=records_officer)
    _pick_all_about_subject(request, world, records_officer)

    outcome = purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=10)

    assert outcome.status == "finished"
    # Nothing picked was destroyed (R3) ...
    assert RemovalDecision.objects.get(pk=world.removal.pk).redacted_at is None
    assert RemovalDecision.objects.get(pk=world.neighbor.pk).redacted_at is None
    assert Appeal.objects.get(pk=world.appeal.pk).name == SUBJECT
    assert Message.objects.get(pk=world.message.pk).destroyed_at is None
    # ... while the purge did destroy the same kinds of record nobody asked for.
    assert RemovalDecision.objects.get(pk=world.others.removal.pk).redacted_at
    assert Appeal.objects.get(pk=world.others.appeal.pk).name != "Someone Else"
    assert Message.objects.get(pk=world.others.message.pk).destroyed_at

    with pytest.raises(DomainError, match="identity"):
        services.datarequest_release(request=request, by=records_officer)
    services.datarequest_verify_identity(
        request=request, method="photo_id", by=records_officer
    )
    package = services.datarequest_release(request=request, by=records_officer)

    files = read_package(package)
    assert "index.html" in files and "records.csv" in files
    assert len([n for n in files if n.startswith("records/")]) == 4
    csv_text = files["records.csv"]
    # Her own data is released to her ...
    assert world.removal.comment_text in csv_text
    assert "dana@example.net" in csv_text
    # ... the other person's private data is withheld, with why and the statute.
    assert "Pat Neighbor" not in "".join(files.values())
    assert "12 Elm Street" not in "".join(files.values())
    neighbor_page = next(v for k, v in files.items() if f"-{world.neighbor.pk}." in k)
    assert "Private data on another individual" in neighbor_page
    assert "13.04 subd. 3" in neighbor_page
    assert package.withheld_count == 3  # name, handle and text of the neighbor
    request.refresh_from_db()
    assert request.status == DataRequest.Status.RELEASED
    assert AuditEvent.objects.filter(
        action="datarequest.released", target_id=str(request.pk)
    ).exists()
    with pytest.raises(ImmutableError):
        ReleasePackage.objects.filter(pk=package.pk).update(sha256="0" * 64)

    services.datarequest_close(
        request=request, note="Released in full.", by=records_officer
    )
    hold = LegalHold.objects.get(title=f"Data request {request.reference}")
    assert hold.released_at is None  # the schedule keeps it a while yet
    RetentionSchedule.objects.filter(series=Series.DATA_REQUESTS).update(years=1)
    records_officer.is_active = False
    records_officer.save(update_fields=["is_active"])
    assert services.datarequest_holds_release_due() == 0
    later = clock.now() + timedelta(days=367)
    assert services.datarequest_holds_release_due(now=later) == 1
    hold.refresh_from_db()
    assert hold.released_at is not None
    assert "closed" in hold.release_reason
    # The schedule released it, not a person (R3): it goes even though whoever
    # closed the request has left since.
    assert hold.released_by is None
    event = AuditEvent.objects.get(action="legal_hold.released", target_id=str(hold.pk))
    assert event.actor_label == "system"
    successor = make_staff(roles.RECORDS_OFFICER)
    holds_page = login_as(successor).get("/retention/holds/").content.decode()
    assert "by the retention schedule: Data request" in holds_page
    request_page = login_as(successor).get(request.get_absolute_url()).content.decode()
    assert f"by {records_officer}: Released in full." in request_page
    assert "Its legal holds were released by the retention schedule on" in request_page


def test_a_public_request_may_be_anonymous_and_sees_only_public_data(
    world, records_officer
):
    request = services.datarequest_submit(
        kind=DataRequest.Kind.PUBLIC,
        description="Removals on the city's page in the last three years.",
    )
    assert request.is_anonymous and request.entered_by is None
    services.datarequest_start(request=request, by=records_officer)
    services.datarequest_pick_records(
        request=request,
        picks=[
            ("removal_decision", world.removal),
            ("removal_decision", world.neighbor),
        ],
        by=records_officer,
    )
    package = services.datarequest_release(request=request, by=records_officer)
    files = read_package(package)
    text = "".join(files.values())
    assert world.removal.reasoning in text  # public: the city's own reasons
    assert "12 Elm Street" not in text  # classified private: not public data
    assert "13.03 subd. 1" in text
    # Of the private record the public sees when and where, nothing it says:
    # link, author, text, facts and reasoning are withheld.
    assert package.withheld_count == 5 + 1


def test_a_data_subject_must_say_who_they_are():
    with pytest.raises(ValidationError) as error:
        services.datarequest_submit(
            kind=DataRequest.Kind.DATA_SUBJECT, description="All about me."
        )
    assert "name" in error.value.message_dict
    assert "email" in error.value.message_dict


def test_the_purge_destroys_a_closed_requests_personal_data_after_its_period(
    world, records_officer, time_machine
):
    time_machine.move_to("2026-03-02 10:00")
    request = _subject_request(records_officer)
    services.datarequest_start(request=request, by=records_officer)
    services.datarequest_pick_records(
        request=request, picks=[("message", world.message)], by=records_officer
    )
    services.datarequest_verify_identity(
        request=request, method="photo_id", by=records_officer
    )
    package = services.datarequest_release(request=request, by=records_officer)
    services.datarequest_close(request=request, note="Done.", by=records_officer)
    purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=10)
    request.refresh_from_db()
    assert request.name == SUBJECT  # within its period (a year here)

    time_machine.move_to("2027-03-03 10:00")
    purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=10)
    request.refresh_from_db()
    assert request.redacted_at is not None
    assert (request.email, request.handles) == ("", "")
    assert request.reference.startswith("DR-2026-")
    assert not ReleasePackage.objects.filter(pk=package.pk).exists()
    received = AuditEvent.objects.get(
        action="datarequest.received", target_id=str(request.pk)
    )
    assert received.personal is None
