"""What the request services share: deadlines, locks and personal fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from accounts.selectors import city_profile_days
from core import calendar
from datarequests.models import DATA_SUBJECT_DAYS, DataRequest

PERSONAL_FIELDS = ("name", "email", "postal_address", "handles", "description")


def answer_days(kind: str) -> int:
    """Business days to answer: 10 for a data subject (Minn. Stat. 13.04 subd. 3),
    the city's own target for public data (13.03, ``CityProfile``)."""
    if kind == DataRequest.Kind.DATA_SUBJECT:
        return DATA_SUBJECT_DAYS
    return city_profile_days("data_request_days")["data_request_days"]


def due_date(request: DataRequest, *, paused_days: int | None = None) -> date:
    """The due date: the answer days after receipt, plus every business day the
    clock stood still while the city waited for the requester."""
    if paused_days is None:
        paused_days = sum(p.business_days for p in request.pauses.all())
    return calendar.add_business_days(
        request.received_on, answer_days(request.kind) + paused_days
    )


def lock(request: DataRequest) -> DataRequest:
    """Re-read ``request`` under a row lock so two staff cannot race one step."""
    fresh = DataRequest.objects.select_for_update().get(pk=request.pk)
    request.__dict__.update(fresh.__dict__)
    return request


def personal(request: DataRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in PERSONAL_FIELDS}
