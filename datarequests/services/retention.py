"""Data Practices requests as a record series of the retention schedule (R2, R4).

``DATA_REQUESTS`` is registered with the purge (``retention.series.register``) by
``DataRequestsConfig.ready()``. The schedule's *Data Practices requests* row names
how many years after a request closes both its own personal data is destroyed
(here) and the hold on its picked records is released (the daily job,
``datarequest_holds_release_due``). Destroying clears who asked and what they
wrote, the attorney's notes and the pauses' notes, deletes the released packages
and their files (after the batch commits), and clears the personal data of its
audit events; the row stays as a tombstone (reference, kind, dates, status).
"""

from __future__ import annotations

from django.db.models import Case, Q, Value, When

from core import audit, clock
from core.files import file_delete_after_commit
from datarequests.models import (
    DataRequest,
    ReleasePackage,
    RequestConsultation,
    RequestPause,
)
from retention.models import Series
from retention.series import DESTROYED, SeriesSpec


def datarequest_redact(*, ids: list[int], run_label: str = "") -> int:
    """Destroy the personal data of these closed requests (the retention purge
    only, inside its transaction); return how many were destroyed."""
    packages = ReleasePackage.objects.filter(request_id__in=ids)
    file_delete_after_commit(names=packages.values_list("file", flat=True))
    packages.delete()
    RequestPause.objects.filter(request_id__in=ids).update(note="")
    RequestConsultation.objects.filter(request_id__in=ids).update(notes=DESTROYED)
    count = DataRequest.objects.filter(pk__in=ids, redacted_at__isnull=True).update(
        # A data subject's request stays "named" (its constraint), by the marker.
        name=Case(
            When(kind=DataRequest.Kind.DATA_SUBJECT, then=Value(DESTROYED)),
            default=Value(""),
        ),
        email="",
        postal_address="",
        handles="",
        description=DESTROYED,
        identity_note="",
        close_note="",
        redacted_at=clock.now(),
    )
    audit.redact_personal(model=DataRequest, ids=ids, run_label=run_label)
    return count


DATA_REQUESTS = SeriesSpec(
    key=Series.DATA_REQUESTS,
    model_label="datarequests.DataRequest",
    closed="closed_at",
    date_path="received_on",
    person_paths=("name", "email"),
    alive=lambda: Q(redacted_at__isnull=True),
    destroy=lambda ids, run_label: datarequest_redact(ids=ids, run_label=run_label),
    method="redact",
)
