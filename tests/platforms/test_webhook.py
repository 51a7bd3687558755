"""Meta's webhook: the subscription handshake, the signature
over the raw body, a delivery stored once and answered at once."""

from __future__ import annotations

import pytest

from platforms.models import CapturedComment, MetaDelivery
from tests.platforms.conftest import VERIFY_TOKEN, WEBHOOK, payload, signature

pytestmark = pytest.mark.django_db


def handshake(client, **params):
    return client.get(
        WEBHOOK,
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", **params},
    )


def test_the_handshake_with_the_verify_token_echoes_the_challenge_as_plain_text(
    client,
):
    response = handshake(client, **{"hub.verify_token": VERIFY_TOKEN})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.verify_token": "wrong-token"},
        {},
        {"hub.verify_token": VERIFY_TOKEN, "hub.mode": "unsubscribe"},
        {"hub.verify_token": VERIFY_TOKEN, "hub.challenge": ""},
    ],
    ids=["wrong token", "no token", "not subscribe", "no challenge"],
)
def test_a_wrong_handshake_is_refused(client, params):
    response = handshake(client, **params)
    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_without_a_verify_token_configured_no_handshake_passes(client, settings):
    settings.META_VERIFY_TOKEN = ""
    assert handshake(client, **{"hub.verify_token": ""}).status_code == 403


def test_a_signed_delivery_is_stored_raw_and_answered_before_it_is_processed(
    deliver, city_page
):
    body = payload("feed_comment_add.json")
    response = deliver(body)
    assert response.status_code == 200
    (delivery,) = MetaDelivery.objects.all()
    assert bytes(delivery.body) == body
    assert delivery.status == MetaDelivery.Status.RECEIVED
    # Answered at once: the job captures it, not the request.
    assert not CapturedComment.objects.exists()


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "garbage"],
    ids=["missing", "empty", "no digest", "wrong digest", "sha1", "garbage"],
)
def test_a_delivery_without_the_right_signature_is_refused_and_nothing_stored(
    deliver, city_page, header
):
    body = payload("feed_comment_add.json")
    response = deliver(body, sign=header is not None, header=header)
    assert response.status_code == 403
    assert b"nothing was stored" in response.content
    assert not MetaDelivery.objects.exists()


def test_the_signature_of_another_secret_is_refused(deliver, city_page):
    body = payload("feed_comment_add.json")
    response = deliver(body, header=signature(body, secret="another-app-secret"))
    assert response.status_code == 403
    assert not MetaDelivery.objects.exists()


def test_a_body_altered_by_one_byte_after_signing_is_refused(deliver, city_page):
    body = payload("feed_comment_add.json")
    header = signature(body)
    altered = body.replace(b"Elm Street", b"Elm Streep")
    assert len(altered) == len(body) and altered != body
    assert deliver(altered, header=header).status_code == 403
    assert not MetaDelivery.objects.exists()
    assert deliver(body, header=header).status_code == 200


def test_the_same_delivery_three_times_is_stored_once_and_answered_each_time(
    deliver, city_page, process
):
    body = payload("feed_comment_add.json")
    assert [deliver(body).status_code for _ in range(3)] == [200, 200, 200]
    assert MetaDelivery.objects.count() == 1
    process()
    assert deliver(body).status_code == 200  # again, after it was processed
    assert MetaDelivery.objects.count() == 1
    assert CapturedComment.objects.count() == 1


def test_without_an_app_secret_every_delivery_is_refused_with_a_clear_403(
    deliver, city_page, settings
):
    settings.META_APP_SECRET = ""
    body = payload("feed_comment_add.json")
    response = deliver(body, header=signature(body, secret=""))
    assert response.status_code == 403
    assert b"META_APP_SECRET is not set" in response.content
    assert not MetaDelivery.objects.exists()


def test_a_body_over_the_size_cap_is_refused_and_not_stored(deliver, settings):
    settings.META_WEBHOOK_MAX_BYTES = 100
    body = payload("feed_comment_add.json")
    assert deliver(body).status_code == 413
    assert not MetaDelivery.objects.exists()


def test_the_webhook_needs_no_csrf_token_but_other_posts_still_do(city_page):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = payload("feed_comment_add.json")
    response = strict.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(body)},
    )
    assert response.status_code == 200
    assert strict.post("/appeals/appeal/", {}).status_code == 403


def test_other_methods_are_refused(client):
    assert client.put(WEBHOOK, data=b"{}").status_code == 405


def test_a_delivery_is_accepted_and_kept_while_the_broker_is_down(
    deliver, city_page, broker_down, process
):
    """The request never talks to the broker: the stored row is the work to do,
    and the job takes it once the broker (and beat) are back."""
    body = payload("feed_comment_add.json")
    assert deliver(body).status_code == 200
    assert MetaDelivery.objects.get().status == MetaDelivery.Status.RECEIVED
    broker_down()  # back
    process()
    assert CapturedComment.objects.count() == 1
