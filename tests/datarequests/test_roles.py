"""Who may do what with Data Practices requests, by role."""

from __future__ import annotations

import pytest

from core.exceptions import DomainError, NotPermitted
from datarequests import selectors, services
from datarequests.models import DataRequest
from tests.accounts.factories import AccountFactory, ManagerAccessFactory
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db


def _submit(by=None, channel="web"):
    return services.datarequest_submit(
        kind=DataRequest.Kind.PUBLIC,
        description="Messages about the Oak Street project.",
        channel=channel,
        by=by,
    )


@pytest.mark.parametrize("role", ["city_admin", "manager", "attorney"])
def test_only_the_records_officer_enters_and_handles_requests(role, request):
    person = request.getfixturevalue(role)
    with pytest.raises(NotPermitted):
        _submit(by=person, channel="letter")
    made = _submit()
    for step in (services.datarequest_start,):
        with pytest.raises(NotPermitted):
            step(request=made, by=person)
    with pytest.raises(NotPermitted):
        services.datarequest_close(request=made, note="Done.", by=person)


def test_the_records_officer_handles_requests(records_officer):
    made = _submit(by=records_officer, channel="in_person")
    services.datarequest_start(request=made, by=records_officer)
    services.datarequest_close(request=made, note="Nothing held.", by=records_officer)
    made.refresh_from_db()
    assert made.status == DataRequest.Status.CLOSED


def test_the_city_attorney_records_privileged_notes(attorney, records_officer):
    made = _submit()
    note = services.datarequest_record_consultation(
        request=made, attorney=attorney, notes="Withhold the draft.", by=attorney
    )
    assert note.classification == "confidential"
    with pytest.raises(NotPermitted):
        services.datarequest_record_consultation(
            request=made, attorney=attorney, notes="x", by=records_officer
        )
    assert attorney.has_perm("datarequests.view_requestconsultation")
    assert not records_officer.has_perm("datarequests.view_requestconsultation")


def test_a_manager_searches_only_the_accounts_they_manage(manager, records_officer):
    mine, theirs = AccountFactory(), AccountFactory()
    ManagerAccessFactory(manager=manager, account=mine)
    on_mine = MessageFactory(account=mine, sender_handle="danaw")
    on_theirs = MessageFactory(account=theirs, sender_handle="danaw")
    found = selectors.records_search(user=manager, terms=["@danaw"])
    assert [m.pk for m in found.groups["message"]] == [on_mine.pk]
    assert "audit_event" not in found.groups
    everything = selectors.records_search(user=records_officer, terms=["danaw"])
    assert {m.pk for m in everything.groups["message"]} == {on_mine.pk, on_theirs.pk}
    # Asking for another account gives a manager nothing of it.
    other = selectors.records_search(user=manager, terms=["danaw"], accounts=[theirs])
    assert other.groups["message"] == []


def test_staff_pages_by_role(client, login_as, records_officer, manager, attorney):
    made = _submit()
    url = f"/requests/staff/{made.pk}/"
    assert login_as(records_officer).get(url).status_code == 200
    assert login_as(attorney).get(url).status_code == 200
    assert login_as(manager).get(url).status_code == 403
    assert login_as(manager).get("/requests/staff/search/").status_code == 200


def test_a_handler_who_may_not_hold_records_is_told_so(make_staff, world):
    from django.contrib.auth.models import Permission

    person = make_staff()
    person.user_permissions.add(Permission.objects.get(codename="handle_datarequest"))
    made = _submit()
    with pytest.raises(DomainError, match="place legal holds"):
        services.datarequest_pick_records(
            request=made, picks=[("message", world.message)], by=person
        )


def test_a_consultation_needs_an_active_attorney_an_open_request_and_a_sane_date(
    attorney, records_officer, make_staff
):
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    from core import clock
    from core.exceptions import DomainError, InvalidTransition
    from core.roles import CITY_ATTORNEY

    made = _submit()
    with pytest.raises(ValidationError, match="before the request was received"):
        services.datarequest_record_consultation(
            request=made,
            attorney=attorney,
            notes="Too early.",
            consulted_on=made.received_on - timedelta(days=1),
            by=attorney,
        )
    services.datarequest_close(request=made, note="Withdrawn.", by=records_officer)
    with pytest.raises(InvalidTransition):
        services.datarequest_record_consultation(
            request=made, attorney=attorney, notes="Late.", by=attorney
        )
    attorney.is_active = False
    attorney.save(update_fields=["is_active"])
    other = _submit()
    with pytest.raises(DomainError, match="does not advise") as refused:
        services.datarequest_record_consultation(
            request=other,
            attorney=attorney,
            notes="Gone.",
            consulted_on=clock.today(),
            by=make_staff(CITY_ATTORNEY),
        )
    # Refused as a legality challenge's consultation is (P23): a permission,
    # about the attorney.
    assert isinstance(refused.value, NotPermitted)
    assert refused.value.field == "attorney"
    assert not made.consultations.exists()
