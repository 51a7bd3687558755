"""Incidents under the rules of use (P16-P18): recorded, then closed with the
follow-up. The City Administrator records and closes them; the Records Officer
reads them (``accounts.permissions``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from accounts.models import Account, Incident, User
from accounts.services._base import _require_reason
from core import audit, clock
from core.exceptions import DomainError, ensure_status
from core.permissions import require

# Names and free text go to the audit event's ``personal`` part, which the
# retention purge may clear (R4) without breaking the audit chain.


@transaction.atomic
def incident_record(
    *,
    by: User,
    kind: str,
    occurred_at: datetime,
    description: str,
    reported_by: str,
    person: User | None = None,
    account: Account | None = None,
) -> Incident:
    """Record a misuse of a city account (P17), a disclosure of private or
    confidential data (P18) or another breach (P16)."""
    require(by, "accounts.add_incident", doing="record incidents")
    incident = Incident(
        kind=kind,
        person=person,
        account=account,
        occurred_at=occurred_at,
        description=description.strip(),
        reported_by=reported_by.strip(),
        recorded_by=by,
        recorded_at=clock.now(),
    )
    incident.full_clean()
    incident.save()
    audit.record_event(
        action="incident.recorded",
        target=incident,
        actor=by,
        data={
            "kind": incident.kind,
            "account": incident.account_id,
            "occurred_at": incident.occurred_at,
        },
        personal={
            "person": person.pk if person else None,
            "description": incident.description,
            "reported_by": incident.reported_by,
        },
    )
    return incident


@transaction.atomic
def incident_close(
    *,
    incident: Incident,
    by: User,
    action_taken: str,
    action_taken_by: str,
    action_taken_on: date | None,
) -> Incident:
    """Record the follow-up of an open incident (what was done, by whom, when)
    and close it; a closed incident stands as it is."""
    require(by, "accounts.close_incident", doing="close incidents")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    ensure_status(incident, allowed=[Incident.Status.OPEN], doing="closed")
    incident.action_taken = _require_reason(
        action_taken, field="action_taken", what="the action taken"
    )
    incident.action_taken_by = action_taken_by.strip()
    if action_taken_on is None:
        raise DomainError(
            "Give the date the action was taken.", field="action_taken_on"
        )
    incident.action_taken_on = action_taken_on
    incident.status = Incident.Status.CLOSED
    incident.closed_at = clock.now()
    incident.closed_by = by
    incident.full_clean()
    incident.save()
    audit.record_event(
        action="incident.closed",
        target=incident,
        actor=by,
        data={
            "changes": {"status": [Incident.Status.OPEN, Incident.Status.CLOSED]},
            "action_taken_on": incident.action_taken_on,
        },
        personal={
            "action_taken": incident.action_taken,
            "action_taken_by": incident.action_taken_by,
        },
    )
    return incident
