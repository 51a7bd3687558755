"""What people see: the public list (P7), the request pages (P12, P14) and the
offboarding pages (P3)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Account, AccountRequest, Offboarding
from accounts.views import REQUESTS_PER_PAGE
from core import clock
from core.audit import events_for
from tests.accounts.factories import (
    AccountFactory,
    AccountRequestFactory,
    CompliantAccountFactory,
    DepartmentFactory,
    ManagerAccessFactory,
    ShutDownAccountFactory,
    SubmittedAccountRequestFactory,
    SuspendedAccountFactory,
    platform,
)
from tests.conftest import verify_second_factor
from tests.security.conftest import sign_in_password

pytestmark = pytest.mark.django_db

PUBLIC = reverse("accounts:public-list")


# --- the public list (P7) -----------------------------------------------------------


def _managed(account):
    ManagerAccessFactory(account=account)
    return account


def test_the_public_list_shows_active_accounts_with_links(client, city_profile):
    active = _managed(CompliantAccountFactory(display_name="Maple Falls Parks"))
    suspended = _managed(SuspendedAccountFactory(display_name="Paused Account"))
    shut = ShutDownAccountFactory(display_name="Closed Account")
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLIC == "/accounts/"
    assert f'href="{active.url}"' in html
    assert "Maple Falls Parks" in html
    # P15: each account's public notice is one click away.
    assert reverse("notices:account-notice", args=[active.slug]) in html
    assert active.platform.name in html
    assert suspended.display_name not in html
    assert shut.display_name not in html
    assert "Maple Falls's official social media accounts" in html
    assert "info@maplefalls.example.gov" in html


@pytest.mark.parametrize("url", [PUBLIC, reverse("notices:home")])
def test_an_approved_account_is_listed_only_once_verified_and_managed(
    client, city_admin, city_profile, url
):
    """P7, P5, P13, P15: approving a request does not put the account on the
    official list; the home page and /accounts/ agree."""
    request = SubmittedAccountRequestFactory(display_name="Maple Falls Library")
    account = services.account_request_approve(
        request=request, by=city_admin, reason="Sustainable."
    )
    assert "Maple Falls Library" not in client.get(url).content.decode()
    services.account_checklist_verify(
        account=account, by=city_admin, items=Account.CHECKLIST
    )
    assert "Maple Falls Library" not in client.get(url).content.decode()
    ManagerAccessFactory(account=account)
    assert "Maple Falls Library" in client.get(url).content.decode()
    services.account_suspend(account=account, by=city_admin, reason="Paused.")
    assert "Maple Falls Library" not in client.get(url).content.decode()


def test_the_public_list_works_with_no_accounts_and_no_scripts(client):
    html = client.get(PUBLIC).content.decode()
    assert "has not listed any accounts yet" in html
    assert "<script" not in html
    assert "style=" not in html


def test_the_public_list_runs_a_fixed_number_of_queries(
    client, city_profile, django_assert_max_num_queries
):
    for account in CompliantAccountFactory.create_batch(12):
        _managed(account)
    with django_assert_max_num_queries(4):
        client.get(PUBLIC)


# --- requests (P12, P14) ---------------------------------------------------------


def form_data(department, **overrides):
    data = {
        "department": department.pk,
        "platform": platform("instagram").pk,
        "kind": "city",
        "proposed_handle": "maplefallspool",
        "proposed_url": "https://www.instagram.com/maplefallspool",
        "display_name": "Maple Falls Aquatic Center",
        "purpose": "Pool hours and closures.",
        "audience": "Swimmers.",
        "proposed_managers": "Lifeguard supervisor.",
        "upkeep_plan": "Daily in summer.",
        "city_controlled_confirmed": "on",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_department_staff_submit_a_request(
    login_as, make_staff, city_profile, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    department = DepartmentFactory(name="Aquatics")
    staff = make_staff(department=department)
    client = login_as(staff)
    page = client.get(reverse("accounts:request-create"))
    assert page.status_code == 200
    assert page.context["form"]["department"].value() == department.pk
    response = client.post(reverse("accounts:request-create"), form_data(department))
    req = AccountRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    assert req.status == AccountRequest.Status.SUBMITTED
    assert req.requested_by == staff
    detail = client.get(req.get_absolute_url()).content.decode()
    assert "Submitted, awaiting decision" in detail
    assert "<dt>Submitted</dt><dd>Nov. 27, 2026, 3:05 p.m.</dd>" in detail
    assert "was submitted to the approving authority" in detail
    assert "Approve and add" not in detail  # staff cannot decide


def test_a_draft_is_saved_then_submitted(login_as, make_staff, city_profile):
    department = DepartmentFactory()
    staff = make_staff()
    client = login_as(staff)
    client.post(
        reverse("accounts:request-create"),
        form_data(department, action="draft", city_controlled_confirmed=""),
    )
    req = AccountRequest.objects.get()
    assert req.status == AccountRequest.Status.DRAFT
    # Submitting without the P6 confirmation is refused with the reason.
    response = client.post(reverse("accounts:request-submit", args=[req.pk]))
    assert response.status_code == 400
    assert "personal accounts cannot be registered" in response.content.decode()
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.DRAFT
    client.post(
        reverse("accounts:request-edit", args=[req.pk]),
        form_data(department, action="submit"),
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.SUBMITTED


def test_a_refused_submission_from_the_edit_page_saves_nothing_and_keeps_the_typing(
    login_as, make_staff, city_profile
):
    department = DepartmentFactory()
    staff = make_staff()
    draft = AccountRequestFactory(
        requested_by=staff, department=department, city_controlled_confirmed=False
    )
    response = login_as(staff).post(
        reverse("accounts:request-edit", args=[draft.pk]),
        form_data(
            department,
            display_name="Maple Falls Pool",
            city_controlled_confirmed="",
            action="submit",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "personal accounts cannot be registered" in html
    assert 'value="Maple Falls Pool"' in html  # what was typed is still there
    draft.refresh_from_db()
    # The page says there is a problem: nothing was half-saved behind it.
    assert draft.status == AccountRequest.Status.DRAFT
    assert draft.display_name != "Maple Falls Pool"
    assert not events_for(draft).filter(action="account_request.changed").exists()


def test_the_city_administrator_corrects_a_draft_without_a_submit_button(
    login_as, city_admin, make_staff, city_profile
):
    """Only the requester submits: the approving authority's edit page offers to
    save the draft, not to submit it (which ended on a 403 page after saving)."""
    department = DepartmentFactory()
    draft = AccountRequestFactory(requested_by=make_staff(), department=department)
    client = login_as(city_admin)
    url = reverse("accounts:request-edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'value="submit"' not in page
    assert "Save the draft" in page
    response = client.post(
        url, form_data(department, display_name="Maple Falls Pool", action="draft")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.display_name == "Maple Falls Pool"
    assert draft.status == AccountRequest.Status.DRAFT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"proposed_url": "https://www.facebook.com/maplefallspool"},
            "not on Instagram",
        ),
        ({"proposed_url": "not-a-url"}, "Enter a valid URL"),
        ({"proposed_handle": "maplefallsswim"}, "does not appear in the address"),
        ({"kind": "personal"}, "Select a valid choice"),
        ({"kind": "councilmember"}, "Select a valid choice"),
        ({"purpose": ""}, "This field is required"),
    ],
)
def test_bad_requests_show_the_error_and_save_nothing(
    login_as, make_staff, city_profile, overrides, message
):
    department = DepartmentFactory()
    response = login_as(make_staff()).post(
        reverse("accounts:request-create"), form_data(department, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccountRequest.objects.exists()


def test_a_duplicate_request_names_the_existing_account(
    login_as, make_staff, city_profile
):
    existing = CompliantAccountFactory(
        platform=platform("instagram"),
        handle="maplefallspool",
        url="https://instagram.com/maplefallspool/",
    )
    response = login_as(make_staff()).post(
        reverse("accounts:request-create"), form_data(DepartmentFactory())
    )
    assert f"already on the registry (account #{existing.pk})" in (
        response.content.decode()
    )
    assert not AccountRequest.objects.exists()


def test_the_city_administrator_approves_on_the_request_page(
    login_as, city_admin, city_profile
):
    req = SubmittedAccountRequestFactory()
    client = login_as(city_admin)
    html = client.get(req.get_absolute_url()).content.decode()
    assert "Approve and add the account to the registry" in html
    # Three forms with a reason on one page: every id is unique (WCAG 4.1.1).
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    response = client.post(
        reverse("accounts:request-approve", args=[req.pk]),
        {"reason": "Fits the plan.", "cap_override_reason": "", "slug": ""},
        follow=True,
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.APPROVED
    assert "is now on the registry" in response.content.decode()
    assert Account.objects.get() == req.account


def test_approving_at_the_cap_shows_the_override_field_error(
    login_as, city_admin, city_profile
):
    AccountFactory.create_batch(city_profile.max_active_accounts)
    req = SubmittedAccountRequestFactory()
    client = login_as(city_admin)
    assert (
        "goes beyond that number" in client.get(req.get_absolute_url()).content.decode()
    )
    response = client.post(
        reverse("accounts:request-approve", args=[req.pk]), {"reason": "Useful."}
    )
    assert response.status_code == 400
    assert "give a reason for going beyond that number" in response.content.decode()
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.SUBMITTED
    assert Account.objects.count() == city_profile.max_active_accounts
    client.post(
        reverse("accounts:request-approve", args=[req.pk]),
        {"reason": "Useful.", "cap_override_reason": "Council resolution 2026-9."},
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.APPROVED
    assert req.cap_override_reason == "Council resolution 2026-9."


def test_approving_a_request_that_is_not_submitted_is_refused_clearly(
    login_as, city_admin, city_profile
):
    req = AccountRequestFactory()  # a draft
    response = login_as(city_admin).post(
        reverse("accounts:request-approve", args=[req.pk]), {"reason": "OK"}
    )
    assert response.status_code == 400
    assert "it is “Draft”, and only “Submitted, awaiting decision” can be" in (
        response.content.decode()
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.DRAFT
    assert not Account.objects.exists()


def test_denying_needs_a_reason(login_as, city_admin, city_profile):
    req = SubmittedAccountRequestFactory()
    client = login_as(city_admin)
    response = client.post(reverse("accounts:request-deny", args=[req.pk]), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    client.post(
        reverse("accounts:request-deny", args=[req.pk]), {"reason": "Use the main one."}
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.DENIED
    assert events_for(req).last().reason == "Use the main one."


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
@pytest.mark.parametrize("action", ["request-approve", "request-deny"])
def test_other_roles_cannot_decide(
    request, login_as, role_fixture, action, city_profile
):
    user = request.getfixturevalue(role_fixture)
    req = SubmittedAccountRequestFactory(requested_by=user)
    response = login_as(user).post(
        reverse(f"accounts:{action}", args=[req.pk]), {"reason": "Mine."}
    )
    assert response.status_code == 403
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.SUBMITTED


def test_staff_see_only_their_own_requests(login_as, make_staff, city_profile):
    other = SubmittedAccountRequestFactory()
    client = login_as(make_staff())
    assert client.get(other.get_absolute_url()).status_code == 404
    assert (
        other.reference
        not in client.get(reverse("accounts:request-list")).content.decode()
    )


def test_the_city_administrator_sees_the_pending_requests(
    login_as, city_admin, city_profile
):
    pending = SubmittedAccountRequestFactory()
    draft = AccountRequestFactory()
    html = login_as(city_admin).get(reverse("accounts:request-list")).content.decode()
    assert pending.reference in html
    assert draft.reference not in html


def test_the_requester_withdraws(login_as, city_profile):
    req = SubmittedAccountRequestFactory()
    login_as(req.requested_by).post(
        reverse("accounts:request-withdraw", args=[req.pk]), {"reason": "Not needed."}
    )
    req.refresh_from_db()
    assert req.status == AccountRequest.Status.WITHDRAWN


def test_request_pages_need_a_staff_sign_in(client, city_profile):
    req = SubmittedAccountRequestFactory()
    for url in (
        reverse("accounts:request-list"),
        reverse("accounts:request-create"),
        req.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


# --- offboarding (P3) ------------------------------------------------------------


def test_the_city_administrator_offboards_and_records_the_steps(
    login_as, city_admin, manager, city_profile, time_machine
):
    time_machine.move_to("2026-11-27 15:05 -06:00", tick=False)
    grant = ManagerAccessFactory(manager=manager)
    ManagerAccessFactory(account=grant.account)  # someone else manages it too
    client = login_as(city_admin)
    page = client.get(reverse("accounts:offboarding-list"))
    assert manager in page.context["form"].fields["person"].queryset
    response = client.post(
        reverse("accounts:offboarding-list"),
        {"person": manager.pk, "reason": "Left the city."},
    )
    offboarding = Offboarding.objects.get()
    assert response["Location"] == offboarding.get_absolute_url()
    grant.refresh_from_db()
    assert not grant.is_current
    (step,) = offboarding.steps.all()
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert "Remove them as administrator on the platform" in html
    client.post(
        reverse("accounts:offboarding-step-complete", args=[offboarding.pk, step.pk]),
        {"note": "Removed from page roles."},
    )
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert f"Done by {city_admin} on Nov. 27, 2026, 3:05 p.m.: Removed" in html
    listing = client.get(reverse("accounts:offboarding-list")).content.decode()
    assert f"{manager}, completed Nov. 27, 2026</li>" in listing
    # Recording it twice says so and changes nothing.
    response = client.post(
        reverse("accounts:offboarding-step-complete", args=[offboarding.pk, step.pk]),
        follow=True,
    )
    assert "already recorded as done" in response.content.decode()


def test_a_refused_step_note_records_nothing_and_keeps_the_note(
    login_as, city_admin, manager, city_profile
):
    ManagerAccessFactory(manager=manager)
    client = login_as(city_admin)
    client.post(
        reverse("accounts:offboarding-list"),
        {"person": manager.pk, "reason": "Left the city."},
    )
    offboarding = Offboarding.objects.get()
    (step,) = offboarding.steps.all()
    typed = "Removed from page roles. " + "x" * 2000
    response = client.post(
        reverse("accounts:offboarding-step-complete", args=[offboarding.pk, step.pk]),
        {"note": typed},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 2000 characters" in html and "Nothing was saved" in html
    assert f"{typed}</textarea>" in html
    step.refresh_from_db()
    assert not step.done
    offboarding.refresh_from_db()
    assert offboarding.status == Offboarding.Status.OPEN


def test_offboarding_without_a_reason_or_person_saves_nothing(
    login_as, city_admin, grant
):
    response = login_as(city_admin).post(
        reverse("accounts:offboarding-list"), {"person": grant.manager.pk, "reason": ""}
    )
    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.is_current
    assert not Offboarding.objects.exists()


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
def test_other_roles_cannot_offboard(request, login_as, role_fixture, grant):
    user = request.getfixturevalue(role_fixture)
    client = login_as(user)
    assert client.get(reverse("accounts:offboarding-list")).status_code == 403
    response = client.post(
        reverse("accounts:offboarding-list"),
        {"person": grant.manager.pk, "reason": "Left."},
    )
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.is_current


def test_the_offboarding_form_offers_to_deactivate_the_sign_in_ticked(
    login_as, city_admin, grant
):
    html = login_as(city_admin).get(reverse("accounts:offboarding-list")).content
    box = re.search(
        rb'<input type="checkbox" name="deactivate_sign_in"[^>]*>', html
    ).group()
    assert b"checked" in box
    assert b"Also deactivate their sign-in to this system" in html


def test_an_offboarded_person_can_no_longer_sign_in(
    login_as, city_admin, manager, city_profile
):
    TOTPDevice.objects.create(user=manager, name="default", confirmed=True)
    # The person's own browser, signed in before the offboarding.
    theirs = Client()
    theirs.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(theirs, manager)
    assert theirs.get("/staff/").status_code == 200

    grant = ManagerAccessFactory(manager=manager)
    ManagerAccessFactory(account=grant.account)  # someone else manages it too
    client = login_as(city_admin)
    client.post(
        reverse("accounts:offboarding-list"),
        {"person": manager.pk, "reason": "Left the city.", "deactivate_sign_in": "on"},
    )
    offboarding = Offboarding.objects.get()
    assert offboarding.deactivate_sign_in
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert "their sign-in to this system will be deactivated" in html
    (step,) = offboarding.steps.all()
    response = client.post(
        reverse("accounts:offboarding-step-complete", args=[offboarding.pk, step.pk]),
        follow=True,
    )
    html = response.content.decode()
    assert f"Offboarding #{offboarding.pk} is complete." in html
    assert "Their sign-in to this system is deactivated." in html

    # The open session ends, and the password no longer signs them in.
    assert theirs.get("/staff/")["Location"] == "/signin/?next=/staff/"
    fresh = Client()
    response = sign_in_password(fresh, manager.username)
    assert "six-digit code" not in response.content.decode()
    assert "_auth_user_id" not in fresh.session
    assert fresh.get("/staff/").status_code == 302


def test_unticking_the_box_leaves_the_sign_in_active(
    login_as, city_admin, manager, city_profile
):
    ManagerAccessFactory(manager=manager)
    client = login_as(city_admin)
    # An unticked checkbox is simply absent from the form data.
    client.post(
        reverse("accounts:offboarding-list"),
        {"person": manager.pk, "reason": "Moved to Parks, no social media."},
    )
    offboarding = Offboarding.objects.get()
    assert not offboarding.deactivate_sign_in
    (step,) = offboarding.steps.all()
    response = client.post(
        reverse("accounts:offboarding-step-complete", args=[offboarding.pk, step.pk]),
        follow=True,
    )
    manager.refresh_from_db()
    assert manager.is_active
    assert "sign-in to this system stays active" in response.content.decode()


def test_the_page_says_when_a_remaining_role_keeps_the_sign_in(
    login_as, city_admin, records_officer, city_profile
):
    ManagerAccessFactory(manager=records_officer)
    client = login_as(city_admin)
    client.post(
        reverse("accounts:offboarding-list"),
        {
            "person": records_officer.pk,
            "reason": "No longer posts.",
            "deactivate_sign_in": "on",
        },
    )
    offboarding = Offboarding.objects.get()
    html = client.get(offboarding.get_absolute_url()).content.decode()
    assert "will stay active because they are also Records Officer" in html


# --- the request page is paginated --------------------------------------------------

REQUESTS = reverse("accounts:request-list")


def _submitted(count, **kwargs):
    """``count`` submitted requests, oldest first, sharing a department."""
    department = DepartmentFactory()
    return [
        SubmittedAccountRequestFactory(
            department=department,
            submitted_at=clock.now() - timedelta(days=count - n),
            **kwargs,
        )
        for n in range(count)
    ]


def _pager_links(html, label):
    """The pager links under the list ``label``: {link text: href}."""
    nav = re.search(
        rf'<nav class="pager" aria-label="Pages of {label}">(.*?)</nav>', html, re.S
    )
    if nav is None:
        return {}
    return {
        re.sub(r"<.*?>", "", text).replace(f" of {label}", ""): unescape(href)
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', nav[1])
    }


def _references_in(html, requests):
    """The references of ``requests`` the page shows, in the order shown."""
    wanted = {r.reference for r in requests}
    return [ref for ref in re.findall(r">(AR-\d{4}-\d+)<", html) if ref in wanted]


def test_the_requests_waiting_for_a_decision_come_25_to_a_page(
    login_as, city_admin, city_profile
):
    waiting = _submitted(REQUESTS_PER_PAGE * 2 + 3)
    client = login_as(city_admin)
    label = "requests waiting for your decision"

    html = client.get(REQUESTS).content.decode()
    assert _references_in(html, waiting) == [
        r.reference for r in waiting[:REQUESTS_PER_PAGE]
    ]
    assert f"Page 1 of 3 (1 to {REQUESTS_PER_PAGE} of {len(waiting)})." in html
    assert _pager_links(html, label) == {
        "Next page": "?waiting_page=2#waiting",
        "Last page": "?waiting_page=3#waiting",
    }
    assert 'id="waiting"' in html

    html = client.get(REQUESTS, {"waiting_page": 2}).content.decode()
    assert _references_in(html, waiting) == [
        r.reference for r in waiting[REQUESTS_PER_PAGE : REQUESTS_PER_PAGE * 2]
    ]
    assert _pager_links(html, label) == {
        "Previous page": "?waiting_page=1#waiting",
        "Next page": "?waiting_page=3#waiting",
    }

    html = client.get(REQUESTS, {"waiting_page": 3}).content.decode()
    assert _references_in(html, waiting) == [
        r.reference for r in waiting[REQUESTS_PER_PAGE * 2 :]
    ]
    assert _pager_links(html, label) == {
        "First page": "?waiting_page=1#waiting",
        "Previous page": "?waiting_page=2#waiting",
    }


def test_paging_one_list_keeps_the_rest_of_the_query_string(
    login_as, city_admin, city_profile
):
    _submitted(REQUESTS_PER_PAGE + 1)
    mine = [
        AccountRequestFactory(requested_by=city_admin)
        for _ in range(REQUESTS_PER_PAGE + 1)
    ]
    client = login_as(city_admin)
    html = client.get(REQUESTS, {"waiting_page": 2, "department": "7"}).content.decode()
    # Their own requests, newest first: the oldest is on the second page.
    assert _references_in(html, mine) == [r.reference for r in mine[1:]][::-1]
    assert _pager_links(html, "your requests") == {
        "Next page": "?waiting_page=2&department=7&mine_page=2#mine"
    }
    assert _pager_links(html, "requests waiting for your decision") == {
        "Previous page": "?waiting_page=1&department=7#waiting"
    }


def test_one_page_of_requests_has_no_pager(login_as, city_admin, city_profile):
    _submitted(REQUESTS_PER_PAGE)
    html = login_as(city_admin).get(REQUESTS).content.decode()
    assert 'class="pager"' not in html


@pytest.mark.parametrize("asked", ["0", "99", "two"])
def test_a_page_number_out_of_range_shows_a_page_that_exists(
    login_as, city_admin, city_profile, asked
):
    waiting = _submitted(REQUESTS_PER_PAGE + 1)
    response = login_as(city_admin).get(REQUESTS, {"waiting_page": asked})
    assert response.status_code == 200
    shown = _references_in(response.content.decode(), waiting)
    # Django: past either end, the last page; not a number, the first.
    expected = waiting[:-1] if asked == "two" else waiting[REQUESTS_PER_PAGE:]
    assert shown == [r.reference for r in expected]


def test_the_request_page_costs_the_same_whatever_the_number_of_requests(
    login_as, city_admin, city_profile, django_assert_num_queries
):
    """One request or three pages of them in both lists: the same queries (no
    query per row, and only one page is read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(city_admin)
    client.get(REQUESTS)  # warm the session and permission caches
    _submitted(1, requested_by=city_admin)
    with CaptureQueriesContext(connection) as one:
        client.get(REQUESTS)
    _submitted(REQUESTS_PER_PAGE * 3, requested_by=city_admin)
    with django_assert_num_queries(len(one)):
        client.get(REQUESTS)
