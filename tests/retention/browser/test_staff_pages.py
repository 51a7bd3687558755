"""The retention staff pages on a phone (390 px) and a desktop (1280 px): no
sideways scroll (tables become stacked rows, ``table.stack``) and no axe-core
violation (messages, purge, holds, the destruction log)."""

from __future__ import annotations

from typing import Any

import pytest

from retention import services
from retention.models import PurgeRun
from retention.purge import purge_run
from tests.accounts.factories import AccountFactory, ManagerAccessFactory
from tests.browser import (
    DESKTOP,
    NO_SIDEWAYS_SCROLL,
    PHONE,
    click_and_load,
    describe,
)
from tests.retention.factories import MessageFactory, ReadMessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "When will the sidewalk on Maple Avenue between 3rd and 5th be cleared? " * 3


@pytest.fixture
def records(manager: Any, records_officer: Any, settings: Any, tmp_path: Any) -> Any:
    settings.RETENTION_PURGE_LOCK_FILE = str(tmp_path / "purge.lock")
    settings.RETENTION_PURGE_PAUSED = False
    account: Any = AccountFactory(handle="maplefallsparksandrecreation")
    ManagerAccessFactory(account=account, manager=manager)
    for i in range(3):
        MessageFactory(
            account=account,
            sender_handle=f"resident.with.a.rather.long.handle.{i}",
            body=LONG,
        )
    ReadMessageFactory.create_batch(2, account=account)
    purge_run(trigger=PurgeRun.Trigger.COMMAND)
    ReadMessageFactory.create_batch(2, account=account)
    services.legal_hold_place(
        by=records_officer,
        title="Data practices request 2026-14 from the Maple Falls Gazette",
        reason="Request for every message about the Maple Avenue sidewalk",
        accounts=[account],
        sender_handle="resident.with.a.rather.long.handle.1",
    )
    return account


PAGES = [
    ("manager", "/retention/messages/", "Messages"),
    ("manager", "/retention/follow-ups/", "Business requests waiting for follow-up"),
    ("records_officer", "/retention/purge/", "Purge and destruction log"),
    ("records_officer", "/retention/purge/run/", "Run the purge now?"),
    (
        "records_officer",
        "/retention/purge/records/?series=messages",
        "Due for destruction: Social media messages",
    ),
    ("records_officer", "/retention/holds/", "Legal holds"),
    ("records_officer", "/retention/disasters/", "Disaster periods"),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize(("who", "path", "heading"), PAGES)
def test_retention_pages_fit_and_pass_axe(
    records, signed_in, live_server, axe, shots, request, viewport, who, path, heading
):
    page = signed_in(request.getfixturevalue(who), viewport)
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == heading
    assert page.evaluate(NO_SIDEWAYS_SCROLL), (
        f"{path} scrolls sideways at {viewport['width']} px: "
        f"{page.evaluate('document.documentElement.scrollWidth')} px wide"
    )
    violations = axe(page)
    assert violations == [], describe(violations)
    shots(page, f"retention{path.replace('/', '-')}-{viewport['width']}")


def test_on_a_phone_a_message_row_reads_as_labelled_lines(
    records, signed_in, live_server, manager
):
    page = signed_in(manager, PHONE)
    page.goto(live_server.url + "/retention/messages/")
    cell = page.locator("td[data-label='Resident']").first
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Resident: "'
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_message_page_with_its_follow_up_forms_fits_and_passes_axe(
    records, signed_in, live_server, axe, manager, viewport
):
    message = MessageFactory(account=records, body=LONG)
    page = signed_in(manager, viewport)
    page.goto(live_server.url + f"/retention/messages/{message.pk}/")
    assert page.get_by_label("Follow-up due").count() == 1
    assert page.get_by_label("Follow-up note").count() == 1
    # An empty flag shows its error beside the field and in the summary.
    click_and_load(page, page.get_by_role("button", name="Flag for follow-up"))
    assert page.locator(".error-summary").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    violations = axe(page)
    assert violations == [], describe(violations)
