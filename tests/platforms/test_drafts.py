"""A hide or delete the platform reported becomes a removal decision only when a
manager gives it its categories, facts and reasoning (P21), or
is set aside as not a removal; on the managers' dashboard until then."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from moderation.models import RemovalCategory, RemovalDecision
from platforms.models import DraftRemoval
from tests.accounts.factories import ManagerAccessFactory
from tests.platforms.conftest import payload
from tests.platforms.factories import DraftRemovalFactory

pytestmark = pytest.mark.django_db

ORIGINAL = "Will the Elm Street detour end before the farmers market?"


def category_pks(*numbers: int) -> list[str]:
    return [
        str(pk)
        for pk in RemovalCategory.objects.filter(number__in=numbers).values_list(
            "pk", flat=True
        )
    ]


def complete_data(**overrides):
    data = {
        "categories": category_pks(7),
        "facts": "The comment advertises a shop selling followers.",
        "reasoning": "A commercial promotion unrelated to the post: category 7.",
        "notified_via": "",
        "notification_text": "",
        "link_to_material": "",
    }
    data.update(overrides)
    return data


def test_a_hide_becomes_a_removal_decision_completed_by_the_manager(
    deliver, city_page, page_manager, process, login_as
):
    deliver(payload("feed_comment_add.json"))
    deliver(payload("feed_comment_hide.json"))
    process()
    client = login_as(page_manager)
    draft = DraftRemoval.objects.get()
    # On the manager's dashboard until it is completed.
    dashboard = client.get("/staff/").content.decode()
    assert "Needs attention" in dashboard or "alert" in dashboard
    assert "waiting for you to log" in dashboard
    assert "/platforms/drafts/" in dashboard
    page_html = client.get(f"/platforms/drafts/{draft.pk}/").content.decode()
    assert ORIGINAL in page_html and "Jordan Lee" in page_html

    response = client.post(f"/platforms/drafts/{draft.pk}/complete/", complete_data())
    assert response.status_code == 302
    decision = RemovalDecision.objects.get()
    assert response["Location"] == f"/moderation/removals/{decision.pk}/"
    assert decision.account == city_page
    assert decision.comment_text == ORIGINAL
    assert decision.author_name == "Jordan Lee"
    assert decision.comment_id == "200000000000001_300000000000001"
    assert decision.comment_url.endswith("?comment_id=300000000000001")
    assert decision.platform_action == RemovalDecision.PlatformAction.HIDDEN
    assert decision.removed_by == page_manager
    assert [c.number for c in decision.categories.all()] == [7]
    draft.refresh_from_db()
    assert draft.status == DraftRemoval.Status.COMPLETED
    assert draft.decision == decision
    assert (draft.closed_by, draft.closed_at is not None) == (page_manager, True)
    assert AuditEvent.objects.filter(
        action="platforms.draft_removal.completed", actor=page_manager
    ).exists()
    assert AuditEvent.objects.filter(action="moderation.removal.logged").exists()
    assert "waiting for you to log" not in client.get("/staff/").content.decode()


def test_without_a_category_nothing_is_logged_and_the_manager_is_told_why(
    page_manager, login_as
):
    draft = DraftRemovalFactory(comment__account=page_manager_account(page_manager))
    response = login_as(page_manager).post(
        f"/platforms/drafts/{draft.pk}/complete/", complete_data(categories=[])
    )
    assert response.status_code == 400
    assert "Tick at least one category" in response.content.decode()
    assert not RemovalDecision.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftRemoval.Status.PENDING


def page_manager_account(manager):
    return manager.grants.get().account


def test_a_manager_of_another_account_cannot_complete_or_see_it(
    city_page, manager, login_as
):
    draft = DraftRemovalFactory()  # on another page
    ManagerAccessFactory(account=city_page, manager=manager)
    client = login_as(manager)
    assert client.get(f"/platforms/drafts/{draft.pk}/").status_code == 404
    response = client.post(f"/platforms/drafts/{draft.pk}/complete/", complete_data())
    assert response.status_code == 404
    assert not RemovalDecision.objects.exists()


def test_the_service_refuses_a_manager_who_does_not_manage_the_account(manager):
    from core.exceptions import NotPermitted
    from platforms import services

    draft = DraftRemovalFactory()
    with pytest.raises(NotPermitted):
        services.draft_removal_complete(
            draft=draft,
            by=manager,
            categories=RemovalCategory.objects.filter(number=7),
            facts="x" * 30,
            reasoning="y" * 30,
        )
    assert not RemovalDecision.objects.exists()


def test_a_records_officer_sees_drafts_but_cannot_complete_them(
    records_officer, login_as
):
    draft = DraftRemovalFactory()
    client = login_as(records_officer)
    assert client.get(f"/platforms/drafts/{draft.pk}/").status_code == 200
    response = client.post(f"/platforms/drafts/{draft.pk}/complete/", complete_data())
    assert response.status_code == 403


def test_not_a_removal_needs_a_reason_and_closes_the_draft(page_manager, login_as):
    draft = DraftRemovalFactory(
        comment__account=page_manager_account(page_manager),
        action=DraftRemoval.Action.DELETED,
    )
    client = login_as(page_manager)
    response = client.post(f"/platforms/drafts/{draft.pk}/dismiss/", {"reason": "no"})
    assert response.status_code == 400
    assert "Say in a sentence why" in response.content.decode()
    response = client.post(
        f"/platforms/drafts/{draft.pk}/dismiss/",
        {"reason": "The author deleted the comment themselves."},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftRemoval.Status.NOT_REMOVAL
    assert draft.reason == "The author deleted the comment themselves."
    event = AuditEvent.objects.get(action="platforms.draft_removal.not_removal")
    assert event.reason == draft.reason
    # Closed: it can be neither completed nor closed again.
    response = client.post(f"/platforms/drafts/{draft.pk}/complete/", complete_data())
    assert response.status_code in (400, 403)
    assert not RemovalDecision.objects.exists()


def test_a_comment_already_logged_by_hand_is_refused_with_the_reason(
    page_manager, login_as
):
    from tests.moderation.factories import RemovalDecisionFactory

    draft = DraftRemovalFactory(comment__account=page_manager_account(page_manager))
    RemovalDecisionFactory(
        account=draft.account,
        comment_id=draft.comment.comment_id,
        comment_url=draft.comment.url,
    )
    response = login_as(page_manager).post(
        f"/platforms/drafts/{draft.pk}/complete/", complete_data()
    )
    assert response.status_code == 400
    assert "already logged" in response.content.decode()
    assert RemovalDecision.objects.count() == 1


def test_a_draft_without_captured_text_asks_for_it(page_manager, login_as):
    draft = DraftRemovalFactory(
        comment__account=page_manager_account(page_manager),
        comment__text="",
        comment__first_version=None,
    )
    client = login_as(page_manager)
    html = client.get(f"/platforms/drafts/{draft.pk}/").content.decode()
    assert "The platform did not send it" in html
    response = client.post(
        f"/platforms/drafts/{draft.pk}/complete/",
        complete_data(comment_text="Buy followers at cheap-followers.example"),
    )
    assert response.status_code == 302
    assert RemovalDecision.objects.get().comment_text == (
        "Buy followers at cheap-followers.example"
    )
