"""Managers acknowledge each version of the policy themselves (P16-P18):
from their dashboard, once per version, asked again by each new
version; the City Administrator sees who has and who has not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core import clock, roles
from core.audit import events_for
from core.exceptions import InvalidTransition, NotPermitted
from notices import services
from notices.models import PolicyAcknowledgment
from notices.selectors import policy_acknowledgment_due, policy_acknowledgment_table
from tests.accounts.factories import ManagerAccessFactory, RevokedManagerAccessFactory
from tests.notices.factories import publish_current

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("core:dashboard")
ACKNOWLEDGE = reverse("notices:policy-acknowledge")
ACKNOWLEDGMENTS = reverse("notices:policy-acknowledgments")


@pytest.fixture
def policy(published):
    return published["policy"]


@pytest.fixture
def managing(manager, city_profile):
    """``manager``, holding current access to an account."""
    ManagerAccessFactory(manager=manager)
    return manager


def _new_policy_version(city_profile, city_admin):
    city_profile.sensitive_info_contact = "City Attorney"
    city_profile.save()
    return publish_current(kind="policy", by=city_admin)


def test_a_manager_acknowledges_the_live_version_once(managing, policy):
    ack = services.policy_acknowledge(version=policy, by=managing)
    assert (ack.person, ack.version) == (managing, policy)
    event = events_for(ack).get()
    assert event.action == "notices.policy_acknowledged"
    assert event.actor == managing
    assert event.data["version"] == policy.number
    with pytest.raises(InvalidTransition, match="You acknowledged version 1"):
        services.policy_acknowledge(version=policy, by=managing)
    assert PolicyAcknowledgment.objects.count() == 1


def test_only_the_live_policy_can_be_acknowledged(
    managing, published, city_profile, city_admin
):
    with pytest.raises(InvalidTransition, match="not the social media policy"):
        services.policy_acknowledge(version=published["notice"], by=managing)
    _new_policy_version(city_profile, city_admin)
    old = published["policy"]
    old.refresh_from_db()
    with pytest.raises(InvalidTransition, match="cannot be acknowledged"):
        services.policy_acknowledge(version=old, by=managing)
    assert not PolicyAcknowledgment.objects.exists()


def test_staff_without_the_permission_cannot_acknowledge(make_staff, policy):
    with pytest.raises(NotPermitted):
        services.policy_acknowledge(version=policy, by=make_staff())


def test_a_new_version_asks_everyone_with_current_access_again(
    managing, make_staff, policy, city_profile, city_admin
):
    former = RevokedManagerAccessFactory().manager
    assert policy_acknowledgment_due(person=managing) == policy
    assert policy_acknowledgment_due(person=former) is None  # no current access
    assert policy_acknowledgment_due(person=make_staff()) is None
    services.policy_acknowledge(version=policy, by=managing)
    assert policy_acknowledgment_due(person=managing) is None
    second = _new_policy_version(city_profile, city_admin)
    assert policy_acknowledgment_due(person=managing) == second


def test_nobody_is_asked_before_a_policy_is_published(managing, city_profile):
    assert policy_acknowledgment_due(person=managing) is None


# --- the manager's dashboard ----------------------------------------------------------


def test_the_dashboard_asks_until_the_manager_acknowledges(
    login_as, managing, policy, city_profile, city_admin
):
    client = login_as(managing)
    html = client.get(DASHBOARD).content.decode()
    assert "Acknowledge the social media policy (version 1)" in html
    assert f'href="{policy.get_absolute_url()}"' in html
    response = client.post(ACKNOWLEDGE, {"number": "1"}, follow=True)
    html = response.content.decode()
    assert "your acknowledgment of version 1 of the policy is recorded" in html
    assert "Acknowledge the social media policy" not in html
    assert PolicyAcknowledgment.objects.get().person == managing

    _new_policy_version(city_profile, city_admin)
    html = client.get(DASHBOARD).content.decode()
    assert "Acknowledge the social media policy (version 2)" in html


def test_acknowledging_a_version_that_is_no_longer_live_records_nothing(
    login_as, managing, policy, city_profile, city_admin
):
    _new_policy_version(city_profile, city_admin)
    response = login_as(managing).post(ACKNOWLEDGE, {"number": "1"}, follow=True)
    assert "no longer the live one" in response.content.decode()
    assert not PolicyAcknowledgment.objects.exists()


# --- who has acknowledged -------------------------------------------------------------


def test_the_city_administrator_sees_who_has_and_has_not_acknowledged(
    login_as, city_admin, make_staff, policy, city_profile
):
    done = make_staff(roles.SOCIAL_MEDIA_MANAGER, first_name="Ada", last_name="Lind")
    waiting = make_staff(roles.SOCIAL_MEDIA_MANAGER, first_name="Bo", last_name="Stone")
    for person in (done, waiting):
        ManagerAccessFactory(manager=person)
    services.policy_acknowledge(version=policy, by=done)
    rows = policy_acknowledgment_table(version=policy)
    assert [(r.person, r.acknowledged is not None) for r in rows] == [
        (waiting, False),
        (done, True),
    ]
    html = login_as(city_admin).get(ACKNOWLEDGMENTS).content.decode()
    assert "1 of 2 people have not acknowledged it yet." in html
    assert "Bo Stone" in html and "Not yet" in html
    assert "Version 1</a>: acknowledged by 1 person" in html
    dashboard = login_as(city_admin).get(DASHBOARD).content.decode()
    assert "1 of 2 people managing accounts has acknowledged version 1" in dashboard


def test_the_records_officer_reads_the_acknowledgments_and_managers_do_not(
    login_as, records_officer, managing, policy
):
    assert login_as(records_officer).get(ACKNOWLEDGMENTS).status_code == 200
    assert login_as(managing).get(ACKNOWLEDGMENTS).status_code == 403


# --- the typed dates of old grants stay readable (data migration) ---------------------


@pytest.mark.django_db(transaction=True)
def test_the_dates_typed_on_grants_become_version_acknowledgments():
    before = [
        ("accounts", "0008_incident"),
        ("notices", "0003_sqlite_delete_guard_in_model"),
    ]
    graph = MigrationExecutor(connection).loader.graph
    # Every app's latest: going back unapplies the apps that depend on these too.
    latest = graph.leaf_nodes()
    now = clock.now()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        user = old.get_model("accounts", "User")
        admin = user.objects.create(username="old-admin", is_staff=True)
        ada = user.objects.create(username="ada", is_staff=True)
        bo = user.objects.create(username="bo", is_staff=True)
        version = old.get_model("notices", "DocumentVersion").objects.create(
            kind="policy",
            number=1,
            status="published",
            title="Policy",
            sections=[],
            content_hash="x" * 64,
            generator_version=1,
            published_at=now - timedelta(days=10),
            published_by=admin,
        )
        account = old.get_model("accounts", "Account").objects.create(
            platform=old.get_model("accounts", "Platform").objects.get(slug="x"),
            handle="oldcity",
            display_name="Old City",
            url="https://x.com/oldcity",
            slug="old-city",
            department=old.get_model("accounts", "Department").objects.create(
                name="Old"
            ),
        )
        grants = old.get_model("accounts", "ManagerAccess").objects
        for person, days_ago in ((ada, 5), (bo, 30)):
            grants.create(
                account=account,
                manager=person,
                granted_by=admin,
                policy_acknowledged_at=now - timedelta(days=days_ago),
                platform_mfa_confirmed=True,
                review_due_on=now.date(),
            )
    finally:
        MigrationExecutor(connection).migrate(latest)
    by_person = {
        a.person.username: a for a in PolicyAcknowledgment.objects.select_related()
    }
    assert by_person["ada"].version_id == version.pk  # typed while version 1 was live
    assert by_person["ada"].acknowledged_at == now - timedelta(days=5)
    assert by_person["bo"].version is None  # typed before any version was live
    assert {a.typed_by.username for a in by_person.values()} == {"old-admin"}
