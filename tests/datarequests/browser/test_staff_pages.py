"""The Records Officer's pages of a request, in Chromium: axe clean."""

from __future__ import annotations

import pytest

from datarequests import services
from datarequests.models import DataRequest
from tests.browser import DESKTOP, PHONE, click_and_load, describe
from tests.retention.factories import MessageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_search_pick_and_the_request_page_pass_axe(
    viewport, city_profile, records_officer, signed_in, live_server, axe
):
    message = MessageFactory(sender_handle="danaw")
    made = services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        name="Dana Whitfield",
        email="dana@example.net",
        handles="@danaw",
        description="Everything about me.",
    )
    page = signed_in(records_officer, viewport)
    page.goto(f"{live_server.url}/requests/staff/{made.pk}/")
    assert not describe(axe(page))
    click_and_load(
        page, page.get_by_role("link", name="Search records for this request")
    )
    assert not describe(axe(page))
    page.get_by_label(f"Message #{message.pk}", exact=False).check()
    click_and_load(
        page, page.get_by_role("button", name="Pick and hold the ticked records")
    )
    assert page.get_by_text("1 record picked and held.").is_visible()
    assert not describe(axe(page))
    assert made.picked.get().object_id == message.pk


def test_a_refused_close_note_is_kept_and_the_page_passes_axe(
    city_profile, records_officer, signed_in, live_server, axe
):
    made = services.datarequest_submit(kind="public", description="Public data.")
    page = signed_in(records_officer, DESKTOP)
    page.goto(f"{live_server.url}/requests/staff/{made.pk}/")
    note = "Withdrawn by telephone. " * 90  # over the 2,000 characters
    page.get_by_label("How was it closed?").fill(note)
    click_and_load(page, page.get_by_role("button", name="Close the request"))
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link", name="How was it closed?", exact=False).click()
    field = page.get_by_label("How was it closed?")
    assert field.evaluate("el => el === document.activeElement")
    assert field.input_value() == note  # as typed
    assert not describe(axe(page))
    made.refresh_from_db()
    assert made.status == DataRequest.Status.RECEIVED
