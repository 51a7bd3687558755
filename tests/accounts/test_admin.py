"""The accounts admin: what each role sees and may do on each page and action
(P3, P4, P11, P12), with clear errors and nothing half-saved."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.models import Account, AccountRequest, CityProfile, ManagerAccess
from core import clock
from core.audit import events_for
from core.models import AuditEvent
from tests.accounts.factories import (
    AccountFactory,
    AccountRequestFactory,
    CompliantAccountFactory,
    DepartmentFactory,
    ManagerAccessFactory,
    ShutDownAccountFactory,
    SubmittedAccountRequestFactory,
    platform,
)

pytestmark = pytest.mark.django_db

ROLES = ["city_admin", "manager", "records_officer", "attorney"]
ACCOUNTS = reverse("admin:accounts_account_changelist")
REQUESTS = reverse("admin:accounts_accountrequest_changelist")
GRANTS = reverse("admin:accounts_manageraccess_changelist")


def actions_offered(response):
    form = response.context.get("action_form")
    if form is None:
        return set()
    return {name for name, _ in form.fields["action"].choices if name}


def run_action(client, url, action, objs, **data):
    """Post an admin action with its intermediate form already filled in."""
    payload = {
        "action": action,
        ACTION_CHECKBOX_NAME: [o.pk for o in objs],
        "apply": "1",
        **data,
    }
    return client.post(url, payload, follow=True)


def test_the_admin_package_registers_every_accounts_admin():
    """accounts/admin/ is a package: each of its modules must be imported by its
    __init__ for the pages to exist at all."""
    registered = {
        model._meta.label: type(model_admin).__module__
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "accounts"
    }
    assert registered == {
        "accounts.User": "accounts.admin.city",
        "accounts.CityProfile": "accounts.admin.city",
        "accounts.Department": "accounts.admin.city",
        "accounts.Platform": "accounts.admin.city",
        "accounts.Account": "accounts.admin.registry",
        "accounts.AccountRequest": "accounts.admin.account_requests",
        "accounts.ManagerAccess": "accounts.admin.access",
        "accounts.Offboarding": "accounts.admin.access",
    }


# --- who sees what ------------------------------------------------------------------

EXPECTED_ACCOUNT_ACTIONS = {
    "city_admin": {"verify_checklist", "suspend", "reactivate", "shut_down"},
    "manager": {"verify_checklist"},
    "records_officer": set(),
    "attorney": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_account_changelist_per_role(request, login_as, role, city_profile):
    user = request.getfixturevalue(role)
    mine, other = CompliantAccountFactory(), CompliantAccountFactory()
    ManagerAccessFactory(account=mine, manager=user)
    response = login_as(user).get(ACCOUNTS)
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset)
    if role == "manager":
        assert shown == {mine}  # P11: only the accounts they manage
    else:
        assert shown == {mine, other}
    assert actions_offered(response) == EXPECTED_ACCOUNT_ACTIONS[role]
    add_allowed = response.context["has_add_permission"]
    assert add_allowed == (role == "city_admin")


def test_a_manager_cannot_open_an_account_they_do_not_manage(
    login_as, manager, city_profile
):
    other = CompliantAccountFactory()
    response = login_as(manager).get(
        reverse("admin:accounts_account_change", args=[other.pk])
    )
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert Account.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_request_and_grant_changelists_per_role(request, login_as, role, city_profile):
    user = request.getfixturevalue(role)
    own_grant = ManagerAccessFactory(manager=user)
    other_grant = ManagerAccessFactory()
    SubmittedAccountRequestFactory()
    client = login_as(user)

    requests_page = client.get(REQUESTS)
    if role in ("city_admin", "records_officer"):
        assert requests_page.status_code == 200
        expected = {"approve", "deny"} if role == "city_admin" else set()
        assert actions_offered(requests_page) == expected
    else:
        assert requests_page.status_code == 403

    grants_page = client.get(GRANTS)
    if role == "attorney":
        assert grants_page.status_code == 403
        return
    assert grants_page.status_code == 200
    shown = set(grants_page.context["cl"].queryset)
    if role == "manager":
        assert shown == {own_grant}
    else:
        assert shown == {own_grant, other_grant}
    expected = {"recertify", "revoke", "offboard"} if role == "city_admin" else set()
    assert actions_offered(grants_page) == expected
    assert grants_page.context["has_add_permission"] == (role == "city_admin")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_city_administrator_edits_the_profile_and_reads_the_audit(
    request, login_as, role, city_profile
):
    client = login_as(request.getfixturevalue(role))
    profile = client.get(
        reverse("admin:accounts_cityprofile_change", args=[city_profile.pk])
    )
    audit_page = client.get(reverse("admin:core_auditevent_changelist"))
    if role == "city_admin":
        assert profile.status_code == 200
        assert profile.context["has_change_permission"]
        assert audit_page.status_code == 200
    else:
        assert profile.status_code == 403
        assert audit_page.status_code == (200 if role == "records_officer" else 403)


# --- account actions ----------------------------------------------------------------


def test_the_city_administrator_shuts_down_with_a_reason_through_the_admin(
    login_as, city_admin, city_profile
):
    account = CompliantAccountFactory()
    client = login_as(city_admin)
    # Step 1: the action asks for a reason.
    page = client.post(
        ACCOUNTS, {"action": "shut_down", ACTION_CHECKBOX_NAME: [account.pk]}
    )
    assert page.status_code == 200
    assert "Shutting down is final" in page.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    # An empty reason is refused on the form.
    page = run_action(client, ACCOUNTS, "shut_down", [account], reason="")
    assert "This field is required" in page.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    # Step 2: with a reason, the service runs.
    done = run_action(client, ACCOUNTS, "shut_down", [account], reason="Replaced.")
    assert "1 account shut down." in done.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.SHUT_DOWN
    assert account.status_reason == "Replaced."
    assert events_for(account).last().actor == city_admin


def test_saving_a_change_page_opened_before_the_account_was_shut_down_says_so(
    login_as, city_admin, city_profile
):
    """Someone shut the account down (P4) while this change page was open: Save
    shows why nothing was saved, instead of a server error."""
    account = CompliantAccountFactory(display_name="Parks")
    client = login_as(city_admin)
    url = reverse("admin:accounts_account_change", args=[account.pk])
    form = {
        "handle": account.handle,
        "display_name": "Parks and Trails",
        "url": account.url,
        "slug": account.slug,
        "department": account.department_id,
        "_save": "Save",
    }
    account.status = Account.Status.SHUT_DOWN
    account.save()
    response = client.post(url, form)
    assert response.status_code == 200
    assert "was shut down since this page was opened" in response.content.decode()
    account.refresh_from_db()
    assert account.display_name == "Parks"


def test_a_refused_action_names_the_account_and_changes_nothing(
    login_as, city_admin, city_profile
):
    active, shut = CompliantAccountFactory(), ShutDownAccountFactory()
    response = run_action(
        login_as(city_admin), ACCOUNTS, "suspend", [active, shut], reason="Audit."
    )
    said = [str(m) for m in response.context["messages"]]
    assert "1 account suspended." in said
    assert (
        f"{shut} cannot be suspended: it is “Shut down”, and only “Active” can be."
        in said
    )
    shut.refresh_from_db()
    assert shut.status == Account.Status.SHUT_DOWN


@pytest.mark.parametrize("role", ["manager", "records_officer", "attorney"])
@pytest.mark.parametrize("action", ["suspend", "shut_down", "reactivate"])
def test_other_roles_cannot_run_status_actions(request, login_as, role, action):
    user = request.getfixturevalue(role)
    account = CompliantAccountFactory()
    ManagerAccessFactory(account=account, manager=user)
    run_action(login_as(user), ACCOUNTS, action, [account], reason="Mine now.")
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert not events_for(account).exists()


def test_a_manager_verifies_the_checklist_of_their_account(
    login_as, manager, city_profile
):
    account = AccountFactory()
    ManagerAccessFactory(account=account, manager=manager)
    response = run_action(
        login_as(manager),
        ACCOUNTS,
        "verify_checklist",
        [account],
        items=["marked_as_city", "website_linked", "notice_linked"],
    )
    assert "Checklist verified on 1 account." in response.content.decode()
    account.refresh_from_db()
    assert account.is_compliant
    assert account.notice_linked_by == manager


def test_the_compliance_filter_and_search(login_as, city_admin, city_profile):
    ok = CompliantAccountFactory(handle="compliantone")
    missing = AccountFactory(handle="missingnotice")
    client = login_as(city_admin)
    assert set(client.get(ACCOUNTS, {"compliance": "no"}).context["cl"].queryset) == {
        missing
    }
    assert set(client.get(ACCOUNTS, {"compliance": "yes"}).context["cl"].queryset) == {
        ok
    }
    assert set(client.get(ACCOUNTS, {"q": "missingn"}).context["cl"].queryset) == {
        missing
    }
    html = client.get(ACCOUNTS).content.decode()
    assert "compliance" in html and "platform" in html and "department" in html


# --- adding and editing accounts in the admin -----------------------------------


def add_data(**overrides):
    data = {
        "platform": platform("facebook").pk,
        "handle": "maplefallsfire",
        "display_name": "Maple Falls Fire",
        "url": "https://www.facebook.com/maplefallsfire",
        "slug": "",
        "department": DepartmentFactory(name="Fire").pk,
        "kind": "city",
        "comments_enabled": "on",
        "city_controlled_confirmed": "on",
        "reason": "Existing account, approved in 2023.",
        "cap_override_reason": "",
    }
    data.update(overrides)
    return data


def test_registering_an_account_in_the_admin_goes_through_the_service(
    login_as, city_admin, city_profile
):
    response = login_as(city_admin).post(
        reverse("admin:accounts_account_add"), add_data()
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = Account.objects.get()
    assert account.status_changed_by == city_admin
    event = events_for(account).get()
    assert event.action == "account.registered"
    assert event.reason.startswith("Existing account")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "https://www.instagram.com/maplefallsfire"}, "url", "not on Facebook"),
        ({"url": "www facebook"}, "url", "Enter a valid URL"),
        ({"handle": "maplefallspd"}, "handle", "does not appear in the address"),
        ({"city_controlled_confirmed": ""}, "city_controlled_confirmed", "required"),
        ({"kind": "councilmember"}, "kind", "P6"),
        ({"reason": ""}, "reason", "required"),
    ],
)
def test_bad_accounts_in_the_admin_get_a_clear_error(
    login_as, city_admin, city_profile, overrides, field, message
):
    response = login_as(city_admin).post(
        reverse("admin:accounts_account_add"), add_data(**overrides)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Account.objects.exists()
    assert not AuditEvent.objects.filter(action="account.registered").exists()


def test_a_duplicate_account_in_the_admin_names_the_existing_one(
    login_as, city_admin, city_profile
):
    existing = CompliantAccountFactory(
        platform=platform("facebook"),
        handle="maplefallsfire",
        url="https://facebook.com/MapleFallsFire/",
    )
    response = login_as(city_admin).post(
        reverse("admin:accounts_account_add"), add_data()
    )
    errors = response.context["adminform"].form.errors
    assert f"(account #{existing.pk})" in errors["url"][0]
    assert Account.objects.count() == 1


def test_the_cap_in_the_admin_needs_an_override(login_as, city_admin, city_profile):
    AccountFactory.create_batch(city_profile.max_active_accounts)
    client = login_as(city_admin)
    response = client.post(reverse("admin:accounts_account_add"), add_data())
    assert "give a reason for going beyond" in " ".join(
        response.context["adminform"].form.errors["cap_override_reason"]
    )
    assert Account.objects.count() == city_profile.max_active_accounts
    response = client.post(
        reverse("admin:accounts_account_add"),
        add_data(cap_override_reason="Fire season."),
    )
    assert response.status_code == 302
    account = Account.objects.get(handle="maplefallsfire")
    assert events_for(account).get().data["cap_overridden"] is True


def test_editing_an_account_in_the_admin_is_audited(login_as, city_admin, account):
    url = reverse("admin:accounts_account_change", args=[account.pk])
    client = login_as(city_admin)
    page = client.get(url)
    assert "history (audit trail)" in page.content.decode().lower()
    data = {
        "handle": account.handle,
        "display_name": "Renamed",
        "url": account.url,
        "slug": account.slug,
        "department": account.department_id,
        "comments_enabled": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    event = events_for(account).last()
    assert event.data["changes"]["display_name"][1] == "Renamed"
    assert event.data["changes"]["comments_enabled"] == [True, False]
    bad = client.post(url, {**data, "url": "https://x.com/" + account.handle})
    assert "not on Facebook" in " ".join(bad.context["adminform"].form.errors["url"])
    account.refresh_from_db()
    assert account.url.startswith("https://www.facebook.com/")


def test_the_profile_rejects_an_invalid_website(login_as, city_admin, city_profile):
    url = reverse("admin:accounts_cityprofile_change", args=[city_profile.pk])
    client = login_as(city_admin)
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["councilmember_accounts_covered"] = ""
    response = client.post(url, {**data, "official_website": "not a website"})
    assert response.status_code == 200
    assert "Enter a valid URL" in " ".join(
        response.context["adminform"].form.errors["official_website"]
    )
    city_profile.refresh_from_db()
    assert city_profile.official_website == "https://www.maplefalls.example.gov"
    response = client.post(url, {**data, "max_active_accounts": "0"})
    assert "max_active_accounts" in response.context["adminform"].form.errors
    assert CityProfile.objects.get().max_active_accounts == 5
    # A valid change is saved and audited.
    response = client.post(url, {**data, "max_active_accounts": "7"})
    assert response.status_code == 302
    assert CityProfile.objects.get().max_active_accounts == 7
    assert events_for(city_profile).last().data["changes"] == {
        "max_active_accounts": [5, 7]
    }


# --- request actions -------------------------------------------------------------


def test_approving_and_denying_from_the_request_changelist(
    login_as, city_admin, city_profile
):
    to_approve, to_deny = (
        SubmittedAccountRequestFactory(),
        SubmittedAccountRequestFactory(),
    )
    client = login_as(city_admin)
    run_action(
        client,
        REQUESTS,
        "approve",
        [to_approve],
        reason="Fits.",
        cap_override_reason="",
        slug="",
    )
    run_action(client, REQUESTS, "deny", [to_deny], reason="Duplicate of main.")
    to_approve.refresh_from_db()
    to_deny.refresh_from_db()
    assert to_approve.status == AccountRequest.Status.APPROVED
    assert to_approve.account is not None
    assert to_deny.status == AccountRequest.Status.DENIED


def test_approving_a_draft_in_the_admin_is_refused_with_its_reason(
    login_as, city_admin, city_profile
):
    draft = AccountRequestFactory()
    response = run_action(
        login_as(city_admin), REQUESTS, "approve", [draft], reason="OK", slug=""
    )
    assert "cannot be approved: it is “Draft”" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == AccountRequest.Status.DRAFT
    assert not Account.objects.exists()


def test_requests_cannot_be_changed_or_deleted_in_the_admin(
    login_as, city_admin, city_profile
):
    req = SubmittedAccountRequestFactory()
    client = login_as(city_admin)
    url = reverse("admin:accounts_accountrequest_change", args=[req.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.post(url, {"status": "approved"})
    assert (
        client.post(
            reverse("admin:accounts_accountrequest_delete", args=[req.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.SUBMITTED


# --- grants in the admin ---------------------------------------------------------


def grant_data(account, person, **overrides):
    data = {
        "account": account.pk,
        "manager": person.pk,
        "platform_mfa_confirmed": "on",
    }
    data.update(overrides)
    return data


def test_granting_access_in_the_admin(login_as, city_admin, manager, account):
    response = login_as(city_admin).post(
        reverse("admin:accounts_manageraccess_add"), grant_data(account, manager)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    grant = ManagerAccess.objects.get()
    assert (grant.manager, grant.granted_by) == (manager, city_admin)
    assert events_for(grant).get().action == "manager_access.granted"


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("shut_down", "account", "shut down (P4)"),
        ("no_mfa", "platform_mfa_confirmed", "multi-factor"),
        ("inactive", "manager", "not one of the available choices"),
        ("twice", "manager", "already has current access"),
    ],
)
def test_bad_grants_in_the_admin_get_a_clear_error(
    login_as, city_admin, manager, account, case, field, message
):
    overrides = {}
    if case == "shut_down":
        account = ShutDownAccountFactory()
    elif case == "no_mfa":
        overrides["platform_mfa_confirmed"] = ""
    elif case == "inactive":
        manager.is_active = False
        manager.save()
    elif case == "twice":
        ManagerAccessFactory(account=account, manager=manager)
    before = ManagerAccess.objects.count()
    response = login_as(city_admin).post(
        reverse("admin:accounts_manageraccess_add"),
        grant_data(account, manager, **overrides),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert ManagerAccess.objects.count() == before


@pytest.mark.parametrize("role", ["manager", "records_officer", "attorney"])
def test_other_roles_cannot_grant(request, login_as, role, account, make_staff):
    response = login_as(request.getfixturevalue(role)).post(
        reverse("admin:accounts_manageraccess_add"), grant_data(account, make_staff())
    )
    assert response.status_code == 403
    assert not ManagerAccess.objects.exists()


def test_revoking_twice_in_the_admin_says_so(login_as, city_admin, grant, time_machine):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    client = login_as(city_admin)
    first = run_action(client, GRANTS, "revoke", [grant], reason="Changed duties.")
    assert "1 access grant revoked." in first.content.decode()
    # The change page's audit history dates each event.
    page = client.get(reverse("admin:accounts_manageraccess_change", args=[grant.pk]))
    assert (
        "<li>Nov. 27, 2026, 3:05 p.m. · manager_access.revoked · "
        f"{city_admin.get_username()} · "
        "Changed duties.</li>"
    ) in page.content.decode()
    second = run_action(client, GRANTS, "revoke", [grant], reason="Again.")
    assert "already revoked" in second.content.decode()
    grant.refresh_from_db()
    assert grant.revoke_reason == "Changed duties."


def test_a_manager_cannot_revoke_in_the_admin(login_as, manager, grant):
    run_action(login_as(manager), GRANTS, "revoke", [grant], reason="Bye.")
    grant.refresh_from_db()
    assert grant.is_current


def test_the_overdue_filter_and_recertify_action(
    login_as, city_admin, city_profile, time_machine
):
    time_machine.move_to("2026-11-27 10:00 -06:00", tick=False)
    overdue = ManagerAccessFactory(
        review_due_on=clock.today() - timedelta(days=1),
        review_overdue_reported_on=clock.today(),
    )
    ManagerAccessFactory()
    client = login_as(city_admin)
    page = client.get(GRANTS, {"review": "overdue"})
    assert set(page.context["cl"].queryset) == {overdue}
    assert "OVERDUE (reported Nov. 27, 2026)" in page.content.decode()
    refused = run_action(client, GRANTS, "recertify", [overdue])
    assert "Confirm multi-factor sign-in" in refused.content.decode()
    run_action(client, GRANTS, "recertify", [overdue], platform_mfa_confirmed="on")
    overdue.refresh_from_db()
    assert overdue.review_due_on > clock.today()


def test_the_offboard_action_opens_the_offboarding_page(login_as, city_admin, grant):
    response = login_as(city_admin).post(
        GRANTS, {"action": "offboard", ACTION_CHECKBOX_NAME: [grant.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('accounts:offboarding-list')}?person={grant.manager_id}"
    )


def test_audit_events_cannot_be_edited_or_deleted_in_the_admin(
    login_as, city_admin, grant
):
    event = events_for(grant).first() or AuditEvent.objects.first()
    client = login_as(city_admin)
    if event is None:
        from core.audit import record_event

        event = record_event(action="test.event", target=grant, actor=city_admin)
    delete = client.post(
        reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- platforms (P9) and offboarding records ------------------------------------------


def test_the_city_administrator_adds_a_platform_with_valid_hosts(
    login_as, city_admin, city_profile
):
    from accounts.models import Platform

    client = login_as(city_admin)
    url = reverse("admin:accounts_platform_add")
    data = {"name": "Mastodon", "slug": "mastodon", "active": "on"}
    bad = client.post(url, {**data, "hosts": "social.example.gov, not a host"})
    assert "Not a host name: not a host." in " ".join(
        bad.context["adminform"].form.errors["hosts"]
    )
    assert not Platform.objects.filter(slug="mastodon").exists()
    client.post(url, {**data, "hosts": "social.example.gov"})
    mastodon = Platform.objects.get(slug="mastodon")
    assert mastodon.matches_url("https://social.example.gov/@lakeside")
    assert events_for(mastodon).get().action == "accounts.platform.created"


@pytest.mark.parametrize("role", ROLES)
def test_offboarding_records_are_for_the_city_administrator(
    request, login_as, role, city_admin, grant
):
    from accounts import services

    offboarding = services.offboarding_start(
        person=grant.manager, by=city_admin, reason="Left."
    )
    client = login_as(request.getfixturevalue(role))
    listing = client.get(reverse("admin:accounts_offboarding_changelist"))
    record = client.get(
        reverse("admin:accounts_offboarding_change", args=[offboarding.pk])
    )
    if role == "city_admin":
        assert listing.status_code == record.status_code == 200
        assert not record.context["has_change_permission"]
        assert "Record the platform steps" in record.content.decode()
    else:
        assert listing.status_code == 403
        assert record.status_code in (302, 403)
