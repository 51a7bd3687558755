"""No name, handle, email, address or comment text on any public transparency page
or file: the seeded year's distinctive personal data is
searched for in the page, the JSON, the three CSV tables and the frozen report.
The staff view, which shows names on purpose, proves the search would find them."""

from __future__ import annotations

import pytest

from tests.transparency.conftest import SECRETS
from transparency import services

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/transparency/",
    "/transparency/?year=2025",
    "/transparency/data.json?year=2025",
    "/transparency/data.json",
    "/transparency/data.csv?year=2025",
    "/transparency/data.csv?year=2025&table=appeals",
    "/transparency/data.csv?year=2025&table=challenges",
    "/transparency/2025/",
    "/transparency/2025/figures.json",
]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def leaks(text: str) -> list[str]:
    """The seeded secrets (or a telling part of one) found in ``text``."""
    lowered = text.lower()
    found = []
    for key, value in SECRETS.items():
        probes = {value, value.split()[0], value.split("@")[0].split(":")[0]}
        found += [f"{key}={p}" for p in probes if len(p) > 5 and p.lower() in lowered]
    return found


def test_no_personal_data_on_any_public_page_or_file(client, year_2025, city_admin):
    services.report_freeze(year=2025, by=city_admin)
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(body(response)) == [], url


def test_the_frozen_report_keeps_no_personal_data(year_2025, city_admin):
    report = services.report_freeze(year=2025, by=city_admin)
    assert leaks(report.html) == []
    assert leaks(str(report.figures)) == []


def test_the_search_finds_names_where_they_are_shown(login_as, year_2025, city_admin):
    """The staff view names who removed and who reviewed: the probe sees them."""
    text = body(login_as(city_admin).get("/transparency/staff/?year=2025"))
    assert "remover_last=Ozymandias-Remover" in leaks(text)
    assert "reviewer_last=Vanderbilt-Reviewer" in leaks(text)
