"""The staff loops in a real browser, at a phone's width (390 px) and a
desktop's (1280 px): a person offboarded with their open work handed over, a
manager acknowledging a new policy version, incidents recorded and closed, and a
way out on every page. axe-core reports no WCAG 2.1 A/AA violation on any staff
page these journeys touch, and none scrolls sideways."""

from __future__ import annotations

import pytest

from accounts.models import ManagerAccess, Offboarding
from core import roles
from notices.models import PolicyAcknowledgment
from notices.services import policy_acknowledge
from tests.accounts.factories import (
    CompliantAccountFactory,
    ManagerAccessFactory,
    SubmittedAccountRequestFactory,
)
from tests.browser import WIDTHS, Checks, click_and_load
from tests.notices.factories import publish_both, publish_current

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_person_is_offboarded_with_their_open_work_handed_over(
    viewport, live_server, signed_in, axe, shots, city_admin, make_staff, city_profile
):
    leaving = make_staff(
        roles.SOCIAL_MEDIA_MANAGER, first_name="Lee", last_name="Leaving"
    )
    successor = make_staff(
        roles.SOCIAL_MEDIA_MANAGER, first_name="Sam", last_name="Berg"
    )
    alone = CompliantAccountFactory(display_name="Maple Falls Library")
    ManagerAccessFactory(manager=leaving, account=alone)
    shared = ManagerAccessFactory(manager=leaving).account
    ManagerAccessFactory(account=shared)  # someone else manages this one too
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(city_admin, viewport)

    page.goto(live_server.url + "/accounts/offboarding/")
    check(page, "offboarding-start")
    page.get_by_label("Person leaving their social media duties").select_option(
        label=str(leaving)
    )
    page.get_by_label("Reason").fill("Left the city on 2026-03-31.")
    click_and_load(page, page.get_by_role("button", name="Revoke all their access"))
    offboarding = Offboarding.objects.get()
    assert page.url.endswith(offboarding.get_absolute_url())
    check(page, "offboarding-open-work")
    work = page.get_by_role("region", name="Accounts left with no manager")
    assert work.get_by_role("link", name="Maple Falls Library").count() == 1

    # The statement about multi-factor sign-in is needed: refused, then done.
    work.get_by_label("New manager", exact=True).select_option(label=str(successor))
    click_and_load(page, work.get_by_role("button", name="Hand over"))
    assert page.get_by_role("alert").count() >= 1
    check(page, "offboarding-handover-refused")
    work = page.get_by_role("region", name="Accounts left with no manager")
    work.get_by_label("New manager", exact=True).select_option(label=str(successor))
    work.get_by_label("The new manager signs in to the platform").check()
    click_and_load(page, work.get_by_role("button", name="Hand over"))
    assert page.get_by_text("Handed over to Sam Berg").count() == 1
    assert ManagerAccess.objects.current().get(account=alone).manager == successor
    check(page, "offboarding-steps")

    # Each platform step recorded; the last one completes the offboarding.
    while page.get_by_role("button", name="Record as done").count():
        click_and_load(page, page.get_by_role("button", name="Record as done").first)
    assert page.get_by_text(f"{offboarding} is complete.").count() == 1
    check(page, "offboarding-complete")
    offboarding.refresh_from_db()
    leaving.refresh_from_db()
    assert offboarding.status == Offboarding.Status.COMPLETED
    assert not leaving.is_active
    check.done()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_manager_acknowledges_a_new_policy_version(
    viewport,
    live_server,
    signed_in,
    axe,
    shots,
    city_admin,
    make_staff,
    city_profile,
):
    manager = make_staff(
        roles.SOCIAL_MEDIA_MANAGER, first_name="Morgan", last_name="Haugen"
    )
    ManagerAccessFactory(manager=manager)
    first = publish_both(by=city_admin)["policy"]
    policy_acknowledge(version=first, by=manager)
    city_profile.sensitive_info_contact = "City Attorney"
    city_profile.save()
    second = publish_current(kind="policy", by=city_admin)
    check = Checks(axe, shots, str(viewport["width"]))

    page = signed_in(manager, viewport)
    page.goto(live_server.url + "/staff/")
    panel = page.get_by_role(
        "region", name="Acknowledge the social media policy (version 2)"
    )
    assert panel.count() == 1
    check(page, "dashboard-acknowledge")
    click_and_load(page, panel.get_by_role("link", name="Read version 2 of the policy"))
    assert page.url.endswith(second.get_absolute_url())
    page.go_back()
    click_and_load(
        page,
        page.get_by_role(
            "button", name="I have read version 2 of the policy and will follow it"
        ),
    )
    assert page.get_by_text("your acknowledgment of version 2").count() == 1
    assert page.get_by_role("region", name="Acknowledge the social media").count() == 0
    check(page, "dashboard-acknowledged")
    assert PolicyAcknowledgment.objects.filter(person=manager).count() == 2

    admin = signed_in(city_admin, viewport)
    admin.goto(live_server.url + "/staff/policy/acknowledgments/")
    row = admin.get_by_role("row", name="Morgan Haugen")
    assert "Acknowledged" in row.inner_text()
    assert "Version 1" in row.inner_text()
    check(admin, "policy-acknowledgments")
    admin.goto(live_server.url + "/staff/")
    check(admin, "dashboard-city-administrator")
    check.done()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_incidents_requests_and_sign_out_pages_are_accessible(
    viewport, live_server, signed_in, axe, shots, city_admin, manager, city_profile
):
    account = CompliantAccountFactory(display_name="Maple Falls Police")
    ManagerAccessFactory(account=account, manager=manager)
    request = SubmittedAccountRequestFactory()
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(city_admin, viewport)

    page.goto(live_server.url + "/accounts/incidents/")
    check(page, "incidents")
    click_and_load(page, page.get_by_role("button", name="Record the incident"))
    assert page.get_by_role("alert").count() >= 1
    check(page, "incidents-refused")
    page.get_by_label("Disclosure of private, confidential or sensitive data").check()
    page.get_by_label("Account").select_option(label=str(account))
    page.get_by_label("When it happened").fill("2026-03-02T09:30")
    page.get_by_label("What happened, in detail").fill(
        "A reply quoted a resident's case number."
    )
    page.get_by_label("Reported by").fill("The resident, by phone")
    click_and_load(page, page.get_by_role("button", name="Record the incident"))
    check(page, "incident-open")
    page.get_by_label("Action taken", exact=True).fill("Reply deleted.")
    page.get_by_label("Action taken on").fill("2026-03-03")
    click_and_load(page, page.get_by_role("button", name="Close the incident"))
    assert page.get_by_text("is closed.").count() == 1
    check(page, "incident-closed")

    page.goto(live_server.url + request.get_absolute_url())
    check(page, "request-decide")
    page.goto(live_server.url + "/accounts/requests/new/")
    check(page, "request-new")
    page.goto(live_server.url + "/signout/")
    check(page, "sign-out")
    click_and_load(
        page, page.get_by_role("main").get_by_role("button", name="Sign out")
    )
    assert page.get_by_text("You are signed out.").count() == 1
    check.done()
