"""The yearly report for council, frozen as an unchangeable version,
and the City Administrator's staff view with names."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.exceptions import InvalidTransition, NotPermitted
from core.immutable import ImmutableError
from core.models import AuditEvent
from tests.transparency.conftest import at
from tests.transparency.test_views import text_of
from transparency import services
from transparency.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_freezing_keeps_the_figures_and_the_html_as_version_1(year_2025, city_admin):
    report = services.report_freeze(year=2025, by=city_admin)
    assert (report.year, report.version, report.frozen_by) == (2025, 1, city_admin)
    assert report.figures["removals"]["total"] == 11
    assert report.figures["schema_version"] == "1.1"
    assert "11</strong> comments removed" in report.html
    event = AuditEvent.objects.get(action="transparency.report_frozen")
    assert event.data == {"year": 2025, "version": 1}


def test_a_frozen_report_never_changes(year_2025, city_admin):
    report = services.report_freeze(year=2025, by=city_admin)
    report.html = "rewritten"
    with pytest.raises(ImmutableError):
        report.save()
    with pytest.raises(ImmutableError):
        report.delete()
    with pytest.raises(ImmutableError):
        AnnualReport.objects.filter(pk=report.pk).update(html="rewritten")


def test_freezing_again_appends_a_version_and_the_page_shows_the_newest(
    client, year_2025, city_admin, time_machine
):
    first = services.report_freeze(year=2025, by=city_admin)
    # A late removal logged for 2025 after the first freeze.
    from tests.transparency.conftest import _removal

    _removal(year_2025["parks"], at("2025-06-10"), (7,), year_2025["remover"])
    second = services.report_freeze(year=2025, by=city_admin)
    assert second.version == 2
    assert first.figures["removals"]["total"] == 11
    assert second.figures["removals"]["total"] == 12

    page = client.get("/transparency/2025/")
    assert page.status_code == 200
    text = text_of(page)
    assert "social media transparency report for 2025" in text
    assert "Version 2, frozen on" in text
    assert "12 comments removed" in text
    old = text_of(client.get("/transparency/2025/?version=1"))
    assert "This is an earlier version" in old
    assert "11 comments removed" in old
    assert client.get("/transparency/2025/?version=9").status_code == 404
    # Each version's page links its own figures as frozen.
    old_page = client.get("/transparency/2025/?version=1").content.decode()
    assert 'href="/transparency/2025/figures.json?version=1"' in old_page
    old_json = client.get("/transparency/2025/figures.json?version=1").json()
    assert old_json["removals"]["total"] == 11
    assert (
        client.get("/transparency/2025/figures.json").json()["removals"]["total"] == 12
    )
    index = text_of(client.get("/transparency/"))
    assert "2025 report (version 2" in index


def test_the_report_is_printable_and_says_how_to_save_a_pdf(
    client, year_2025, city_admin
):
    services.report_freeze(year=2025, by=city_admin)
    html = client.get("/transparency/2025/").content.decode()
    assert "/static/transparency/transparency.css" in html
    assert "Save as PDF" in html
    css = Path("transparency/static/transparency/transparency.css").read_text()
    assert "@media print" in css and "@page" in css


def test_no_report_for_a_year_is_a_404(client, db):
    assert client.get("/transparency/2024/").status_code == 404
    assert client.get("/transparency/2024/figures.json").status_code == 404


def test_only_the_city_administrator_freezes(year_2025, manager, records_officer):
    for person in (manager, records_officer):
        with pytest.raises(NotPermitted):
            services.report_freeze(year=2025, by=person)
    assert not AnnualReport.objects.exists()


def test_a_year_not_over_is_not_frozen(year_2025, city_admin):
    with pytest.raises(InvalidTransition, match="2026 is not over yet"):
        services.report_freeze(year=2026, by=city_admin)


def test_the_freeze_form_publishes_and_redirects(login_as, year_2025, city_admin):
    browser = login_as(city_admin)
    response = browser.post("/transparency/staff/freeze/", {"year": "2025"})
    assert response.status_code == 302
    assert response["Location"] == "/transparency/2025/"
    assert "frozen and published as version 1" in text_of(
        browser.get("/transparency/2025/")
    )
    bad = browser.post("/transparency/staff/freeze/", {"year": "2026"})
    assert bad.status_code == 400
    assert "There is a problem" in text_of(bad)


def test_the_staff_view_names_who_removed_and_who_reviewed(
    login_as, year_2025, city_admin
):
    text = text_of(login_as(city_admin).get("/transparency/staff/?year=2025"))
    assert "Bartholomew Ozymandias-Remover 11" in text
    assert "Cordelia Vanderbilt-Reviewer 5 " in text  # five appeals answered
    # Each outcome by its label, as on the public page.
    assert (
        "Removal upheld (3) Removal upheld on different grounds (1) "
        "Removal reversed: the comment will be restored (1)"
    ) in text
    assert "The policy stands (2)" in text
    assert "Freeze and publish the report" in text


def test_the_staff_view_is_for_the_city_administrator(login_as, year_2025, manager):
    from django.test import Client

    assert Client().get("/transparency/staff/").status_code == 302
    assert login_as(manager).get("/transparency/staff/").status_code == 403
    assert login_as(manager).post("/transparency/staff/freeze/").status_code == 403


def test_the_dashboard_asks_the_city_administrator_to_freeze_last_year(
    login_as, year_2025, city_admin, manager
):
    text = text_of(login_as(city_admin).get("/staff/"))
    assert "The 2025 report for council is not frozen yet" in text
    services.report_freeze(year=2025, by=city_admin)
    text = text_of(login_as(city_admin).get("/staff/"))
    assert "The 2025 report is published (version 1" in text
    assert "Transparency figures" not in text_of(login_as(manager).get("/staff/"))


def test_two_first_freezes_at_once_refuse_the_second_plainly(
    year_2025, city_admin, monkeypatch
):
    from core.exceptions import InvalidTransition
    from transparency import services as transparency_services
    from transparency.models import AnnualReport

    real_figures_for = transparency_services.figures_for

    def figures_while_another_freeze_commits(period):
        figures = real_figures_for(period)
        # Another City Administrator's freeze of the same year lands meanwhile:
        # it took no lock, there was no version to lock yet.
        AnnualReport.objects.create(
            year=2025, version=1, figures=figures, html="", frozen_by=city_admin
        )
        return figures

    monkeypatch.setattr(
        transparency_services, "figures_for", figures_while_another_freeze_commits
    )
    with pytest.raises(InvalidTransition, match="frozen by someone else"):
        services.report_freeze(year=2025, by=city_admin)
    # Here the other freeze ran inside this one's transaction, so it went too; the
    # refused freeze itself kept nothing and recorded no event.
    assert not AnnualReport.objects.filter(year=2025).exists()
    assert not AuditEvent.objects.filter(action="transparency.report_frozen").exists()
