"""The public request form and the private status page (P24)."""

from __future__ import annotations

import re

import pytest

from datarequests.models import DataRequest
from tests.appeals.conftest import aged_stamp

pytestmark = pytest.mark.django_db

URL = "/requests/new/"


def _data(**extra):
    return {
        "kind": "public",
        "description": "The removal log of the Parks page for 2026.",
        "started": aged_stamp(),
        **extra,
    }


def test_an_anonymous_public_request_gets_a_reference_and_a_private_link(client):
    response = client.post(URL, _data(), follow=True)
    made = DataRequest.objects.get()
    assert made.is_anonymous and made.channel == "web"
    html = response.content.decode()
    assert made.reference in html
    status_url = re.search(r'href="(http[^"]+/status/[^"]+/)"', html).group(1)
    page = client.get(status_url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    text = page.content.decode()
    assert "Received" in text and made.reference in text
    assert made.due_on.strftime("%B") in text


def test_a_data_subject_is_asked_for_their_name_and_a_way_to_reach_them(client):
    response = client.post(URL, _data(kind="data_subject"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "we release data about you only to you" in html
    assert "Give an email address or a postal address" in html
    assert "The removal log of the Parks page for 2026." in html  # kept
    assert not DataRequest.objects.exists()


def test_the_honeypot_and_a_form_sent_too_fast_are_refused(client):
    assert client.post(URL, _data(website="http://spam")).status_code == 400
    too_fast = client.post(URL, _data(started=aged_stamp(0)))
    assert too_fast.status_code == 400
    assert "faster than a person" in too_fast.content.decode()
    assert not DataRequest.objects.exists()


def test_the_limit_per_address_is_the_appeal_forms(client, settings):
    settings.APPEALS_SUBMIT_RATE = "1/h"
    assert client.post(URL, _data()).status_code == 302
    refused = client.post(URL, _data())
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert DataRequest.objects.count() == 1


def test_an_unknown_status_link_is_not_found(client):
    assert client.get("/requests/status/" + "x" * 30 + "/").status_code == 404


def test_a_requester_who_gives_an_email_is_sent_the_reference_and_link(client):
    from core.models import OutboxMessage

    client.post(URL, _data(email="dana@example.net"))
    made = DataRequest.objects.get()
    receipt = OutboxMessage.objects.get(topic="datarequest.receipt")
    assert receipt.to == "dana@example.net"
    assert made.reference in receipt.subject
    assert made.get_status_url() in receipt.body
