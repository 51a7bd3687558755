"""The account registry's state changes: register, edit, suspend, reactivate,
shut down (P4), checklist (P5, P13, P15), each audited and refused cleanly."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Account, ManagerAccess
from core.audit import events_for
from core.exceptions import DomainError, InvalidTransition, MissingRecord, NotPermitted
from tests.accounts.factories import (
    AccountFactory,
    CompliantAccountFactory,
    ManagerAccessFactory,
    ShutDownAccountFactory,
    SuspendedAccountFactory,
    platform,
)

pytestmark = pytest.mark.django_db


def register(by, **overrides):
    values = {
        "platform": platform("facebook"),
        "handle": "maplefallslibrary",
        "display_name": "Maple Falls Library",
        "url": "https://www.facebook.com/maplefallslibrary",
        "department": overrides.pop("department", None),
        "city_controlled_confirmed": True,
        "reason": "Existing account, approved by the Council in 2024.",
    }
    values.update(overrides)
    return services.account_register(by=by, **values)


def test_registering_an_account_records_who_why_and_the_registry_facts(
    city_admin, city_profile, department
):
    account = register(city_admin, department=department)
    assert account.status == Account.Status.ACTIVE
    assert account.status_changed_by == city_admin
    assert account.slug == "facebook-maplefallslibrary"
    assert not account.is_compliant
    (event,) = events_for(account)
    assert event.action == "account.registered"
    assert event.actor == city_admin
    assert event.data["origin"] == "registered"
    assert event.data["cap_overridden"] is False
    assert "Council" in event.reason


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
def test_only_the_approving_authority_registers(
    request, role_fixture, city_profile, department
):
    with pytest.raises(NotPermitted, match="You may not register accounts"):
        register(request.getfixturevalue(role_fixture), department=department)
    assert not Account.objects.exists()


def test_a_personal_account_cannot_be_registered(city_admin, city_profile, department):
    with pytest.raises(ValidationError) as exc:
        register(city_admin, department=department, city_controlled_confirmed=False)
    assert "P6" in str(exc.value.message_dict["city_controlled_confirmed"])
    assert not Account.objects.exists()


def test_a_councilmember_account_needs_the_profile_option(
    city_admin, city_profile, department
):
    with pytest.raises(ValidationError) as exc:
        register(city_admin, department=department, kind=Account.Kind.COUNCILMEMBER)
    assert "P6" in exc.value.message_dict["kind"][0]
    city_profile.councilmember_accounts_covered = True
    city_profile.save()
    account = register(
        city_admin, department=department, kind=Account.Kind.COUNCILMEMBER
    )
    assert account.kind == Account.Kind.COUNCILMEMBER


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"url": "https://www.instagram.com/maplefallslibrary"}, "url"),
        ({"url": "facebook dot com"}, "url"),
        ({"handle": "maplefalls"}, "handle"),
    ],
)
def test_malformed_or_mismatched_accounts_are_not_saved(
    city_admin, city_profile, department, overrides, field
):
    with pytest.raises(ValidationError) as exc:
        register(city_admin, department=department, **overrides)
    assert field in exc.value.message_dict
    assert not Account.objects.exists()


def test_a_duplicate_account_is_refused(city_admin, city_profile, department):
    first = register(city_admin, department=department)
    with pytest.raises(ValidationError) as exc:
        register(
            city_admin,
            department=department,
            handle="MapleFallsLibrary",
            url="http://facebook.com/MapleFallsLibrary/",
            slug="other",
        )
    assert f"#{first.pk}" in exc.value.message_dict["url"][0]
    assert Account.objects.count() == 1


def test_registering_needs_a_reason(city_admin, city_profile, department):
    with pytest.raises(ValidationError):
        register(city_admin, department=department, reason="  ")
    assert not Account.objects.exists()


# --- the P12 cap ------------------------------------------------------------------


def test_at_the_cap_registering_needs_an_override_reason(
    city_admin, city_profile, department
):
    AccountFactory.create_batch(city_profile.max_active_accounts)
    with pytest.raises(DomainError, match="5 accounts in service"):
        register(city_admin, department=department)
    assert Account.objects.count() == city_profile.max_active_accounts
    account = register(
        city_admin,
        department=department,
        cap_override_reason="Required by the library board for the levy vote.",
    )
    (event,) = events_for(account)
    assert event.data["cap_overridden"] is True
    assert event.data["accounts_in_service_before"] == 5
    assert "levy vote" in event.reason


def test_shut_down_accounts_do_not_count_against_the_cap(
    city_admin, city_profile, department
):
    AccountFactory.create_batch(city_profile.max_active_accounts - 1)
    ShutDownAccountFactory.create_batch(3)
    SuspendedAccountFactory()  # suspended ones still count: they are in service
    assert services.accounts_in_service_count() == city_profile.max_active_accounts
    with pytest.raises(DomainError):
        register(city_admin, department=department)


def test_without_a_city_profile_nothing_is_registered(city_admin, department):
    with pytest.raises(MissingRecord, match="city profile"):
        register(city_admin, department=department)


# --- status: P4 ---------------------------------------------------------------------

TRANSITIONS = {
    "suspend": (services.account_suspend, [Account.Status.ACTIVE]),
    "reactivate": (services.account_reactivate, [Account.Status.SUSPENDED]),
    "shut_down": (
        services.account_shut_down,
        [Account.Status.ACTIVE, Account.Status.SUSPENDED],
    ),
}
TARGET = {
    "suspend": Account.Status.SUSPENDED,
    "reactivate": Account.Status.ACTIVE,
    "shut_down": Account.Status.SHUT_DOWN,
}
CASES = [
    (name, status, status in allowed)
    for name, (_, allowed) in TRANSITIONS.items()
    for status in Account.Status.values
]


@pytest.mark.parametrize(("name", "status", "allowed"), CASES)
def test_every_status_transition_is_allowed_or_refused(
    city_admin, city_profile, name, status, allowed
):
    account = CompliantAccountFactory(status=status)
    service, _ = TRANSITIONS[name]
    if allowed:
        service(account=account, by=city_admin, reason="Budget review.")
        account.refresh_from_db()
        assert account.status == TARGET[name]
        assert account.status_changed_by == city_admin
        assert account.status_reason == "Budget review."
        event = events_for(account).last()
        assert event.data == {"changes": {"status": [status, TARGET[name]]}}
        assert event.reason == "Budget review."
    else:
        with pytest.raises(InvalidTransition, match="cannot be"):
            service(account=account, by=city_admin, reason="Budget review.")
        account.refresh_from_db()
        assert account.status == status
        assert not events_for(account).exists()


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_a_status_change_needs_a_reason(city_admin, account, name):
    account.status = TRANSITIONS[name][1][-1]
    account.save()
    with pytest.raises(ValidationError, match="reason"):
        TRANSITIONS[name][0](account=account, by=city_admin, reason="")


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_only_the_city_administrator_changes_status(
    request, account, role_fixture, name
):
    user = request.getfixturevalue(role_fixture)
    ManagerAccessFactory(account=account, manager=user)
    with pytest.raises(NotPermitted):
        TRANSITIONS[name][0](account=account, by=user, reason="Because.")
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE


def test_shutting_down_revokes_every_current_grant(city_admin, account, manager):
    grant = ManagerAccessFactory(account=account, manager=manager)
    other = ManagerAccessFactory(account=account)
    unrelated = ManagerAccessFactory()
    services.account_shut_down(account=account, by=city_admin, reason="Unused.")
    for g in (grant, other):
        g.refresh_from_db()
        assert g.revoked_by == city_admin
        assert g.revoke_reason == "Account shut down: Unused."
        assert events_for(g).last().action == "manager_access.revoked"
    unrelated.refresh_from_db()
    assert unrelated.is_current


def test_editing_an_account_is_audited_with_before_and_after(city_admin, account):
    services.account_update(
        account=account, by=city_admin, display_name="New name", comments_enabled=False
    )
    event = events_for(account).last()
    assert event.action == "account.changed"
    assert event.data["changes"]["comments_enabled"] == [True, False]
    assert event.data["changes"]["display_name"][1] == "New name"


def test_editing_to_a_mismatched_handle_saves_nothing(city_admin, account):
    with pytest.raises(ValidationError):
        services.account_update(account=account, by=city_admin, handle="someoneelse")
    account.refresh_from_db()
    assert account.handle != "someoneelse"
    assert not events_for(account).exists()


def test_a_shut_down_account_cannot_be_edited(city_admin, city_profile):
    account = ShutDownAccountFactory()
    with pytest.raises(InvalidTransition):
        services.account_update(account=account, by=city_admin, display_name="X")


# --- checklist: P5, P13, P15 ---------------------------------------------------------


def test_verifying_the_checklist_records_who_and_when(city_admin, city_profile):
    account = AccountFactory()
    assert account in Account.objects.non_compliant()
    done = services.account_checklist_verify(
        account=account, by=city_admin, items=["marked_as_city", "website_linked"]
    )
    assert done == ["marked_as_city", "website_linked"]
    account.refresh_from_db()
    assert account.marked_as_city_by == city_admin
    assert account.website_linked_at is not None
    assert not account.is_compliant
    assert account.missing_checklist == ["links to the public notice (P15)"]
    services.account_checklist_verify(
        account=account, by=city_admin, items=["notice_linked"]
    )
    account.refresh_from_db()
    assert account.is_compliant
    assert account not in Account.objects.non_compliant()
    assert events_for(account).last().data == {
        "items": ["notice_linked"],
        "compliant": True,
    }


def test_verifying_again_is_refused(city_admin, account):
    with pytest.raises(InvalidTransition, match="already verified"):
        services.account_checklist_verify(
            account=account, by=city_admin, items=["notice_linked"]
        )


def test_a_manager_verifies_only_accounts_they_manage(manager, city_profile):
    mine, theirs = AccountFactory(), AccountFactory()
    ManagerAccessFactory(account=mine, manager=manager)
    services.account_checklist_verify(account=mine, by=manager, items=["notice_linked"])
    with pytest.raises(NotPermitted, match="do not manage"):
        services.account_checklist_verify(
            account=theirs, by=manager, items=["notice_linked"]
        )
    theirs.refresh_from_db()
    assert theirs.notice_linked_at is None


def test_the_records_officer_cannot_verify(records_officer, account):
    with pytest.raises(NotPermitted):
        services.account_checklist_verify(
            account=account, by=records_officer, items=["notice_linked"]
        )


def test_withdrawing_a_checklist_item_makes_the_account_non_compliant(
    city_admin, account
):
    services.account_checklist_withdraw(
        account=account,
        by=city_admin,
        item="notice_linked",
        reason="The notice link was removed from the profile.",
    )
    account.refresh_from_db()
    assert not account.is_compliant
    assert account in Account.objects.non_compliant()
    with pytest.raises(InvalidTransition):
        services.account_checklist_withdraw(
            account=account, by=city_admin, item="notice_linked", reason="Again."
        )


def test_a_shut_down_account_is_not_listed_as_non_compliant(city_profile):
    ShutDownAccountFactory(notice_linked_at=None)
    assert not Account.objects.non_compliant().exists()


def test_no_grant_model_holds_credentials():
    names = {f.name for f in ManagerAccess._meta.get_fields()} | {
        f.name for f in Account._meta.get_fields()
    }
    assert not {n for n in names if "password" in n or "token" in n or "secret" in n}
