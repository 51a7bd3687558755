"""Who may log, amend and read removals: model permissions held by the role
groups, the account rule (P11) and the removals other apps make visible (P22)
(moderation.permissions, moderation.selectors, moderation.visibility)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from core.exceptions import MissingRecord, NotPermitted
from moderation import selectors, services, visibility
from moderation.models import RemovalDecision
from tests.accounts.factories import ManagerAccessFactory
from tests.moderation.factories import RemovalDecisionFactory
from tests.moderation.test_services import valid

pytestmark = pytest.mark.django_db


def _grant(user: Any, *codenames: str) -> Any:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="moderation", codename__in=codenames
        )
    )
    return type(user).objects.get(pk=user.pk)  # permissions are cached per object


def test_a_permission_granted_to_a_person_with_no_role_works(
    make_staff, account, login_as
):
    person = make_staff()  # staff, no role
    ManagerAccessFactory(account=account, manager=person)
    with pytest.raises(NotPermitted, match="You may not log removals for"):
        services.removal_create(by=person, **valid(account))
    assert login_as(person).get(reverse("moderation:removal-new")).status_code == 403

    person = _grant(person, "add_removaldecision", "view_removaldecision")
    decision = services.removal_create(by=person, **valid(account))
    assert list(selectors.removal_list_visible_to(user=person)) == [decision]
    page = login_as(person).get(reverse("moderation:removal-new"))
    assert page.status_code == 200
    assert account.handle in page.content.decode()


def test_the_account_rule_needs_the_permission_and_the_account(
    account_manager, account, other_account, city_admin, records_officer
):
    perm = "moderation.add_removaldecision"
    assert account_manager.has_perm(perm)
    assert account_manager.has_perm(perm, account)
    assert not account_manager.has_perm(perm, other_account)
    # The City Administrator acts for every account (P3, P4).
    assert city_admin.has_perm(perm, other_account)
    # The Records Officer reads every removal but logs none.
    assert not records_officer.has_perm(perm)
    assert not records_officer.has_perm(perm, account)
    decision = RemovalDecisionFactory(account=other_account)
    assert not account_manager.has_perm("moderation.add_removalamendment", decision)
    assert city_admin.has_perm("moderation.add_removalamendment", decision)


def test_who_reads_which_removals(
    account_manager, account, other_account, records_officer, attorney, manager
):
    mine = RemovalDecisionFactory(account=account)
    theirs = RemovalDecisionFactory(account=other_account)
    assert list(selectors.removal_list_visible_to(user=account_manager)) == [mine]
    for overseer in (records_officer, attorney):
        visible = set(selectors.removal_list_visible_to(user=overseer))
        assert visible == {mine, theirs}
    with pytest.raises(MissingRecord):
        selectors.removal_for_review(decision_id=theirs.pk, user=account_manager)


@pytest.fixture
def reviewer_rule():
    """A rule as appeals registers it: this person reviews that removal."""
    reviewing: dict[int, int] = {}

    def rule(user: Any) -> Q | None:
        pk = reviewing.get(user.pk)
        return Q(pk=pk) if pk else None

    visibility.register(rule)
    yield reviewing
    visibility.unregister(rule)


def test_a_registered_rule_lets_a_reviewer_read_the_removal(
    reviewer_rule, manager, other_account, login_as
):
    decision = RemovalDecisionFactory(account=other_account)
    url = decision.get_absolute_url()
    client = login_as(manager)
    assert client.get(url).status_code == 404  # P11: not their account

    reviewer_rule[manager.pk] = decision.pk
    assert selectors.removal_for_review(decision_id=decision.pk, user=manager) == (
        decision
    )
    assert list(selectors.removal_list_visible_to(user=manager)) == [decision]
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert decision.reasoning in html
    # Reading is not acting: no form to append to it.
    assert "Add to this record" not in html


def test_a_rule_needs_the_view_permission(reviewer_rule, make_staff):
    person = make_staff()
    decision = RemovalDecisionFactory()
    reviewer_rule[person.pk] = decision.pk
    assert not selectors.removal_list_visible_to(user=person).exists()


def test_the_summary_include_shows_what_a_reviewer_judges(account, pdf, city_admin):
    decision = services.removal_create(
        by=city_admin, **valid(account, facts="It links to a shop.", evidence=pdf)
    )
    services.removal_amend(
        decision=decision,
        by=city_admin,
        field="reasoning",
        value="Corrected: it promotes a shop, a commercial promotion (category 7).",
        reason="Clearer.",
    )
    decision = RemovalDecision.objects.get(pk=decision.pk)
    html = render_to_string(
        "moderation/includes/removal_summary.html", {"decision": decision}
    )
    assert decision.comment_text in html
    assert "It links to a shop." in html
    assert "Corrected: it promotes a shop" in html
    assert "7. Commercial promotions or spam" in html
    evidence = decision.evidence.get()
    assert reverse("moderation:removal-evidence", args=[decision.pk, evidence.pk]) in (
        html
    )
