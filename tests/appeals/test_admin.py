"""The admin shows a filing's letters by the staff pages' rule:
a manager who may not open a legality challenge read its letters (the
challenger's email, the city's answer) in the admin all the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from appeals import services
from tests.appeals.factories import (
    AppealFactory,
    ChallengeFactory,
    ConsultationFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/appeals/correspondence/"


@pytest.fixture
def letters(city_admin: Any) -> dict[str, Any]:
    """An appeal's and a challenge's acknowledgment, written by the service."""
    appeal: Any = AppealFactory(email="appellant@example.net")
    challenge: Any = ChallengeFactory(email="challenger@example.net")
    for filing in (appeal, challenge):
        services.filing_acknowledge(filing=filing, by=city_admin)
    return {
        "appeal": appeal.correspondence.get(),
        "challenge": challenge.correspondence.get(),
    }


def test_a_manager_sees_appeal_letters_but_no_challenge_letter(
    login_as, manager, letters
):
    client = login_as(manager)
    challenge_letter = letters["challenge"]
    # The rule of the pages: the challenge itself is refused...
    page = client.get(challenge_letter.challenge.get_absolute_url())
    assert page.status_code == 403
    # ...and so are its letters in the admin, listed or opened.
    html = client.get(LIST).content.decode()
    assert str(letters["appeal"]) in html
    assert str(challenge_letter) not in html
    response = client.get(f"{LIST}{challenge_letter.pk}/change/", follow=True)
    html = response.content.decode()
    assert "challenger@example.net" not in html
    assert challenge_letter.body[:60] not in html
    assert response.request["PATH_INFO"] == "/admin/"
    # An appeal's letter opens as before.
    response = client.get(f"{LIST}{letters['appeal'].pk}/change/")
    assert response.status_code == 200
    assert "appellant@example.net" in response.content.decode()


@pytest.mark.parametrize("person", ["city_admin", "records_officer", "attorney"])
def test_those_who_see_challenges_see_their_letters(request, login_as, letters, person):
    client = login_as(request.getfixturevalue(person))
    html = client.get(LIST).content.decode()
    assert str(letters["challenge"]) in html
    response = client.get(f"{LIST}{letters['challenge'].pk}/change/")
    assert response.status_code == 200
    assert "challenger@example.net" in response.content.decode()


def test_consultation_notes_need_the_challenge_too(login_as, make_staff):
    """Privileged notes are about a challenge: shown to those who may open it."""
    consultation = ConsultationFactory()
    user = make_staff(None)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_attorneyconsultation", content_type__app_label="appeals"
        )
    )
    client = login_as(user)
    assert client.get(consultation.challenge.get_absolute_url()).status_code == 403
    page = client.get(f"/admin/appeals/attorneyconsultation/{consultation.pk}/change/")
    assert page.status_code == 403
    assert consultation.notes not in page.content.decode()
