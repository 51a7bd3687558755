"""Receiving a Data Practices request (P24): from the public form or
entered by staff from a letter, an email or a visit."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from appeals.models import Channel
from appeals.services import reference_take
from core import audit, clock, outbox
from core.models import OutboxMessage
from core.permissions import require
from datarequests.models import DataRequest
from datarequests.services._base import due_date, personal


@transaction.atomic
def datarequest_submit(
    *,
    kind: str,
    description: str,
    name: str = "",
    email: str = "",
    postal_address: str = "",
    handles: str = "",
    channel: str = Channel.WEB,
    received_on: date | None = None,
    by: Any = None,
) -> DataRequest:
    """Receive a request: from the web form (``by`` None) or entered by staff.

    A data subject gives their name and a way to reach them (13.04); a request
    for public data may be anonymous (13.03): its status link is the way back.
    """
    if channel == Channel.WEB and by is not None:
        raise ValidationError({"channel": "Staff enter letters, emails and visits."})
    if channel != Channel.WEB:
        require(by, "datarequests.add_datarequest", doing="enter data requests")
    today = clock.today()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError({"received_on": "The received date is in the future."})
    request = DataRequest(
        kind=kind,
        description=(description or "").strip().replace("\r\n", "\n"),
        name=(name or "").strip(),
        email=(email or "").strip(),
        postal_address=(postal_address or "").strip(),
        handles=(handles or "").strip(),
        channel=channel,
        received_on=received_on,
        entered_by=by,
    )
    request.due_on = due_date(request, paused_days=0)
    request.full_clean(
        exclude=["reference", "status_token", "entered_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    errors: dict[str, str] = {}
    if kind == DataRequest.Kind.DATA_SUBJECT:
        # 13.04: the city must know who asks for data about themselves.
        if not request.name:
            errors["name"] = "Give your name: we release data about you only to you."
        if not request.email and not request.postal_address:
            errors["email"] = (
                "Give an email address or a postal address to receive data about you."
            )
    if not request.description:
        errors["description"] = "Say which records you are asking for."
    if errors:
        raise ValidationError(errors)
    request.reference = reference_take(
        prefix=DataRequest.REFERENCE_PREFIX, year=received_on.year
    )
    request.status_token = secrets.token_urlsafe(32)
    request.save(force_insert=True)
    data = {
        **audit.snapshot(request, ["kind", "channel", "received_on", "due_on"]),
        "anonymous": request.is_anonymous,
    }
    if request.email:
        # The receipt goes to the outbox with the request: the requester's
        # submission never waits on the mail server (as for appeals).
        data["receipt"] = _receipt(request).pk
    audit.record_event(
        action="datarequest.received",
        target=request,
        actor=by,
        data=data,
        personal=personal(request),
    )
    return request


def _receipt(request: DataRequest) -> OutboxMessage:
    return outbox.outbox_enqueue(
        to=request.email,
        subject=f"We received your Data Practices request ({request.reference})",
        body=render_to_string(
            "datarequests/email/receipt.txt",
            {
                "req": request,
                "status_url": settings.SITE_URL + request.get_status_url(),
            },
        ),
        audience=OutboxMessage.Audience.RESIDENT,
        topic="datarequest.receipt",
        about=f"Receipt for {request.reference}",
        about_url=request.get_absolute_url(),
        permission="datarequests.handle_datarequest",
    )
