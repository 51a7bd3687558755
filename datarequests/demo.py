"""Demo data of Data Practices requests: a data subject's request in
progress with records picked and held, and an anonymous public request."""

from __future__ import annotations

from typing import Any

from datarequests import selectors, services
from datarequests.models import DataRequest


def seed(ctx: dict[str, Any]) -> None:
    if DataRequest.objects.exists():
        return
    records = ctx["users"]["records"]
    mine = services.datarequest_submit(
        kind=DataRequest.Kind.DATA_SUBJECT,
        # The demo's appellant, who also wrote as two of the demo's handles.
        name="Quinn Demo",
        email="quinn.demo@example.net",
        handles="@lakeside_truth, jo.anderson",
        description="Every comment of mine the city removed, my messages to the "
        "city's pages, and my appeals, since last spring.",
        channel="letter",
        by=records,
    )
    services.datarequest_start(request=mine, by=records)
    found = selectors.records_search(user=records, terms=mine.subject_terms)
    picks = [
        (key, record)
        for key in ("removal_decision", "appeal", "message")
        for record in found.groups.get(key, [])[:3]
    ]
    if picks:
        services.datarequest_pick_records(request=mine, picks=picks, by=records)
    services.datarequest_submit(
        kind=DataRequest.Kind.PUBLIC,
        description="The removal log of the Parks Facebook page for this year.",
    )
