"""Appeals are found by the resident's name or email, and the
appeal form takes the removal reference the notification asks the author to
quote ("Removal #10"), which staff see linked to the removal (P22)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from appeals.models import Appeal
from tests.accounts.factories import ManagerAccessFactory
from tests.appeals.conftest import aged_stamp
from tests.appeals.factories import AppealFactory, RemovalFactory

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def test_the_staff_list_finds_appeals_by_the_residents_name_or_email(
    city_profile, login_as, manager
):
    jordan = AppealFactory(name="Jordan Public", email="jordan@example.net")
    kim = AppealFactory(name="Kim Other", email="kim@example.org")
    client = login_as(manager)
    url = reverse("appeals:staff-list")
    html = html_of(client.get(url, {"q": "jordan"}))
    assert jordan.reference in html and kim.reference not in html
    html = html_of(client.get(url, {"q": "KIM@example"}))
    assert kim.reference in html and jordan.reference not in html
    html = html_of(client.get(url, {"q": "Jordan Public"}))
    assert jordan.reference in html and kim.reference not in html
    html = html_of(client.get(url, {"q": "nobody"}))
    assert "No filings match." in html
    assert 'value="nobody"' in html  # the search is kept in the box


def test_the_admin_searches_by_name_and_email_too():
    assert {"name", "email", "reference"} <= set(
        admin.site._registry[Appeal].search_fields
    )


def test_the_public_form_keeps_the_removal_reference(client, appeal_data):
    appeal_data["removal_reference"] = " Removal #10 "
    appeal_data["started"] = aged_stamp()
    response = client.post(reverse("appeals:appeal-new"), appeal_data)
    assert response.status_code == 302
    assert Appeal.objects.get().removal_reference == "Removal #10"


def test_the_public_form_offers_the_removal_reference_as_optional(client):
    html = html_of(client.get(reverse("appeals:appeal-new")))
    assert "Removal reference" in html
    assert "such as “Removal #10”" in html


def test_staff_see_the_quoted_removal_linked_when_it_matches(
    city_profile, login_as, manager
):
    removal = RemovalFactory()
    ManagerAccessFactory(manager=manager, account=removal.account)
    appeal = AppealFactory(removal_reference=f"removal #{removal.pk}")
    html = html_of(login_as(manager).get(appeal.get_absolute_url()))
    assert f'“removal #{removal.pk}”: <a href="{removal.get_absolute_url()}">' in html
    # It is the first candidate offered to link.
    candidates = html.split("<caption>Candidates</caption>")[1]
    assert candidates.index(f"Link {removal}") < candidates.index("</tbody>")


def test_a_quoted_reference_that_matches_nothing_says_so(
    city_profile, login_as, manager
):
    appeal = AppealFactory(removal_reference="Removal #99999")
    html = html_of(login_as(manager).get(appeal.get_absolute_url()))
    assert "“Removal #99999” (matches no removal you may read)" in html
