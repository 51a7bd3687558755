"""The City Administrator's review and draft pages in a real browser: the
word-level difference marks changed words by more than colour, and the pages
with it and with the reading levels pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import DESKTOP, PHONE, describe
from tests.notices.factories import publish_both

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def draft_with_changed_words(city_profile: Any, city_admin: Any) -> Any:
    publish_both(by=city_admin)
    city_profile.appeal_email = "appeals@maplefalls.example.gov"
    city_profile.appeal_answer_days = 15
    city_profile.save()
    from notices.services import document_draft_prepare

    document_draft_prepare(kind="notice", by=city_admin)
    return city_admin


def test_review_page_word_diff_is_accessible_and_not_colour_only(
    draft_with_changed_words, live_server, browser, staff_cookie, axe, shots
):
    context = browser.new_context(viewport=DESKTOP)
    staff_cookie(context, draft_with_changed_words)
    page = context.new_page()
    page.goto(live_server.url + "/staff/notices/")
    removed = page.locator(".diff-changed del").filter(has_text="clerk@")
    added = page.locator(".diff-changed ins").filter(has_text="appeals@")
    assert removed.count() == 1 and added.count() == 1
    style = "(el, prop) => getComputedStyle(el).getPropertyValue(prop)"
    assert "line-through" in removed.evaluate(style, "text-decoration-line")
    assert "underline" in added.evaluate(style, "text-decoration-line")
    # The "removed:"/"added:" words are there for screen readers, not on screen.
    hidden = removed.locator(".visually-hidden").first
    assert hidden.inner_text().strip() == "removed:"
    assert hidden.bounding_box()["width"] <= 1
    violations = axe(page)
    assert violations == [], describe(violations)
    shots(page, "staff-review-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the difference must wrap on a phone"
    shots(page, "staff-review-phone")
    context.close()


def test_draft_preview_reading_levels_are_accessible(
    draft_with_changed_words, live_server, browser, staff_cookie, axe, shots
):
    context = browser.new_context(viewport=DESKTOP)
    staff_cookie(context, draft_with_changed_words)
    page = context.new_page()
    page.goto(live_server.url + "/staff/notices/notice/draft/")
    assert (
        page.locator(".reading-level").inner_text().startswith("Reading level: grade ")
    )
    page.locator("summary", has_text="Reading level of each section").click()
    table = page.get_by_role(
        "table", name="Reading level of each section of draft version 2"
    )
    assert table.locator("tbody tr").count() == 9
    violations = axe(page)
    assert violations == [], describe(violations)
    shots(page, "staff-draft-preview-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the section table must fit a phone"
    shots(page, "staff-draft-preview-phone")
    context.close()
