"""The retention menu offers each role only the pages it may open (no link to a 403)."""

import pytest

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    nav = html.split('<nav aria-label="Retention"', 1)[1].split("</nav>", 1)[0]
    return {
        label
        for label in (
            "Messages",
            "Waiting for follow-up",
            "Legal holds",
            "Disaster periods",
            "Purge and destruction log",
        )
        if f">{label}</a>" in nav
    }


def test_records_officer_is_not_offered_the_message_pages(login_as, records_officer):
    response = login_as(records_officer).get("/retention/holds/")
    assert response.status_code == 200
    assert _links(response.content.decode()) == {
        "Legal holds",
        "Disaster periods",
        "Purge and destruction log",
    }


def test_manager_is_offered_only_the_message_pages(login_as, manager):
    response = login_as(manager).get("/retention/messages/")
    assert response.status_code == 200
    assert _links(response.content.decode()) == {"Messages", "Waiting for follow-up"}


def test_city_administrator_gets_no_link_to_the_holds_or_the_log_csv(
    login_as, city_admin
):
    response = login_as(city_admin).get("/retention/purge/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Legal holds" not in _links(html)
    assert "destruction-log.csv" not in html
    assert login_as(city_admin).get("/retention/holds/").status_code == 403
