"""The accounts panels on the staff dashboard, and the demo city."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Account, AccountRequest, ManagerAccess, OffboardingStep
from core import clock
from core.audit import events_for, verify_chain
from tests.accounts.factories import (
    AccountFactory,
    AccountRequestFactory,
    CompliantAccountFactory,
    ManagerAccessFactory,
    SubmittedAccountRequestFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("core:dashboard")


def panels(response):
    return {p.title: p for p in response.context["panels"]}


def test_the_city_administrator_sees_every_accounts_panel(
    login_as, city_admin, city_profile, time_machine
):
    time_machine.move_to("2026-11-27 10:00 -06:00", tick=False)
    missing = AccountFactory(display_name="No notice yet")
    CompliantAccountFactory()
    overdue = ManagerAccessFactory(
        account=CompliantAccountFactory(),
        review_due_on=clock.today() - timedelta(days=2),
    )
    overdue.review_overdue_reported_on = clock.today()
    overdue.save()
    pending = SubmittedAccountRequestFactory()
    AccountRequestFactory()  # a draft: not waiting for a decision

    response = login_as(city_admin).get(DASHBOARD)
    shown = panels(response)
    html = response.content.decode()

    non_compliant = shown["Accounts not compliant"]
    assert non_compliant.alert
    assert non_compliant.context["accounts"] == [missing]
    assert "links to the public notice (P15)" in html

    reviews = shown["Manager access reviews"]
    assert reviews.alert
    assert reviews.context["grants"] == [overdue]
    assert "due Nov. 25, 2026" in html
    assert "reported to the City Administrator on Nov. 27, 2026" in html

    requests = shown["Account requests waiting for a decision"]
    assert requests.alert
    assert requests.context["requests"] == [pending]
    assert pending.reference in html
    assert "(submitted Nov. 27, 2026)" in html


def test_a_quiet_dashboard_raises_no_alert(login_as, city_admin, city_profile):
    CompliantAccountFactory()
    shown = panels(login_as(city_admin).get(DASHBOARD))
    assert not shown["Accounts not compliant"].alert
    assert not shown["Manager access reviews"].alert
    assert not shown["Account requests waiting for a decision"].alert


def test_a_manager_sees_only_their_accounts_and_their_own_reviews(
    login_as, manager, city_profile
):
    mine = AccountFactory()
    AccountFactory()  # not theirs: not shown
    ManagerAccessFactory(
        account=mine, manager=manager, review_due_on=clock.today() - timedelta(days=1)
    )
    ManagerAccessFactory(review_due_on=clock.today() - timedelta(days=9))
    own_request = AccountRequestFactory(requested_by=manager)
    shown = panels(login_as(manager).get(DASHBOARD))
    assert shown["Accounts not compliant"].context["accounts"] == [mine]
    grants = shown["Manager access reviews"].context["grants"]
    assert [g.manager for g in grants] == [manager]
    assert shown["Your account requests"].context["requests"] == [own_request]
    assert not shown["Your account requests"].alert


def test_open_offboardings_show_on_the_administrators_dashboard(
    login_as, city_admin, grant
):
    from accounts import services

    offboarding = services.offboarding_start(
        person=grant.manager, by=city_admin, reason="Left."
    )
    shown = panels(login_as(city_admin).get(DASHBOARD))
    assert shown["Manager access reviews"].context["offboardings"] == [offboarding]
    assert shown["Manager access reviews"].alert


def test_the_dashboard_panels_run_a_fixed_number_of_queries(
    login_as, city_admin, city_profile, dashboard_queries
):
    client = login_as(city_admin)
    dashboard_queries(client)  # warm the session and permission caches
    before, _ = dashboard_queries(client)
    for _ in range(6):
        account = AccountFactory()
        ManagerAccessFactory(
            account=account, review_due_on=clock.today() - timedelta(days=3)
        )
        SubmittedAccountRequestFactory()
    after, html = dashboard_queries(client)
    assert "Account requests waiting for a decision" in html
    assert after == before


# --- the demo city ------------------------------------------------------------------


def test_seed_demo_builds_the_registry_through_the_services():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    accounts = {a.slug: a for a in Account.objects.all()}
    assert {"facebook", "instagram", "x", "parks-facebook", "nextdoor"} <= set(accounts)
    assert (
        events_for(accounts["facebook"]).filter(action="account.registered").count()
        == 1
    )
    assert accounts["facebook"].is_compliant
    assert not accounts["nextdoor"].is_compliant  # shows on the dashboard
    assert accounts["nextdoor"].uses_shared_login
    assert ManagerAccess.objects.current().count() == 5
    assert (
        AccountRequest.objects.filter(status=AccountRequest.Status.SUBMITTED).count()
        == 1
    )
    assert not list(verify_chain())
    assert not OffboardingStep.objects.exists()


def test_demo_password_applies_on_every_run(monkeypatch):
    from accounts.models import User

    call_command("seed_demo")
    monkeypatch.setenv("DEMO_PASSWORD", "a-new-demo-password-2026")
    call_command("seed_demo")
    assert User.objects.get(username="clerk").check_password("a-new-demo-password-2026")
