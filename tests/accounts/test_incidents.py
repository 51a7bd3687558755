"""Incidents under the rules of use (P16-P18): a misuse or a
disclosure of private data is recorded with who, what, when and who reported it,
then closed with its follow-up; the City Administrator records and closes, the
Records Officer reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Incident
from core import clock
from core.audit import events_for
from core.exceptions import InvalidTransition, NotPermitted

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:incident-list")


def record(by, **overrides):
    values = {
        "kind": Incident.Kind.DISCLOSURE,
        "occurred_at": clock.now() - timedelta(days=2),
        "description": "A resident's home address was posted in a reply.",
        "reported_by": "A resident, by email",
    }
    values.update(overrides)
    return services.incident_record(by=by, **values)


def test_an_incident_is_recorded_with_who_what_when_and_the_reporter(
    city_admin, manager, account
):
    incident = record(city_admin, person=manager, account=account)
    assert incident.status == Incident.Status.OPEN
    assert (incident.person, incident.account, incident.recorded_by) == (
        manager,
        account,
        city_admin,
    )
    assert str(incident) == f"Incident #{incident.pk}"
    (event,) = events_for(incident)
    assert event.action == "incident.recorded"
    assert event.data["kind"] == "disclosure"
    # Names and the account of what happened are personal data (redactable).
    assert event.personal["description"] == incident.description
    assert manager.last_name not in str(event.data)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "person"),  # neither a person nor an account
        ({"occurred_at": clock.now() + timedelta(days=1)}, "occurred_at"),
        ({"description": ""}, "description"),
        ({"reported_by": ""}, "reported_by"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_an_incident_missing_what_it_needs_is_refused(
    city_admin, account, overrides, field
):
    values = {"account": account, **overrides}
    if field == "person":
        values.pop("account")
    if field == "occurred_at":
        values["occurred_at"] = clock.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record(city_admin, **values)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


def test_closing_records_the_follow_up_once(city_admin, account):
    incident = record(city_admin, account=account)
    closed = services.incident_close(
        incident=incident,
        by=city_admin,
        action_taken="Reply deleted; the resident was told.",
        action_taken_by="Communications Director",
        action_taken_on=clock.today(),
    )
    assert closed.status == Incident.Status.CLOSED
    assert (closed.closed_by, closed.action_taken_on) == (city_admin, clock.today())
    assert events_for(incident).last().action == "incident.closed"
    with pytest.raises(InvalidTransition, match="cannot be closed"):
        services.incident_close(
            incident=incident,
            by=city_admin,
            action_taken="Again.",
            action_taken_by="",
            action_taken_on=clock.today(),
        )


@pytest.mark.parametrize(
    ("action_taken", "days", "field"),
    [
        ("", 0, "action_taken"),
        ("Done.", None, "action_taken_on"),
        ("Done.", -9, "action_taken_on"),
        ("Done.", 3, "action_taken_on"),
    ],
)
def test_a_follow_up_without_its_action_or_a_plausible_date_is_refused(
    city_admin, account, action_taken, days, field
):
    incident = record(city_admin, account=account)  # happened two days ago
    with pytest.raises(ValidationError) as refused:
        services.incident_close(
            incident=incident,
            by=city_admin,
            action_taken=action_taken,
            action_taken_by="",
            action_taken_on=None if days is None else clock.today() + timedelta(days),
        )
    assert field in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN


@pytest.mark.parametrize("role", ["manager", "records_officer", "attorney"])
def test_only_the_city_administrator_records_and_closes(
    request, role, city_admin, account
):
    user = request.getfixturevalue(role)
    with pytest.raises(NotPermitted):
        record(user, account=account)
    incident = record(city_admin, account=account)
    with pytest.raises(NotPermitted):
        services.incident_close(
            incident=incident,
            by=user,
            action_taken="x",
            action_taken_by="",
            action_taken_on=clock.today(),
        )


# --- the staff pages ----------------------------------------------------------------


def test_the_city_administrator_records_and_closes_on_the_staff_pages(
    login_as, city_admin, manager, account
):
    client = login_as(city_admin)
    refused = client.post(LIST, {"kind": "misuse", "description": "x"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There are 3 problems with what you sent" in html
    assert not Incident.objects.exists()

    response = client.post(
        LIST,
        {
            "kind": "misuse",
            "person": manager.pk,
            "account": account.pk,
            "occurred_at": timezone.localtime(
                clock.now() - timedelta(hours=3)
            ).strftime("%Y-%m-%dT%H:%M"),
            "description": "Posted a campaign endorsement from the city's page.",
            "reported_by": "Council member, by phone",
        },
        follow=True,
    )
    incident = Incident.objects.get()
    assert response.redirect_chain[-1][0] == incident.get_absolute_url()
    html = response.content.decode()
    assert "Misuse for personal or political purposes (P17)" in html
    assert "Record the follow-up and close it" in html

    close = reverse("accounts:incident-close", args=[incident.pk])
    refused = client.post(close, {"action_taken": ""})
    assert refused.status_code == 400
    assert "Action taken: This field is required." in refused.content.decode()
    response = client.post(
        close,
        {
            "action_taken": "Post removed; access revoked.",
            "action_taken_by": "City Administrator",
            "action_taken_on": clock.today().isoformat(),
        },
        follow=True,
    )
    html = response.content.decode()
    assert f"{incident} is closed." in html
    assert "Post removed; access revoked." in html
    assert "Record the follow-up and close it" not in html


def test_the_records_officer_reads_incidents_but_records_nothing(
    login_as, records_officer, city_admin, account
):
    incident = record(city_admin, account=account)
    client = login_as(records_officer)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "Record an incident" not in page.content.decode()
    assert str(incident) in page.content.decode()
    assert client.get(incident.get_absolute_url()).status_code == 200
    close = reverse("accounts:incident-close", args=[incident.pk])
    assert client.post(close, {"action_taken": "x"}).status_code == 403
    assert client.post(LIST, {"kind": "misuse"}).status_code == 403
