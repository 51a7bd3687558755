"""The appeals loops in a real browser, at a phone's width (390 px)
and a desktop's (1280 px): a removal appealed, reviewed by another manager who
reads the removal, reversed, and the restoration task done; a letter answered by
mail, printed and marked mailed. axe-core reports no WCAG 2.1 A/AA violation on
the staff appeal page and the mail queue, and no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from appeals import services
from appeals.models import Appeal
from core import roles
from tests.accounts.factories import CompliantAccountFactory, ManagerAccessFactory
from tests.appeals.factories import RemovalFactory
from tests.browser import WIDTHS, Checks, click_and_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REASONED = (
    "Read in full, the comment criticised the parking ban sharply but threatened "
    "nobody: it falls into none of the categories, so it is restored."
)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_removal_appealed_reviewed_reversed_and_restored(
    viewport, live_server, signed_in, axe, shots, city_admin, make_staff, city_profile
):
    remover = make_staff(roles.SOCIAL_MEDIA_MANAGER, first_name="Ola", last_name="Moss")
    reviewer = make_staff(
        roles.SOCIAL_MEDIA_MANAGER, first_name="Rae", last_name="Quill"
    )
    account = CompliantAccountFactory(display_name="Maple Falls Parks")
    ManagerAccessFactory(manager=remover, account=account)
    # One transaction: on PostgreSQL a removal's categories are checked at commit.
    with transaction.atomic():
        removal = RemovalFactory(
            account=account,
            removed_by=remover,
            comment_text="The parking ban is a disgrace and the council knows it.",
            facts="Posted under the snow emergency announcement.",
            reasoning="We read it as harassment of the council.",
        )
    appeal = services.appeal_submit(
        name="Jordan Public",
        email="jordan@example.net",
        account=account,
        comment_posted_on=removal.posted_at.date(),
        comment_text="About the parking ban.",
        removal_reference=str(removal),
        explanation="It was criticism of a city decision, in no category.",
    )
    check = Checks(axe, shots, str(viewport["width"]))

    # The City Administrator acknowledges, links the quoted removal, assigns.
    clerk = signed_in(city_admin, viewport)
    clerk.goto(live_server.url + appeal.get_absolute_url())
    check(clerk, "appeal-received")
    click_and_load(clerk, clerk.get_by_role("button", name="Acknowledge"))
    click_and_load(clerk, clerk.get_by_role("button", name=f"Link {removal}"))
    clerk.get_by_label("Reviewer").select_option(label=str(reviewer))
    click_and_load(clerk, clerk.get_by_role("button", name="Assign the reviewer"))
    assert f"{reviewer} reviews {appeal.reference}" in clerk.content()
    # The list of appeals (606 px wide at a phone's width before) stacks.
    clerk.goto(live_server.url + "/appeals/staff/?status=all")
    check(clerk, "appeals-list")
    assert clerk.get_by_role("link", name=appeal.reference).count() == 1

    # Another manager, who does not manage the account, reads the removal.
    page = signed_in(reviewer, viewport)
    page.goto(live_server.url + "/staff/")
    assert page.get_by_text("Assigned to me (1)").count() == 1
    page.goto(live_server.url + appeal.get_absolute_url())
    check(page, "appeal-under-review")
    assert page.get_by_text("Posted under the snow emergency announcement.").count()
    assert page.get_by_text("We read it as harassment of the council.").count()
    assert page.get_by_text("The parking ban is a disgrace").count()
    click_and_load(page, page.get_by_role("link", name=str(removal)).first)
    assert page.locator("h1").inner_text().startswith(str(removal))
    page.go_back()
    click_and_load(page, page.get_by_role("button", name="Start the review"))
    page.get_by_label("Removal reversed: the comment will be restored").check()
    page.get_by_label("Written response to the resident").fill(REASONED)
    click_and_load(page, page.get_by_role("button", name="Send the answer"))
    assert page.get_by_text("Restoration pending").count() == 1
    check(page, "appeal-reversed")

    # The account's manager restores the comment and confirms it.
    manager_page = signed_in(remover, viewport)
    manager_page.goto(live_server.url + removal.get_absolute_url() + "#restoration")
    manager_page.get_by_label(re.compile("How it was restored", re.I)).fill(
        "Unhidden on Facebook; checked it shows."
    )
    click_and_load(
        manager_page,
        manager_page.get_by_role("button", name="The comment is restored"),
    )

    page.goto(live_server.url + appeal.get_absolute_url())
    assert page.get_by_text("Restored on the platform").count() == 1
    assert page.get_by_text("Unhidden on Facebook; checked it shows.").count()
    check(page, "appeal-restored")
    check.done()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_letter_answered_by_mail_is_printed_and_marked_mailed(
    viewport, live_server, signed_in, axe, shots, city_admin, city_profile
):
    appeal = services.appeal_submit(
        name="Pat Letterwriter",
        postal_address="12 Lake Street\nRiverton, MN 55001",
        reply_by="mail",
        account_other="The city's Facebook page",
        comment_text="About the pool hours.",
        explanation="It was a question about pool hours, in no category.",
    )
    check = Checks(axe, shots, str(viewport["width"]))
    page = signed_in(city_admin, viewport)
    page.goto(live_server.url + appeal.get_absolute_url())
    click_and_load(page, page.get_by_role("button", name="Acknowledge"))

    page.goto(live_server.url + "/staff/")
    click_and_load(
        page, page.get_by_role("link", name="Print and mark the letters mailed")
    )
    check(page, "mail-queue")
    sheet = page.locator(".letter-sheet")
    assert sheet.count() == 1
    assert "Pat Letterwriter\n12 Lake Street\nRiverton, MN 55001" in (
        sheet.locator(".letter-to").inner_text()
    )
    # Printed, the page is the letter alone.
    page.emulate_media(media="print")
    assert not page.locator("h1").is_visible()
    assert not page.get_by_role("button", name=re.compile("Mark mailed")).is_visible()
    assert sheet.is_visible()
    page.emulate_media(media="screen")

    click_and_load(page, page.get_by_role("link", name="Print only this letter"))
    check(page, "letter")
    click_and_load(page, page.get_by_role("button", name=re.compile("Mark mailed")))
    assert "is marked as mailed to Pat Letterwriter by you" in page.content()
    assert page.get_by_text(re.compile(r"^Mailed .*, marked by ")).count() == 1
    page.goto(live_server.url + "/appeals/staff/letters/")
    assert page.get_by_text("No letter is waiting to be mailed.").count() == 1
    letter = Appeal.objects.get(pk=appeal.pk).correspondence.get()
    assert letter.marked_by == city_admin and letter.mailed_at is not None
    check.done()
