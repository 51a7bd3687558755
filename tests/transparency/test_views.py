"""The public page and the open data, as a resident and a program see them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.notices.factories import publish_both
from tests.transparency.conftest import _removal, at

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible words, tags removed, spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(streamed(response))))


def test_the_page_shows_a_year_with_the_small_count_rule(client, year_2025):
    response = client.get("/transparency/?year=2025")
    assert response.status_code == 200
    text = text_of(response)
    assert "From January 1, 2025 to December 31, 2025" in text
    assert "Computed at March 2, 2026" in text
    assert "11 comments removed" in text
    assert "the 11 removals fell into 12 categories in all, so the" in text
    assert "Parks and Recreation (Facebook) 5" in text
    assert "Police Department (Facebook) fewer than 3" in text
    assert re.search(r"7\. [^<>]*spam 5", text)
    assert "7 appeals filed" in text
    assert "Removal upheld 3" in text
    # Times against the targets, in business days.
    assert (
        "Acknowledge within 2 business days 5 1 business day 4 business days 2" in text
    )
    assert (
        "3 challenges filed; 3 acknowledged; 2 answered, 1 of them after the "
        "City Attorney was consulted" in text
    )
    assert "42 records destroyed" in text
    assert "1 legal hold in force at the end of the year" in text
    assert "2 opened, 1 suspended, 1 shut down" in text


def test_each_chart_is_svg_with_a_title_a_description_and_a_table(client, year_2025):
    html = client.get("/transparency/?year=2025").content.decode()
    charts = re.findall(r"<svg class=\"bar-chart\".*?</svg>", html, re.S)
    assert len(charts) == 5
    for chart in charts:
        assert 'role="img"' in chart
        assert re.search(r"<title id=\"[\w-]+-title\">\w", chart)
        assert re.search(r"<desc id=\"[\w-]+-desc\">\w", chart)
        assert "<script" not in chart and "style=" not in chart
    assert html.count("<table") >= 7
    # A "fewer than 3" count gets no bar: its length would give it away.
    police = re.search(r"Police Department \(Facebook\)</text>\s*(<rect[^>]*>)?", html)
    assert police and police.group(1) is None


def test_the_default_is_the_last_12_months(client, year_2025):
    text = text_of(client.get("/transparency/"))
    assert "From April 1, 2025 to March 2, 2026" in text
    assert "5 comments removed" in text  # Nov and Dec 2025, Jan 2026


@pytest.mark.parametrize("year", ["abc", "1999", "2090"])
def test_a_year_not_offered_is_a_clear_error(client, year_2025, year):
    response = client.get(f"/transparency/?year={year}")
    assert response.status_code == 400
    assert "There is a problem" in text_of(response)
    for path in ("/transparency/data.csv", "/transparency/data.json"):
        bad = client.get(f"{path}?year={year}")
        assert bad.status_code == 400
        assert "There are no figures for that year" in bad.content.decode()


def test_home_and_notice_link_to_the_page(client, city_profile, city_admin):
    from tests.accounts.factories import CompliantAccountFactory

    publish_both(by=city_admin)
    CompliantAccountFactory(slug="parks")
    for url in ("/", "/notice/", "/policy/", "/notice/parks/"):
        assert 'href="/transparency/"' in client.get(url).content.decode(), url


def test_csv_removals_one_row_per_month_account_category(client, year_2025):
    response = client.get("/transparency/data.csv?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "transparency-2025-removals.csv" in response["Content-Disposition"]
    rows = [
        (r["month"], r["account"], r["category_number"], r["count"], r["fewer_than_3"])
        for r in rows_of(response)
    ]
    assert rows == [
        ("2025-01", "Parks and Recreation (Facebook)", "1", "", "true"),
        ("2025-01", "Parks and Recreation (Facebook)", "7", "5", "false"),
        ("2025-03", "Police Department (Facebook)", "2", "", "true"),
        ("2025-11", "Public Library (Facebook)", "4", "3", "false"),
        ("2025-12", "Public Library (Facebook)", "4", "", "true"),
    ]


def test_csv_appeals_dates_outcomes_and_business_days(client, year_2025):
    rows = rows_of(client.get("/transparency/data.csv?year=2025&table=appeals"))
    assert len(rows) == 7
    thanksgiving = next(r for r in rows if r["received_on"] == "2025-11-26")
    assert thanksgiving == {
        "received_on": "2025-11-26",
        "channel": "web",
        "ack_due_on": "2025-12-02",
        "acknowledged_on": "2025-12-01",
        "business_days_to_acknowledge": "1",
        "acknowledged_late": "false",
        "answer_due_on": "2025-12-10",
        "answered_on": "2025-12-19",
        "business_days_to_answer": "15",
        "answered_late": "true",
        "withdrawn_on": "",
        "status": "answered",
        "outcome": "reversed",
        "account": thanksgiving["account"],
    }
    assert thanksgiving["account"].endswith("(Facebook)")
    withdrawn = next(r for r in rows if r["status"] == "withdrawn")
    assert (withdrawn["withdrawn_on"], withdrawn["acknowledged_on"]) == (
        "2025-05-06",
        "",
    )


def test_csv_challenges_and_a_bad_table(client, year_2025):
    rows = rows_of(client.get("/transparency/data.csv?year=2025&table=challenges"))
    assert [
        (r["received_on"], r["business_days_to_answer"], r["section"]) for r in rows
    ] == [
        ("2025-06-02", "25", "policy-comments"),
        ("2025-10-01", "22", "policy-comments"),
        ("2025-12-15", "", "policy-comments"),
    ]
    bad = client.get("/transparency/data.csv?table=people")
    assert bad.status_code == 400
    assert "There is no such table" in bad.content.decode()


def test_json_has_the_schema_version_figures_and_rows(client, year_2025):
    response = client.get("/transparency/data.json?year=2025")
    assert response["Content-Type"] == "application/json"
    data = json.loads(streamed(response))
    assert data["schema_version"] == "1.1"
    assert data["period"] == {"start": "2025-01-01", "end": "2025-12-31", "year": 2025}
    assert data["removals"]["total"] == 11
    assert len(data["removal_rows"]) == 5
    assert data["removal_rows"][0] == {
        "month": "2025-01",
        "account": "Parks and Recreation (Facebook)",
        "category_number": 1,
        "category": data["removal_rows"][0]["category"],
        "count": None,
        "fewer_than_3": True,
    }
    assert len(data["appeal_rows"]) == 7
    assert len(data["challenge_rows"]) == 3


def test_the_page_and_csv_make_the_same_queries_whatever_the_data(client, year_2025):
    def count(url):
        with CaptureQueriesContext(connection) as q:
            response = client.get(url)
            if response.streaming:
                streamed(response)
        return len(q)

    page, data = (
        count("/transparency/?year=2025"),
        count("/transparency/data.csv?year=2025"),
    )
    for day in range(1, 28):
        _removal(
            year_2025["police"], at(f"2025-08-{day:02d}"), (6,), year_2025["remover"]
        )
    assert count("/transparency/?year=2025") == page
    assert count("/transparency/data.csv?year=2025") == data
