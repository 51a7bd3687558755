"""Releasing the records that answer a request (P24): a ZIP package
written to disk as it is built (never whole in memory), kept as released."""

from __future__ import annotations

import csv
import hashlib
import tempfile
import zipfile
from typing import Any

from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string

from core import audit, clock
from core.exceptions import DomainError, ensure_status
from core.permissions import require
from datarequests.models import DataRequest, PickedRecord, ReleasePackage
from datarequests.services._base import lock
from datarequests.services.handling import HANDLE, S
from datarequests.sources import SOURCES, Decided, records_by_source, release_fields

CHUNK = 1024 * 1024


def _records(picked: list[PickedRecord]) -> list[tuple[PickedRecord, Any]]:
    """Each picked record with the record itself, read by kind (one query each)."""
    found = records_by_source((p.source, p.object_id) for p in picked)
    return [(p, found.get((p.source, p.object_id))) for p in picked]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _write_package(
    request: DataRequest, rows: list[tuple[PickedRecord, Any]], out: Any
) -> dict[str, int]:
    """Write the ZIP to ``out``: an index, one HTML page per record, a CSV of
    every field (shown or withheld, with the reason and statute)."""
    subject = (
        request.subject_terms if request.kind == DataRequest.Kind.DATA_SUBJECT else None
    )
    entries = []
    withheld = 0
    # The CSV grows beside the records' pages (a ZIP writes one entry at a time):
    # spooled to disk past a megabyte, then copied into the package in chunks.
    with (
        tempfile.SpooledTemporaryFile(
            max_size=CHUNK, mode="w+", newline=""
        ) as csv_spool,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package,
    ):
        writer = csv.writer(csv_spool)
        writer.writerow(
            ["record", "kind", "field", "value", "withheld", "reason", "statute"]
        )
        for n, (picked, record) in enumerate(rows, start=1):
            source = SOURCES[picked.source]
            name = f"records/{n:04d}-{source.key}-{picked.object_id}.html"
            decided: list[Decided] = (
                release_fields(source, record, subject_terms=subject)
                if record is not None
                else []
            )
            withheld += sum(1 for d in decided if d.withheld)
            for d in decided:
                writer.writerow(
                    [
                        picked.label,
                        source.label,
                        d.field.label,
                        "" if d.withheld else _text(d.value),
                        "yes" if d.withheld else "no",
                        d.reason,
                        d.statute,
                    ]
                )
            package.writestr(
                name,
                render_to_string(
                    "datarequests/package/record.html",
                    {
                        "request": request,
                        "picked": picked,
                        "source": source,
                        "fields": decided,
                        "missing": record is None,
                    },
                ),
            )
            entries.append({"file": name, "picked": picked, "source": source})
        csv_spool.seek(0)
        with package.open("records.csv", "w") as entry:
            for chunk in iter(lambda: csv_spool.read(CHUNK), ""):
                entry.write(chunk.encode())
        package.writestr(
            "index.html",
            render_to_string(
                "datarequests/package/index.html",
                {"request": request, "entries": entries, "withheld": withheld},
            ),
        )
    return {"records": len(rows), "withheld": withheld}


@transaction.atomic
def datarequest_release(*, request: DataRequest, by: Any) -> ReleasePackage:
    """Build and keep the package of the picked records, withholding what the
    classification and the requester's standing do not allow (P24): a data
    subject sees data about themselves, the public sees public data."""
    require(by, HANDLE, doing="handle data requests")
    lock(request)
    ensure_status(request, allowed=[S.IN_PROGRESS], doing="released")
    if request.kind == DataRequest.Kind.DATA_SUBJECT and not request.identity_verified:
        # 13.04: data about a person goes only to that person.
        raise DomainError(
            "Record how the requester's identity was verified before releasing "
            "data about them."
        )
    picked = list(request.picked.all())
    if not picked:
        raise DomainError("Pick the records that answer the request first.")
    with tempfile.TemporaryFile() as spool:
        counts = _write_package(request, _records(picked), spool)
        spool.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: spool.read(CHUNK), b""):
            digest.update(chunk)
        size = spool.tell()
        spool.seek(0)
        package = ReleasePackage(
            request=request,
            sha256=digest.hexdigest(),
            size=size,
            record_count=counts["records"],
            withheld_count=counts["withheld"],
            released_at=clock.now(),
            released_by=by,
        )
        package.file.save(f"{request.reference}.zip", File(spool), save=False)
        package.save()
    request.status = S.RELEASED
    request.released_at = package.released_at
    request.save(update_fields=["status", "released_at", "updated_at"])
    audit.record_event(
        action="datarequest.released",
        target=request,
        actor=by,
        data={
            "package": package.pk,
            "sha256": package.sha256,
            "records": package.record_count,
            "withheld": package.withheld_count,
        },
    )
    return package
