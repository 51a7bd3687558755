"""Mastodon by polling: mentions and direct conversations since
the last seen id, page by page (Link header), backing off on errors and on the
server's rate limit; tokens read from the environment, never stored. No network:
respx answers for the server (an unmocked request fails the test)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from accounts.models import Platform
from core import clock
from platforms import services
from platforms.connectors import mastodon
from platforms.models import CapturedComment, Connection
from retention.models import Message
from tests.accounts.factories import AccountFactory
from tests.platforms.conftest import payload_json
from tests.platforms.factories import MastodonConnectionFactory

pytestmark = pytest.mark.django_db

SERVER = "https://mastodon.lakeside.example"
TOKEN = "test-token-do-not-store"
NOTIFICATIONS = f"{SERVER}/api/v1/notifications"
CONVERSATIONS = f"{SERVER}/api/v1/conversations"


@pytest.fixture
def city(db):
    server = Platform.objects.create(
        name="Mastodon (Lakeside server)",
        slug="mastodon-lakeside",
        hosts="mastodon.lakeside.example",
    )
    return AccountFactory(platform=server, handle="lakeside", url=f"{SERVER}/@lakeside")


@pytest.fixture
def connection(city, monkeypatch):
    monkeypatch.setenv("MASTODON_TOKEN_LAKESIDE", TOKEN)
    return MastodonConnectionFactory(account=city, server_url=SERVER)


@pytest.fixture
def small_pages(monkeypatch):
    """Two items a page, so the recorded pages paginate."""
    monkeypatch.setitem(mastodon.PAGE_SIZE, "notifications", 2)
    monkeypatch.setitem(mastodon.PAGE_SIZE, "conversations", 2)


def link(url: str, newest: str, oldest: str) -> dict[str, str]:
    return {
        "Link": f'<{url}?max_id={oldest}>; rel="next", <{url}?min_id={newest}>; '
        'rel="prev"'
    }


def pages(url: str, by_min_id: dict[str, httpx.Response], seen: list):
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        min_id = request.url.params.get("min_id")
        seen.append((url.rsplit("/", 1)[-1], min_id))
        return by_min_id.get(min_id, httpx.Response(200, json=[]))

    return answer


def test_polling_reads_every_page_since_the_last_seen_id(
    connection, small_pages, respx_mock
):
    seen: list = []
    respx_mock.get(NOTIFICATIONS).mock(
        side_effect=pages(
            NOTIFICATIONS,
            {
                "0": httpx.Response(
                    200,
                    json=payload_json("mastodon_notifications_1.json"),
                    headers=link(NOTIFICATIONS, "34975862", "34975861"),
                ),
                "34975862": httpx.Response(
                    200,
                    json=payload_json("mastodon_notifications_2.json"),
                    headers=link(NOTIFICATIONS, "34975870", "34975870"),
                ),
            },
            seen,
        )
    )
    respx_mock.get(CONVERSATIONS).mock(
        side_effect=pages(
            CONVERSATIONS,
            {
                "0": httpx.Response(
                    200,
                    json=payload_json("mastodon_conversations.json"),
                    # Conversations page by their last status, not their own id.
                    headers=link(
                        CONVERSATIONS, "113000000000000010", "113000000000000009"
                    ),
                )
            },
            seen,
        )
    )
    assert services.mastodon_poll_due() == {"polled": 1}
    assert seen == [
        ("notifications", "0"),
        ("notifications", "34975862"),
        ("conversations", "0"),
        ("conversations", "113000000000000010"),
    ]
    comments = {c.comment_id: c for c in CapturedComment.objects.all()}
    assert set(comments) == {"113000000000000001", "113000000000000003"}
    dana = comments["113000000000000001"]
    assert dana.account == connection.account
    assert dana.source == CapturedComment.Source.MASTODON
    assert dana.text == "@lakeside Great news about the library hours!\n\nThank you."
    assert dana.author_handle == "@dana"
    assert dana.url == "https://mastodon.lakeside.example/@dana/113000000000000001"
    # Direct mentions and direct conversations are messages (R1); the city's own
    # reply is not.
    messages = dict(Message.objects.values_list("platform_message_id", "body"))
    assert messages == {
        "113000000000000002": "@lakeside My recycling was missed on Birch Lane & "
        "4th again.",
        "113000000000000010": "@lakeside who do I call about a fallen tree?",
    }
    connection.refresh_from_db()
    assert connection.notifications_cursor == "34975870"
    assert connection.conversations_cursor == "113000000000000010"
    assert (connection.failures, connection.last_error) == (0, "")
    assert connection.last_success_at is not None

    # The next poll asks only for what is newer, and records nothing twice.
    seen.clear()
    assert services.mastodon_poll_due() == {"polled": 1}
    assert seen == [
        ("notifications", "34975870"),
        ("conversations", "113000000000000010"),
    ]
    assert CapturedComment.objects.count() == 2
    assert Message.objects.count() == 2


def test_the_next_page_starts_where_the_servers_link_header_says(
    connection, small_pages, respx_mock
):
    """Mastodon's own pagination ids are not always the items' ids: the link is
    followed (its min_id only: the request still goes to the configured server)."""
    seen: list = []
    respx_mock.get(NOTIFICATIONS).mock(
        side_effect=pages(
            NOTIFICATIONS,
            {
                "0": httpx.Response(
                    200,
                    json=payload_json("mastodon_notifications_1.json"),
                    headers={
                        "Link": "<https://elsewhere.example/api/v1/notifications"
                        '?min_id=40000000>; rel="prev"'
                    },
                )
            },
            seen,
        )
    )
    respx_mock.get(CONVERSATIONS).mock(return_value=httpx.Response(200, json=[]))
    services.mastodon_poll(connection_id=connection.pk)
    assert seen == [("notifications", "0"), ("notifications", "40000000")]
    connection.refresh_from_db()
    assert connection.notifications_cursor == "40000000"


def test_the_token_is_read_from_the_environment_and_never_stored(
    connection, respx_mock
):
    respx_mock.get(NOTIFICATIONS).mock(return_value=httpx.Response(200, json=[]))
    respx_mock.get(CONVERSATIONS).mock(return_value=httpx.Response(200, json=[]))
    services.mastodon_poll(connection_id=connection.pk)
    row = Connection.objects.filter(pk=connection.pk).values().get()
    assert TOKEN not in repr(row)
    assert row["token_name"] == "MASTODON_TOKEN_LAKESIDE"


def test_a_429_waits_for_the_server_and_keeps_the_place(
    connection, respx_mock, time_machine
):
    time_machine.move_to(clock.now(), tick=False)
    route = respx_mock.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(
            429,
            headers={"Retry-After": "300", "X-RateLimit-Remaining": "0"},
            json={"error": "Too many requests"},
        )
    )
    assert services.mastodon_poll_due() == {"failed": 1}
    connection.refresh_from_db()
    assert connection.failures == 1
    assert "rate limit" in connection.last_error
    assert connection.next_poll_at == clock.now() + timedelta(seconds=300)
    assert connection.notifications_cursor == ""
    # Not polled again before the server allows it.
    time_machine.move_to(clock.now() + timedelta(seconds=299), tick=False)
    assert services.mastodon_poll_due() == {}
    assert route.call_count == 1
    time_machine.move_to(clock.now() + timedelta(seconds=2), tick=False)
    route.mock(return_value=httpx.Response(200, json=[]))
    respx_mock.get(CONVERSATIONS).mock(return_value=httpx.Response(200, json=[]))
    assert services.mastodon_poll_due() == {"polled": 1}
    connection.refresh_from_db()
    assert (connection.failures, connection.next_poll_at) == (0, None)


def test_a_server_error_backs_off_longer_each_time_and_keeps_what_was_read(
    connection, settings, respx_mock, time_machine
):
    time_machine.move_to(clock.now(), tick=False)
    respx_mock.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(
            200, json=payload_json("mastodon_notifications_2.json")
        )
    )
    conversations = respx_mock.get(CONVERSATIONS).mock(
        return_value=httpx.Response(502, text="Bad Gateway")
    )
    interval = settings.MASTODON_POLL_INTERVAL_SECONDS
    assert services.mastodon_poll_due() == {"failed": 1}
    connection.refresh_from_db()
    assert connection.failures == 1
    assert "conversations: the server answered 502" in connection.last_error
    assert connection.next_poll_at == clock.now() + timedelta(seconds=interval)
    # The page read before the error is kept, and its place with it.
    assert CapturedComment.objects.count() == 1
    assert connection.notifications_cursor == "34975870"  # the newest on the page

    time_machine.move_to(connection.next_poll_at, tick=False)
    assert services.mastodon_poll_due() == {"failed": 1}
    connection.refresh_from_db()
    assert connection.failures == 2
    assert connection.next_poll_at == clock.now() + timedelta(seconds=2 * interval)
    assert CapturedComment.objects.count() == 1

    time_machine.move_to(connection.next_poll_at, tick=False)
    conversations.mock(return_value=httpx.Response(200, json=[]))
    assert services.mastodon_poll_due() == {"polled": 1}
    connection.refresh_from_db()
    assert connection.failures == 0
    assert "502" in connection.last_error  # the last error stays on record


def test_the_server_unreachable_is_an_error_like_any_other(connection, respx_mock):
    respx_mock.get(NOTIFICATIONS).mock(side_effect=httpx.ConnectError("refused"))
    assert services.mastodon_poll_due() == {"failed": 1}
    connection.refresh_from_db()
    assert "could not reach the server" in connection.last_error


def test_an_exhausted_rate_limit_stops_until_it_resets(
    connection, small_pages, respx_mock, time_machine
):
    time_machine.move_to(clock.now(), tick=False)
    reset = (clock.now() + timedelta(minutes=4)).replace(microsecond=0)
    respx_mock.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(
            200,
            json=payload_json("mastodon_notifications_1.json"),
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "2",
                "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z"),
            },
        )
    )
    assert services.mastodon_poll_due() == {"polled": 1}
    connection.refresh_from_db()
    assert connection.failures == 0
    assert connection.next_poll_at == reset
    assert CapturedComment.objects.count() == 1


def test_a_missing_token_is_an_error_and_no_request_is_made(
    connection, monkeypatch, respx_mock
):
    monkeypatch.delenv("MASTODON_TOKEN_LAKESIDE")
    assert services.mastodon_poll_due() == {"failed": 1}
    connection.refresh_from_db()
    assert "MASTODON_TOKEN_LAKESIDE is not set" in connection.last_error
    assert not respx_mock.calls


def test_the_city_administrator_sets_polling_up_on_the_account_page(
    city, city_admin, login_as
):
    client = login_as(city_admin)
    # Any account's page is reached from the list of connections.
    listing = client.get("/platforms/connections/").content.decode()
    assert f'<option value="{city.pk}">' in listing
    opened = client.get("/platforms/connections/", {"account": city.pk})
    assert opened["Location"] == f"/platforms/connections/{city.pk}/"
    url = f"/platforms/connections/{city.pk}/mastodon/"
    refused = client.post(
        url, {"server_url": SERVER, "token_name": "DJANGO_SECRET_KEY"}
    )
    assert refused.status_code == 400
    assert "starting with MASTODON_TOKEN_" in refused.content.decode()
    elsewhere = client.post(
        url,
        {"server_url": "https://evil.example", "token_name": "MASTODON_TOKEN_X"},
    )
    assert elsewhere.status_code == 400
    assert "is not a host of" in elsewhere.content.decode()
    assert not Connection.objects.exists()
    response = client.post(
        url, {"server_url": SERVER + "/", "token_name": "MASTODON_TOKEN_LAKESIDE"}
    )
    assert response.status_code == 302
    connection = Connection.objects.get(account=city)
    assert (connection.kind, connection.server_url) == ("mastodon", SERVER)
    city_page = client.get(f"/platforms/connections/{city.pk}/").content.decode()
    assert "MASTODON_TOKEN_LAKESIDE" in city_page


def test_a_manager_cannot_set_polling_up(city, manager, login_as):
    response = login_as(manager).post(
        f"/platforms/connections/{city.pk}/mastodon/",
        {"server_url": SERVER, "token_name": "MASTODON_TOKEN_LAKESIDE"},
    )
    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_healthz_does_not_depend_on_a_platform(client, connection, respx_mock):
    before = client.get("/healthz").status_code
    respx_mock.get(NOTIFICATIONS).mock(return_value=httpx.Response(503))
    services.mastodon_poll_due()
    response = client.get("/healthz")
    assert response.status_code == before
    assert "platform" not in response.content.decode().lower()
    assert Connection.objects.get().failures == 1
