"""A reversed appeal leads to the comment being restored on the platform (P22):
the task, who owns it, the dashboard until done, and the "no manager" flag."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from core import audit, clock
from core.audit_text import action_phrase
from core.exceptions import InvalidTransition, NotPermitted
from moderation import services
from moderation.models import RemovalDecision, RestorationTask
from tests.moderation.factories import RemovalDecisionFactory

pytestmark = pytest.mark.django_db

SOURCE = "Appeal AP-2026-00003 reversed the removal."
DASHBOARD = reverse("core:dashboard")


class FakeAppeal:
    pk = 3

    def __str__(self) -> str:
        return "AP-2026-00003"


@pytest.fixture
def decision(account: Any) -> Any:
    return RemovalDecisionFactory(account=account)


def _request(decision: RemovalDecision, by: Any) -> RestorationTask:
    return services.restoration_request(
        decision=decision,
        reason="The comment criticises the city; no category applies.",
        source=SOURCE,
        by=by,
        appeal=FakeAppeal(),
    )


def test_a_reversal_asks_for_the_restoration_without_calling_it_done(
    decision, city_admin
):
    task = _request(decision, city_admin)
    assert task.status == RestorationTask.Status.OPEN
    assert task.requested_by == city_admin
    # The record does not say "restored" until a manager says it is.
    assert not RemovalDecision.objects.restored().exists()
    event = audit.events_for(decision).last()
    assert event.action == "moderation.restoration.requested"
    assert action_phrase(event.action) == "asked for the comment to be restored"
    with pytest.raises(InvalidTransition, match="already asked for"):
        _request(decision, city_admin)


def test_the_managers_are_emailed_or_the_city_administrator_when_there_are_none(
    decision, city_admin, account_manager, account
):
    from core.models import OutboxMessage

    _request(decision, city_admin)
    sent = OutboxMessage.objects.get()
    assert sent.to == account_manager.email
    assert sent.subject == f"A comment to restore: {decision} on {account.handle}"
    assert SOURCE in sent.body
    assert decision.get_absolute_url() in sent.body
    assert "Nobody manages" not in sent.body

    OutboxMessage.objects.all().delete()
    account.grants.update(
        revoked_at=clock.now(), revoked_by=city_admin, revoke_reason="Left"
    )
    unmanaged = RemovalDecisionFactory(account=account)
    _request(unmanaged, city_admin)
    sent = OutboxMessage.objects.get()
    assert sent.to == city_admin.email
    assert "Nobody manages this account now" in sent.body


def test_only_those_who_may_ask_do(decision, records_officer):
    with pytest.raises(NotPermitted):
        _request(decision, records_officer)


def test_the_manager_confirms_it_and_the_restoration_is_recorded_then(
    decision, city_admin, account_manager
):
    task = _request(decision, city_admin)
    done = services.restoration_complete(
        task=task, by=account_manager, note="Unhidden on Facebook; it shows."
    )
    assert done.status == RestorationTask.Status.DONE
    assert done.done_by == account_manager
    assert done.done_at is not None
    amendment = decision.amendments.get(kind="restoration")
    assert amendment.made_by == account_manager
    assert amendment.appeal_reference == "AP-2026-00003"
    assert amendment.appeal_id == 3
    assert SOURCE in amendment.reason
    assert list(RemovalDecision.objects.restored()) == [decision]
    event = audit.events_for(decision).last()
    assert event.action == "moderation.removal.restored"
    assert event.data["restoration_task"] == task.pk
    with pytest.raises(InvalidTransition, match="cannot be marked restored"):
        services.restoration_complete(task=task, by=account_manager, note="")
    # Restored once: no new task.
    with pytest.raises(InvalidTransition, match="already restored"):
        _request(RemovalDecision.objects.get(pk=decision.pk), city_admin)


def test_a_manager_of_another_account_cannot_confirm(decision, city_admin, make_staff):
    from core.roles import SOCIAL_MEDIA_MANAGER

    manager = make_staff(SOCIAL_MEDIA_MANAGER)
    task = _request(decision, city_admin)
    with pytest.raises(NotPermitted, match="confirm restored comments"):
        services.restoration_complete(task=task, by=manager, note="")
    task.refresh_from_db()
    assert task.status == RestorationTask.Status.OPEN


def test_the_dashboard_lists_it_for_its_managers_until_done(
    decision, city_admin, account_manager, make_staff, login_as
):
    from core.roles import SOCIAL_MEDIA_MANAGER

    other_manager = make_staff(SOCIAL_MEDIA_MANAGER)
    task = _request(decision, city_admin)
    html = login_as(account_manager).get(DASHBOARD).content.decode()
    assert "Comments to restore (1)" in html
    assert f"{decision}</a> on {decision.account.handle}" in html
    assert "No manager" not in html
    # A manager of other accounts is not asked.
    assert (
        "Comments to restore"
        not in login_as(other_manager).get(DASHBOARD).content.decode()
    )

    client = login_as(account_manager)
    response = client.post(
        reverse("moderation:restoration-complete", args=[decision.pk]),
        {"done_note": "Unhidden; checked it shows."},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == RestorationTask.Status.DONE
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Comment restored on the platform" in page
    assert "Unhidden; checked it shows." in page
    assert "Comments to restore" not in client.get(DASHBOARD).content.decode()
    # Sent again (a double tap): told, nothing changes.
    again = client.post(
        reverse("moderation:restoration-complete", args=[decision.pk]),
        {"done_note": "Again."},
        follow=True,
    )
    assert f"No restoration of {decision} is waiting" in again.content.decode()
    assert decision.amendments.filter(kind="restoration").count() == 1


def test_a_task_on_an_account_nobody_manages_is_flagged_to_the_city_administrator(
    decision, city_admin, login_as
):
    _request(decision, city_admin)  # nobody manages the account
    html = login_as(city_admin).get(DASHBOARD).content.decode()
    assert "Comments to restore (1)" in html
    assert "No manager" in html


def test_the_record_page_offers_the_confirmation_to_the_manager(
    decision, city_admin, account_manager, records_officer, login_as
):
    _request(decision, city_admin)
    url = decision.get_absolute_url()
    page = login_as(account_manager).get(url).content.decode()
    assert "Comment to restore on the platform" in page
    assert reverse("moderation:restoration-complete", args=[decision.pk]) in page
    page = login_as(records_officer).get(url).content.decode()
    assert "Waiting for a manager of" in page
    assert reverse("moderation:restoration-complete", args=[decision.pk]) not in page


def test_the_restorations_panel_costs_the_same_queries_for_one_task_or_ten(
    decision, city_admin, account_manager, login_as, dashboard_queries
):
    from tests.accounts.factories import AccountFactory

    _request(decision, city_admin)  # on the manager's account
    client = login_as(city_admin)
    dashboard_queries(client)  # warm the session
    one, html = dashboard_queries(client)
    assert "Comments to restore (1)" in html
    # Nine more, each on an account of its own (and platform), nobody managing it.
    for _ in range(9):
        _request(RemovalDecisionFactory(account=AccountFactory()), city_admin)
    ten, html = dashboard_queries(client)
    assert "Comments to restore (10)" in html
    assert html.count("No manager</strong>") == 9
    assert ten == one
