"""Logging a removal on a phone in under a minute, and reading its record, in a
real browser at 390 px and 1280 px (P20, P21): axe-core
reports no WCAG 2.1 A/AA violation and no page scrolls sideways.

The test counts what a manager does: a tap to reach a field, one action to
paste, one keystroke per character typed. The counts are written down in
docs/guide-manager.md ("Logging a removed comment")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core import clock
from moderation import services
from moderation.models import RemovalDecision
from tests.accounts.factories import ManagerAccessFactory
from tests.browser import WIDTHS, Checks, click_and_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


URL = "https://www.facebook.com/lakesideparks/posts/9?comment_id=4455"
TEXT = "Buy cheap sunglasses at shady-deals.example!!!"
AUTHOR = "Shady Deals"
REASONING = "It advertises a shop: a commercial promotion."
# The most a typical removal may take (see docs/guide-manager.md): fields
# filled, and taps plus keystrokes.
MOST_FIELDS = 6
MOST_ACTIONS = 80


class Hand:
    """Fill a form as a manager would, counting fields and actions."""

    def __init__(self, page: Any) -> None:
        self.page, self.fields, self.actions = page, 0, 0

    def paste(self, label: str, text: str, *, focused: bool = False) -> None:
        field = self.page.get_by_label(label, exact=True)
        if not focused:
            field.click()
            self.actions += 1
        field.fill(text)  # pasted: one action
        self.fields += 1
        self.actions += 1

    def type(self, label: str, text: str, *, keystrokes: int | None = None) -> None:
        field = self.page.get_by_label(label, exact=True)
        field.click()
        field.fill(text)
        self.fields += 1
        self.actions += 1 + (len(text) if keystrokes is None else keystrokes)

    def tick(self, label: str) -> None:
        self.page.get_by_label(label).check()
        self.fields += 1
        self.actions += 1

    def tap(self, name: str) -> None:
        click_and_load(self.page, self.page.get_by_role("button", name=name))
        self.actions += 1


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_manager_logs_a_removal_in_under_a_minute_and_reads_the_record(
    viewport, live_server, signed_in, axe, shots, manager, account
):
    ManagerAccessFactory(account=account, manager=manager)
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(manager, viewport)
    page.goto(live_server.url + "/moderation/removals/new/")
    check(page, "removal-form")
    # The one account is chosen, the address field focused.
    assert "Account: lakesideparks" in page.inner_text("main")
    assert page.evaluate("document.activeElement.name") == "comment_url"
    # Not needed for a typical removal: folded away.
    assert not page.get_by_label("Anything else relied on").is_visible()
    assert not page.get_by_label(
        "For category 8: the address the comment linked to"
    ).is_visible()

    # Submitted empty: every problem listed and linked, still accessible.
    click_and_load(page, page.get_by_role("button", name="Save the removal"))
    check(page, "removal-form-errors")
    assert "There are" in page.inner_text(".error-summary")

    page.goto(live_server.url + "/moderation/removals/new/")
    hand = Hand(page)
    hand.paste("Address (URL) of the comment", URL, focused=True)
    hand.paste("Text of the comment, exactly as posted", TEXT)
    hand.type("Author's name as shown", AUTHOR)
    posted = timezone.localtime(clock.now() - timedelta(hours=1))
    # A date and time picker: month, day, year, hour, minute, a.m./p.m.
    hand.type("Posted at", posted.strftime("%Y-%m-%dT%H:%M"), keystrokes=13)
    hand.tick("7. Commercial promotions or spam")
    hand.type("Why it falls into the categories ticked", REASONING)
    hand.tap("Save the removal")

    decision = RemovalDecision.objects.get()
    assert decision.comment_id == "4455"
    assert decision.platform_action == "hidden"
    assert decision.facts == ""
    assert hand.fields <= MOST_FIELDS
    assert hand.actions <= MOST_ACTIONS, hand.actions
    check(page, "removal-record")
    assert f"{decision} is logged." in page.inner_text("main")

    # The record with an amendment and its audit trail: tables become rows.
    services.removal_notify_author(
        decision=decision, by=manager, via="message", text="We removed it."
    )
    page.reload()
    check(page, "removal-record-amended")
    page.goto(live_server.url + "/admin/moderation/removaldecision/")
    check(page, "removal-list")
    assert str(decision) in page.inner_text("#result_list")
    check.done()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_manager_restores_a_comment_an_appeal_reversed(
    viewport, live_server, signed_in, axe, shots, manager, city_admin, account
):
    from tests.moderation.factories import RemovalDecisionFactory

    ManagerAccessFactory(account=account, manager=manager)
    decision = RemovalDecisionFactory(account=account)
    services.restoration_request(
        decision=decision,
        reason="The comment criticises the city; no category applies.",
        source="Appeal AP-2026-00003 reversed the removal.",
        by=city_admin,
    )
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(manager, viewport)
    page.goto(live_server.url + "/staff/")
    check(page, "dashboard-restorations")
    panel = page.get_by_role("region", name="Comments to restore (1)")
    click_and_load(page, panel.get_by_role("link", name=str(decision)))
    assert f"/moderation/removals/{decision.pk}/" in page.url
    check(page, "restoration-record")
    page.get_by_label("How it was restored").fill("Unhidden on Facebook; it shows.")
    click_and_load(page, page.get_by_role("button", name="The comment is restored"))
    assert "Comment restored on the platform" in page.inner_text("main")
    assert "Unhidden on Facebook; it shows." in page.inner_text("main")
    check(page, "restoration-done")
    page.goto(live_server.url + "/staff/")
    assert "Comments to restore" not in page.inner_text("main")
    check.done()
