"""The cached public form pages: fresh per-request values, dropped on change."""

from __future__ import annotations

import re
import time

import pytest

from appeals.forms import StampProblem, check_stamp
from appeals.models import Appeal
from moderation.models import RemovalCategory
from tests.accounts.factories import CompliantAccountFactory
from tests.appeals.conftest import aged_stamp

pytestmark = pytest.mark.django_db

APPEAL_URL = "/appeals/appeal/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    from appeals import pagecache

    settings.APPEALS_FORM_CACHE_SECONDS = 300
    pagecache.invalidate()


def values(html: str) -> tuple[str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    stamp = re.search(r'name="started" value="([^"]+)"', html)
    assert token and stamp, "the form page has no CSRF token or start stamp"
    return token.group(1), stamp.group(1)


def test_a_cached_page_needs_no_query_and_gets_fresh_values(
    client, account, django_assert_num_queries, time_machine
):
    time_machine.move_to(time.time(), tick=True)
    first = client.get(APPEAL_URL).content.decode()
    with django_assert_num_queries(0):
        second = client.get(APPEAL_URL)
    html = second.content.decode()
    assert second.status_code == 200
    assert values(first)[0] != values(html)[0]
    # The stamp is this second's, not the one cached with the page.
    time_machine.shift(5)
    third = client.get(APPEAL_URL).content.decode()
    assert values(third)[1] != values(first)[1]
    with pytest.raises(StampProblem) as problem:
        check_stamp(values(third)[1])
    assert problem.value.reason == "too_fast"
    assert "\x00" not in html
    assert account.display_name in html
    assert html.replace(values(html)[0], "T").replace(values(html)[1], "S") == (
        first.replace(values(first)[0], "T").replace(values(first)[1], "S")
    )


def test_a_form_from_the_cache_can_be_sent(client, account, appeal_data):
    client.get(APPEAL_URL)
    token, _stamp = values(client.get(APPEAL_URL).content.decode())
    appeal_data.update(csrfmiddlewaretoken=token, started=aged_stamp())
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(APPEAL_URL, appeal_data)
    assert response.status_code == 302
    assert Appeal.objects.count() == 1


def test_the_page_changes_when_what_it_shows_changes(client, account):
    assert "Our own extra note" not in client.get(APPEAL_URL).content.decode()
    category = RemovalCategory.objects.get(number=7)
    category.local_explanation = "Our own extra note about spam."
    category.save()
    assert "Our own extra note" in client.get(APPEAL_URL).content.decode()
    new_account = CompliantAccountFactory(display_name="Lakeside Library")
    assert new_account.display_name in client.get(APPEAL_URL).content.decode()
    from accounts.models import CityProfile

    profile = CityProfile.objects.get()
    profile.appeal_ack_days = 4
    profile.save()
    assert "within 4 business days" in client.get(APPEAL_URL).content.decode()


def test_signed_in_staff_get_a_fresh_page(login_as, manager, account):
    client = login_as(manager)
    client.get(APPEAL_URL)
    html = client.get(APPEAL_URL).content.decode()
    assert "Staff dashboard" in html  # their own navigation, not the cached one
