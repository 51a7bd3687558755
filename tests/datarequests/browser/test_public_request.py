"""The public Data Practices request form, walked in Chromium to the private
status page, axe clean at phone and desktop widths (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest

from datarequests.models import DataRequest
from tests.browser import DESKTOP, PHONE, click_and_load, describe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_form_walks_to_the_status_page_with_axe_clean(
    viewport, city_profile, live_server, browser, axe, settings
):
    settings.APPEALS_MIN_FILL_SECONDS = 0
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/requests/new/")
    assert not describe(axe(page))
    # Sent empty first: the errors are listed above the form and beside fields.
    click_and_load(page, page.get_by_role("button", name="Send my request"))
    assert page.get_by_role("alert").is_visible()
    assert not describe(axe(page))

    page.get_by_label("Data about me").check()
    page.get_by_label("Which records?").fill("Comments of mine the city removed.")
    page.get_by_label("Your name", exact=True).fill("Dana Whitfield")
    page.get_by_label("Email address", exact=True).fill("dana@example.net")
    click_and_load(page, page.get_by_role("button", name="Send my request"))

    made = DataRequest.objects.get()
    assert page.get_by_text(made.reference).first.is_visible()
    assert not describe(axe(page))
    click_and_load(page, page.locator("a[href*='/status/']"))
    assert page.get_by_role("heading", level=1).inner_text().endswith(made.reference)
    assert page.get_by_text("Received").first.is_visible()
    assert not describe(axe(page))
    context.close()


def test_the_form_works_without_javascript(
    city_profile, live_server, browser, settings
):
    settings.APPEALS_MIN_FILL_SECONDS = 0
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/requests/new/")
    page.get_by_label("Public data").check()
    page.get_by_label("Which records?").fill("The removal log for 2026.")
    click_and_load(page, page.get_by_role("button", name="Send my request"))
    click_and_load(page, page.locator("a[href*='/status/']"))
    assert "/requests/status/" in page.url
    assert DataRequest.objects.get().is_anonymous
    context.close()
