"""Data Practices requests in the public figures (P24; Minn. Stat. 13.03, 13.04):
how many of each kind, and how fast the city answered them, counted by hand."""

from __future__ import annotations

import re

import pytest

from datarequests import services
from datarequests.models import DataRequest
from transparency.figures import data_request_figures, period_for_year

pytestmark = pytest.mark.django_db


def _public(**kwargs):
    return services.datarequest_submit(
        kind=DataRequest.Kind.PUBLIC,
        description="Messages about the Oak Street project.",
        **kwargs,
    )


def test_requests_by_kind_with_the_time_to_answer_and_the_late_ones(
    records_officer, time_machine, client
):
    time_machine.move_to("2026-03-02 10:00")  # a Monday
    late = _public(channel="web")
    prompt = _public(channel="email", by=records_officer)
    time_machine.move_to("2026-03-04 10:00")  # two business days later
    services.datarequest_close(request=prompt, note="Answered.", by=records_officer)
    time_machine.move_to("2026-03-20 10:00")  # past the first one's due date
    assert late.due_on.isoformat() == "2026-03-16"  # 10 business days

    figures = data_request_figures(period_for_year(2026))

    assert figures["received"] == 2
    subject, public = figures["by_kind"]
    assert (subject["kind"], subject["count"], subject["answer"]["done"]) == (
        "data_subject",
        0,
        0,
    )
    assert subject["answer"]["target_days"] == 10
    assert subject["answer"]["median_days"] is None
    # 2 received: at the finest breakdown, "fewer than 3"; the total stays exact.
    assert public["count"] is None and public["fewer_than_3"]
    assert public["answer"]["done"] == 1
    assert public["answer"]["median_days"] == public["answer"]["p90_days"] == 2
    assert public["answer"]["late"] == 1  # still open, past its due date

    page = client.get("/transparency/?year=2026").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Data Practices requests" in text
    assert "2 received" in text
    assert (
        "Public data (anyone) fewer than 3 within 10 business days 1 2 business days"
        in text
    )
