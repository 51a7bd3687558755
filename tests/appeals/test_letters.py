"""The mail queue (P22, P23): every letter to be mailed, printable one
per page with the resident's name and address, marked mailed with who and when,
and "Letters to mail (N)" on the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Correspondence
from core import roles
from tests.appeals.factories import AppealFactory, ChallengeFactory

pytestmark = pytest.mark.django_db

ADDRESS = "1 Elm St\nRiverton, MN 55001"


def html_of(response) -> str:
    return response.content.decode()


def _mailed_appeal(manager, name="Pat Example"):
    appeal = AppealFactory(name=name, email="", postal_address=ADDRESS, reply_by="mail")
    services.filing_acknowledge(filing=appeal, by=manager)
    return appeal, appeal.correspondence.get()


def test_a_letter_by_mail_is_addressed_to_the_resident_by_name(city_profile, manager):
    _appeal, letter = _mailed_appeal(manager)
    assert letter.to == f"Pat Example\n{ADDRESS}"
    assert letter.address_block == letter.to
    # A letter kept before the name was written into it still prints the name.
    Correspondence.objects.filter(pk=letter.pk).update(to=ADDRESS)
    letter.refresh_from_db()
    assert letter.address_block == f"Pat Example\n{ADDRESS}"


def test_the_queue_lists_each_letter_with_name_and_address_for_printing(
    city_profile, login_as, manager
):
    first, _ = _mailed_appeal(manager, name="Pat Example")
    second, _ = _mailed_appeal(manager, name="Lee Sample")
    response = login_as(manager).get(reverse("appeals:letters"))
    html = html_of(response)
    assert response.status_code == 200
    assert "2 letters to print and mail" in html
    assert html.count('class="letter-sheet"') == 2
    assert "Pat Example<br>1 Elm St<br>Riverton, MN 55001" in html
    assert "Lee Sample<br>1 Elm St" in html
    assert city_profile.appeal_contact in html
    # The print style sheet prints the letters alone, one per sheet.
    assert "appeals/appeals.css" in html
    assert first.reference in html and second.reference in html


def test_marking_mailed_records_who_and_when_and_leaves_the_queue(
    city_profile, login_as, manager
):
    _appeal, letter = _mailed_appeal(manager)
    client = login_as(manager)
    response = client.post(reverse("appeals:letters"), {"letter": letter.pk})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.marked_by == manager
    assert letter.mailed_at is not None
    html = html_of(client.get(response.url))
    assert "is marked as mailed to Pat Example" in html
    assert "No letter is waiting to be mailed." in html
    # Marking it again is refused in words, not a 500.
    again = client.post(reverse("appeals:letters"), {"letter": letter.pk}, follow=True)
    assert "already marked as mailed" in html_of(again)


def test_one_letter_prints_alone(city_profile, login_as, manager):
    _appeal, letter = _mailed_appeal(manager)
    response = login_as(manager).get(reverse("appeals:letter-print", args=[letter.pk]))
    html = html_of(response)
    assert html.count('class="letter-sheet"') == 1
    assert "Pat Example<br>1 Elm St" in html
    assert "Mark mailed" in html


def test_the_queue_shows_only_letters_of_filings_the_person_handles(
    city_profile, login_as, manager, make_staff, attorney
):
    _mailed_appeal(manager)
    challenge = ChallengeFactory(
        name="Kim Other", email="", postal_address=ADDRESS, reply_by="mail"
    )
    services.filing_acknowledge(filing=challenge, by=attorney)
    letter = challenge.correspondence.get()
    html = html_of(login_as(manager).get(reverse("appeals:letters")))
    assert "Pat Example" in html and "Kim Other" not in html
    # Not one of theirs: not found, and not marked.
    response = login_as(manager).post(reverse("appeals:letters"), {"letter": letter.pk})
    assert response.status_code == 404
    records = make_staff(roles.RECORDS_OFFICER)
    assert login_as(records).get(reverse("appeals:letters")).status_code == 403


def test_the_dashboard_counts_the_letters_to_mail(city_profile, login_as, manager):
    client = login_as(manager)
    assert "Letters to mail" not in html_of(client.get(reverse("core:dashboard")))
    _mailed_appeal(manager)
    _mailed_appeal(manager, name="Lee Sample")
    html = html_of(client.get(reverse("core:dashboard")))
    assert "Letters to mail (2)" in html
    assert "to Lee Sample" in html


def test_the_letters_panel_costs_the_same_queries_for_one_letter_or_ten(
    city_profile, login_as, city_admin, dashboard_queries
):
    def mailed(factory, name):
        filing = factory(name=name, email="", postal_address=ADDRESS, reply_by="mail")
        services.filing_acknowledge(filing=filing, by=city_admin)

    mailed(AppealFactory, "Resident 0")
    client = login_as(city_admin)
    dashboard_queries(client)  # warm the session
    one, html = dashboard_queries(client)
    assert "Letters to mail (1)" in html
    # Appeals and legality challenges alike: the letter names its filing's resident.
    for n in range(1, 10):
        mailed(AppealFactory if n % 2 else ChallengeFactory, f"Resident {n}")
    ten, html = dashboard_queries(client)
    assert "Letters to mail (10)" in html
    assert all(f"to Resident {n}, written" in html for n in range(10))
    assert ten == one
