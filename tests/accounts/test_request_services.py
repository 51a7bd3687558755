"""Account requests (P12, P14): every transition, allowed and refused, the cap and
its override, and the audit trail."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Account, AccountRequest
from core.audit import events_for
from core.exceptions import DomainError, InvalidTransition, NotPermitted
from tests.accounts.factories import (
    AccountFactory,
    AccountRequestFactory,
    ApprovedAccountRequestFactory,
    CompliantAccountFactory,
    DeniedAccountRequestFactory,
    SubmittedAccountRequestFactory,
    WithdrawnAccountRequestFactory,
    platform,
)

pytestmark = pytest.mark.django_db

S = AccountRequest.Status
FACTORY = {
    S.DRAFT: AccountRequestFactory,
    S.SUBMITTED: SubmittedAccountRequestFactory,
    S.APPROVED: ApprovedAccountRequestFactory,
    S.DENIED: DeniedAccountRequestFactory,
    S.WITHDRAWN: WithdrawnAccountRequestFactory,
}


def values(department, **overrides):
    data = {
        "department": department,
        "platform": platform("instagram"),
        "kind": Account.Kind.CITY,
        "proposed_handle": "@maplefallslibrary",
        "proposed_url": "https://www.instagram.com/maplefallslibrary/",
        "display_name": "Maple Falls Library",
        "purpose": "Programs and closures.",
        "audience": "Library users.",
        "proposed_managers": "Jo Librarian, with Sam covering.",
        "upkeep_plan": "Weekly posts; comments checked daily.",
        "city_controlled_confirmed": True,
    }
    data.update(overrides)
    return data


def test_staff_submit_a_request_and_the_audit_keeps_names_apart(
    make_staff, department, city_profile
):
    requester = make_staff()
    req = services.account_request_create(
        by=requester, submit=True, **values(department)
    )
    assert req.status == S.SUBMITTED
    assert req.submitted_at is not None
    assert str(req).startswith("AR-") and "Maple" not in str(req)
    created, submitted = events_for(req)
    assert created.action == "account_request.created"
    assert created.personal == {"proposed_managers": "Jo Librarian, with Sam covering."}
    assert "Jo Librarian" not in str(created.data)
    assert submitted.data == {"changes": {"status": ["draft", "submitted"]}}


def test_a_draft_may_be_saved_without_the_p6_confirmation_but_not_submitted(
    make_staff, department, city_profile
):
    requester = make_staff()
    req = services.account_request_create(
        by=requester, **values(department, city_controlled_confirmed=False)
    )
    assert req.status == S.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.account_request_submit(request=req, by=requester)
    assert "P6" in exc.value.message_dict["city_controlled_confirmed"][0]
    req.refresh_from_db()
    assert req.status == S.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"proposed_url": "https://www.facebook.com/maplefallslibrary"},
            "proposed_url",
        ),
        ({"proposed_url": "instagram"}, "proposed_url"),
        ({"proposed_handle": "maplefalls"}, "proposed_handle"),
        ({"kind": Account.Kind.COUNCILMEMBER}, "kind"),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(
    make_staff, department, city_profile, overrides, field
):
    with pytest.raises(ValidationError) as exc:
        services.account_request_create(
            by=make_staff(), submit=True, **values(department, **overrides)
        )
    assert field in exc.value.message_dict
    assert not AccountRequest.objects.exists()


def test_a_request_for_an_account_already_on_the_registry_is_refused(
    make_staff, department, city_profile
):
    existing = CompliantAccountFactory(
        platform=platform("instagram"),
        handle="maplefallslibrary",
        url="https://instagram.com/MapleFallsLibrary",
    )
    with pytest.raises(ValidationError) as exc:
        services.account_request_create(by=make_staff(), **values(department))
    assert f"#{existing.pk}" in exc.value.message_dict["proposed_url"][0]


def test_two_open_requests_for_one_account_are_refused(
    make_staff, department, city_profile
):
    first = services.account_request_create(by=make_staff(), **values(department))
    with pytest.raises(ValidationError) as exc:
        services.account_request_create(by=make_staff(), **values(department))
    assert first.reference in exc.value.message_dict["proposed_url"][0]


def test_non_staff_cannot_request(make_staff, department, city_profile):
    with pytest.raises(NotPermitted):
        services.account_request_create(
            by=make_staff(is_staff=False), **values(department)
        )


# --- transitions: each allowed from exactly the listed states ---------------------

ALLOWED = {
    "submit": [S.DRAFT],
    "withdraw": [S.DRAFT, S.SUBMITTED],
    "approve": [S.SUBMITTED],
    "deny": [S.SUBMITTED],
    "update": [S.DRAFT],
}
TO = {
    "submit": S.SUBMITTED,
    "withdraw": S.WITHDRAWN,
    "approve": S.APPROVED,
    "deny": S.DENIED,
    "update": S.DRAFT,
}


def do(name, req, requester, city_admin):
    if name == "submit":
        return services.account_request_submit(request=req, by=requester)
    if name == "withdraw":
        return services.account_request_withdraw(request=req, by=requester)
    if name == "approve":
        return services.account_request_approve(
            request=req, by=city_admin, reason="Fits the plan."
        )
    if name == "deny":
        return services.account_request_deny(
            request=req, by=city_admin, reason="Use the main account."
        )
    return services.account_request_update(request=req, by=requester, audience="All")


@pytest.mark.parametrize(
    ("name", "status"), [(n, s) for n in ALLOWED for s in S.values]
)
def test_every_request_transition_is_allowed_or_refused(
    city_admin, city_profile, name, status
):
    req = FACTORY[status]()
    before_events = events_for(req).count()
    if status in ALLOWED[name]:
        do(name, req, req.requested_by, city_admin)
        req.refresh_from_db()
        assert req.status == TO[name]
        assert events_for(req).count() == before_events + 1
    else:
        with pytest.raises(InvalidTransition) as exc:
            do(name, req, req.requested_by, city_admin)
        assert f"it is “{req.get_status_display()}”" in str(exc.value)
        req.refresh_from_db()
        assert req.status == status
        assert events_for(req).count() == before_events


def test_approving_creates_the_account_in_the_same_transaction(
    city_admin, city_profile
):
    req = SubmittedAccountRequestFactory(proposed_handle="libraryevents")
    account = services.account_request_approve(
        request=req, by=city_admin, reason="Fits the communications plan."
    )
    req.refresh_from_db()
    assert req.account == account
    assert req.decided_by == city_admin
    assert req.decision_reason == "Fits the communications plan."
    assert account.handle == "libraryevents"
    assert account.url == req.proposed_url
    assert account.department == req.department
    assert account.status == Account.Status.ACTIVE
    assert account.slug == "facebook-libraryevents"
    registered = events_for(account).get()
    assert registered.data["origin"] == "request"
    assert registered.data["request"] == req.pk
    approved = events_for(req).last()
    assert approved.action == "account_request.approved"
    assert approved.data["account"] == account.pk
    assert approved.data["cap_overridden"] is False


def test_approval_refused_when_the_account_was_registered_meanwhile(
    city_admin, city_profile
):
    req = SubmittedAccountRequestFactory()
    # Registered directly after the request was made (the request's own check
    # passed at the time).
    CompliantAccountFactory(
        platform=req.platform, handle=req.proposed_handle, url=req.proposed_url
    )
    with pytest.raises(ValidationError) as exc:
        services.account_request_approve(request=req, by=city_admin, reason="OK")
    assert "already on the registry" in exc.value.message_dict["proposed_url"][0]
    req.refresh_from_db()
    assert req.status == S.SUBMITTED
    assert req.account is None
    assert Account.objects.count() == 1


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
def test_only_the_approving_authority_decides(request, role_fixture, city_profile):
    user = request.getfixturevalue(role_fixture)
    req = SubmittedAccountRequestFactory(requested_by=user)
    with pytest.raises(NotPermitted):
        services.account_request_approve(request=req, by=user, reason="Mine.")
    with pytest.raises(NotPermitted):
        services.account_request_deny(request=req, by=user, reason="Mine.")
    req.refresh_from_db()
    assert req.status == S.SUBMITTED
    assert not Account.objects.exists()


def test_a_decision_needs_a_written_reason(city_admin, city_profile):
    req = SubmittedAccountRequestFactory()
    for service in (services.account_request_approve, services.account_request_deny):
        with pytest.raises(ValidationError, match="reason"):
            service(request=req, by=city_admin, reason=" ")
    req.refresh_from_db()
    assert req.status == S.SUBMITTED


def test_only_the_requester_submits_or_edits(make_staff, city_profile):
    req = AccountRequestFactory()
    stranger = make_staff()
    with pytest.raises(NotPermitted):
        services.account_request_submit(request=req, by=stranger)
    with pytest.raises(NotPermitted):
        services.account_request_update(request=req, by=stranger, audience="x")
    with pytest.raises(NotPermitted):
        services.account_request_withdraw(request=req, by=stranger)


def test_editing_a_draft_records_the_changes(city_profile):
    req = AccountRequestFactory()
    services.account_request_update(
        request=req,
        by=req.requested_by,
        audience="Teens",
        proposed_managers="Alex Example",
    )
    event = events_for(req).last()
    assert event.data["changes"] == {
        "audience": ["Library users and families.", "Teens"]
    }
    assert event.personal["changes"]["proposed_managers"][1] == "Alex Example"


# --- the cap (P12) ----------------------------------------------------------------


def test_approving_beyond_the_cap_needs_an_override_reason(city_admin, city_profile):
    AccountFactory.create_batch(city_profile.max_active_accounts)
    req = SubmittedAccountRequestFactory()
    with pytest.raises(DomainError, match="give a reason"):
        services.account_request_approve(request=req, by=city_admin, reason="Useful.")
    req.refresh_from_db()
    assert req.status == S.SUBMITTED
    assert Account.objects.count() == city_profile.max_active_accounts

    account = services.account_request_approve(
        request=req,
        by=city_admin,
        reason="Useful.",
        cap_override_reason="Flood season: the Council asked for it.",
    )
    req.refresh_from_db()
    assert req.status == S.APPROVED and req.account == account
    assert req.cap_override_reason == "Flood season: the Council asked for it."
    assert req.accounts_in_service_at_decision == city_profile.max_active_accounts
    event = events_for(req).last()
    assert event.data["cap_overridden"] is True
    assert (
        event.data["cap_override_reason"] == "Flood season: the Council asked for it."
    )
    assert event.data["max_active_accounts"] == city_profile.max_active_accounts


def test_below_the_cap_an_override_reason_is_not_recorded(city_admin, city_profile):
    AccountFactory.create_batch(city_profile.max_active_accounts - 1)
    req = SubmittedAccountRequestFactory()
    services.account_request_approve(
        request=req, by=city_admin, reason="OK", cap_override_reason="Just in case."
    )
    req.refresh_from_db()
    assert req.cap_override_reason == ""
    assert events_for(req).last().data["cap_overridden"] is False
    # That approval reached the cap: the next one needs the override.
    with pytest.raises(DomainError):
        services.account_request_approve(
            request=SubmittedAccountRequestFactory(), by=city_admin, reason="OK"
        )


def test_the_cap_is_read_from_the_city_profile(city_admin, city_profile):
    AccountFactory.create_batch(city_profile.max_active_accounts)
    city_profile.max_active_accounts += 1
    city_profile.save()
    services.account_request_approve(
        request=SubmittedAccountRequestFactory(), by=city_admin, reason="OK"
    )


def test_the_approved_request_constraint_holds_in_the_database(city_profile):
    from django.db import IntegrityError, transaction

    req = SubmittedAccountRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountRequest.objects.filter(pk=req.pk).update(status=S.APPROVED)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_cannot_both_take_the_last_place(postgres):
    """P12: the city profile row is locked while an approval counts, so two
    approvers cannot both pass the cap check (PostgreSQL, two connections)."""
    import threading

    from django.db import connection

    from tests.accounts.factories import CityProfileFactory, UserFactory

    profile = CityProfileFactory(max_active_accounts=3)
    AccountFactory.create_batch(profile.max_active_accounts - 1)
    approver = UserFactory(roles=["City Administrator"])
    requests = SubmittedAccountRequestFactory.create_batch(2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(req):
        try:
            barrier.wait(timeout=10)
            services.account_request_approve(request=req, by=approver, reason="Go.")
            outcomes.append("approved")
        except DomainError:
            outcomes.append("cap")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["approved", "cap"]
    assert Account.objects.in_service().count() == profile.max_active_accounts
