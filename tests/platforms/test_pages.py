"""The staff pages of the connections, and the demo."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Account
from core import clock
from platforms.models import CapturedComment, Connection, DraftRemoval
from retention.models import Message
from tests.accounts.factories import ManagerAccessFactory
from tests.platforms.conftest import payload
from tests.platforms.factories import MastodonConnectionFactory, MetaPageFactory

pytestmark = pytest.mark.django_db


def test_the_account_page_shows_the_connections_state(
    deliver, city_page, page_manager, process, login_as
):
    deliver(payload("feed_comment_add.json"))
    process()
    client = login_as(page_manager)
    listing = client.get("/platforms/connections/").content.decode()
    assert "cityoflakeside" in listing
    assert "Meta webhook" in listing
    html = client.get(f"/platforms/connections/{city_page.pk}/").content.decode()
    assert "100000000000001" in html
    assert "Will the Elm Street detour" in html
    connection = Connection.objects.get(account=city_page)
    assert connection.last_delivery_at is not None
    # A manager does not set up polling.
    assert "Poll this account on Mastodon" not in html


def test_a_failing_poll_is_shown_with_its_error(city_admin, login_as):
    connection = MastodonConnectionFactory(
        failures=3,
        last_error="notifications: the server answered 502 Bad Gateway",
        last_error_at=clock.now(),
        last_poll_at=clock.now(),
    )
    client = login_as(city_admin)
    listing = client.get("/platforms/connections/").content.decode()
    assert "3 in a row" in listing and "502 Bad Gateway" in listing
    html = client.get(f"/platforms/connections/{connection.account.pk}/").content
    assert b"MASTODON_TOKEN_LAKESIDE" in html
    dashboard = client.get("/staff/").content.decode()
    assert "1</strong> connection failing" in dashboard


def test_a_manager_sees_only_the_accounts_they_manage(manager, login_as):
    mine, theirs = MetaPageFactory(), MetaPageFactory()
    ManagerAccessFactory(account=mine, manager=manager)
    client = login_as(manager)
    listing = client.get("/platforms/connections/").content.decode()
    assert mine.handle in listing and theirs.handle not in listing
    assert client.get(f"/platforms/connections/{theirs.pk}/").status_code == 404
    comment = CapturedComment.objects.create(
        account=theirs, source="facebook", comment_id="1_2", posted_at=clock.now()
    )
    assert client.get(f"/platforms/comments/{comment.pk}/").status_code == 404


def test_an_id_that_is_not_a_number_is_not_found(city_admin, login_as):
    client = login_as(city_admin)
    for url in (
        "/platforms/connections/9999999999999999999999/",
        "/platforms/drafts/abc/",
        "/platforms/comments/%C2%B2/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_demo_has_the_facebook_page_and_what_it_captured(settings, login_as):
    from django.urls import reverse

    from accounts.models import User
    from core.models import AuditEvent

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    city_page = Account.objects.get(slug="facebook")
    assert city_page.platform_account_id == "100000000000001"
    assert city_page.platform.slug == "facebook"
    assert CapturedComment.objects.filter(account=city_page).count() == 4
    assert DraftRemoval.objects.filter(
        account=city_page, status=DraftRemoval.Status.PENDING
    ).exists()
    assert Message.objects.filter(platform_message_id="m_demo-messenger-1").exists()
    # P19: one comment flagged for follow-up and waiting, one followed up.
    waiting = CapturedComment.objects.get(
        account=city_page,
        follow_up_flagged_at__isnull=False,
        follow_up_at__isnull=True,
    )
    assert waiting.follow_up_reference == "Park reservation PR-2026-0088"
    followed_up = CapturedComment.objects.get(
        account=city_page, follow_up_at__isnull=False
    )
    assert followed_up.follow_up_channel == "other"
    assert followed_up.follow_up_reference == "Service request SR-2026-0415"
    events = AuditEvent.objects.filter(action__startswith="platforms.comment.follow_up")
    assert events.count() == 3  # flagged twice, recorded once: by the services
    dashboard = login_as(User.objects.get(username="manager")).get(
        reverse("core:dashboard")
    )
    url = reverse("platforms:comment", args=[waiting.pk])
    assert f'<a href="{url}">{waiting}</a>' in dashboard.content.decode()
    # Loading it again adds nothing.
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CapturedComment.objects.filter(account=city_page).count() == 4
    assert events.count() == 3
