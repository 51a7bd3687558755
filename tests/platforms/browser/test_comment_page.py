"""The captured comment's staff page on a phone (390 px) and a desktop
(1280 px): a manager of its account flags it as a business request, records the
follow-up (P19), reads the result on the page, and each state passes the shared
checks (axe-core, no sideways scroll, one h1: tests.browser.Checks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils.formats import date_format

from core import clock
from tests.browser import WIDTHS, Checks, click_and_load
from tests.platforms.factories import CapturedCommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Called back; emailed the block party permit form to the resident."


def follow_up_status(page: Any) -> Any:
    """The page's record of the follow-up (P19), below the comment's own."""
    return page.locator("dl.record", has_text="Business request (P19)")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_manager_flags_a_comment_then_records_its_follow_up(
    city_page, page_manager, signed_in, live_server, axe, shots, viewport
):
    comment = CapturedCommentFactory(
        account=city_page, text="How do I get a block party permit for Maple Ave?"
    )
    due = clock.today() + timedelta(days=7)
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(page_manager, viewport)
    page.goto(f"{live_server.url}/platforms/comments/{comment.pk}/")
    assert "Not flagged" in follow_up_status(page).inner_text()
    check(page, "platforms-comment")

    page.get_by_label("Follow-up due").fill(due.isoformat())
    page.locator("#id_flag-follow_up_reference").fill("Permit application PA-2026-9")
    click_and_load(page, page.get_by_role("button", name="Flag for follow-up"))
    assert page.get_by_text(
        f"{comment} flagged for follow-up (P19), due {date_format(due)}."
    ).is_visible()
    status = follow_up_status(page)
    assert "follow-up not recorded yet, so the comment is kept" in status.inner_text()
    assert "Permit application PA-2026-9" in status.inner_text()
    assert page.get_by_role("button", name="Flag for follow-up").count() == 0
    check(page, "platforms-comment-flagged")

    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Follow-up note").fill(NOTE)
    click_and_load(page, page.get_by_role("button", name="Record follow-up"))
    status = follow_up_status(page)
    assert f"Followed up by phone on {date_format(clock.today())}" in (
        status.inner_text()
    )
    assert NOTE in status.inner_text()
    assert "Permit application PA-2026-9" in status.inner_text()  # kept
    assert page.get_by_role("button", name="Record follow-up").count() == 0
    check(page, "platforms-comment-followed-up")
    check.done()
