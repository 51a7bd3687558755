"""Putting a removed comment back on the platform after a reversal (P22).

A reversed appeal asks for it (``restoration_request``); the account's current
managers see the task on their dashboard, restore the comment on the platform,
and confirm it (``restoration_complete``), which appends the restoration
amendment to the decision. The record says "restored" only once someone says
they did it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from accounts.models import ManagerAccess
from accounts.selectors import user_list_holding
from core import audit, clock, outbox
from core.exceptions import InvalidTransition, ensure_status
from core.models import OutboxMessage
from core.permissions import require
from moderation.models import RemovalAmendment, RemovalDecision, RestorationTask
from moderation.services._base import require_for_account
from moderation.services.amendments import (
    record_restoration,
    require_restoration_reason,
)


@transaction.atomic
def restoration_request(
    *,
    decision: RemovalDecision,
    reason: str,
    source: str,
    by: Any,
    appeal: Any = None,
) -> RestorationTask:
    """Ask the account's managers to restore the comment of ``decision`` (P22).

    ``source`` says what asked for it ("Appeal AP-2026-00003 reversed the
    removal"); ``appeal``, when given, is named on the restoration amendment.
    ``by`` holds ``moderation.add_restorationtask`` (the appeals service has
    checked that ``by`` decides the appeal). Refused when the comment was
    already restored or a task already asks for it.
    """
    require(
        by, "moderation.add_restorationtask", doing="ask for comments to be restored"
    )
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.amendments.filter(kind=RemovalAmendment.Kind.RESTORATION).exists():
        raise InvalidTransition(f"{decision} was already restored.")
    if RestorationTask.objects.filter(decision=decision).exists():
        raise InvalidTransition(f"The restoration of {decision} was already asked for.")
    task = RestorationTask(
        decision=decision,
        reason=reason.strip(),
        source=source.strip(),
        appeal_id=getattr(appeal, "pk", None),
        appeal_reference=str(appeal)[:40] if appeal is not None else "",
        requested_by=by,
        requested_at=clock.now(),
    )
    task.full_clean()
    task.save()
    recipients = _tell_who_restores(task, decision)
    audit.record_event(
        action="moderation.restoration.requested",
        target=decision,
        actor=by,
        data={
            "task": task.pk,
            "source": task.source,
            "appeal": task.appeal_id,
            "emails": len(recipients),
        },
        reason=task.reason,
    )
    return task


def _tell_who_restores(task: RestorationTask, decision: RemovalDecision) -> list[str]:
    """Email the account's current managers, or, when nobody manages it (P11),
    whoever acts for every account (the City Administrator), through the outbox;
    return the addresses written to."""
    account = decision.account
    managers = ManagerAccess.objects.current().filter(account=account)
    emails = sorted(
        set(
            managers.exclude(manager__email="").values_list("manager__email", flat=True)
        )
    )
    unmanaged = not managers.exists()
    if unmanaged:
        emails = sorted(
            set(
                user_list_holding(
                    "accounts.manage_every_account", include_superusers=False
                )
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
    url = reverse("moderation:removal-detail", args=[decision.pk])
    body = (
        f"{task.source} Put the comment of {decision} back on "
        f"{account.platform.name} ({account.handle}): unhide it, or ask the "
        "platform to restore it, check that it shows, then confirm it on the "
        f"removal's record ({url}). It stays on the dashboard until then (P22).\n"
        + (
            "\nNobody manages this account now: restore it yourself, or give "
            "someone access to it.\n"
            if unmanaged
            else ""
        )
    )
    for email in emails:
        outbox.outbox_enqueue(
            to=email,
            subject=f"A comment to restore: {decision} on {account.handle}",
            body=body,
            audience=OutboxMessage.Audience.STAFF,
            topic="moderation.restoration_requested",
            about=str(task),
            about_url=url,
            permission=outbox.STAFF_ADDRESS_PERMISSION,
        )
    return emails


@transaction.atomic
def restoration_complete(
    *, task: RestorationTask, by: Any, note: str
) -> RestorationTask:
    """Record that ``by`` restored the comment on the platform (P22): the task is
    done and the restoration amendment is appended to the decision, now.

    ``by`` holds ``moderation.add_removalamendment`` for the account (its
    managers, or the City Administrator); ``note`` says how (kept in the record).
    """
    # The decision first, then its task: the order every restoration path locks
    # them in (restoration_request, removal_restore), so two at once never deadlock.
    decision_id = RestorationTask.objects.values_list("decision_id", flat=True).get(
        pk=task.pk
    )
    decision = (
        RemovalDecision.objects.select_for_update()
        .select_related("account__platform")
        .get(pk=decision_id)
    )
    task = RestorationTask.objects.select_for_update().get(pk=task.pk)
    require_for_account(
        by,
        "moderation.add_removalamendment",
        decision.account,
        doing="confirm restored comments",
    )
    ensure_status(task, allowed=[RestorationTask.Status.OPEN], doing="marked restored")
    _complete(task, decision, by=by, note=note)
    return task


@transaction.atomic
def removal_restore(
    *, decision: RemovalDecision, by: Any, reason: str
) -> RemovalAmendment:
    """Record that the removed comment was restored on the platform (P22): a
    manager of the account (``moderation.add_removalamendment``) saw it was
    removed in error. When a reversed appeal already asked for it, this
    completes that task, so its appeal is named and the task is not left open."""
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    require_for_account(
        by,
        "moderation.add_removalamendment",
        decision.account,
        doing="restore removed comments",
    )
    # Said by the manager whether or not an appeal asked for it.
    require_restoration_reason(reason)
    task = (
        RestorationTask.objects.select_for_update()
        .filter(decision=decision, status=RestorationTask.Status.OPEN)
        .first()
    )
    if task is not None:
        return _complete(task, decision, by=by, note=reason)
    return record_restoration(decision=decision, by=by, reason=reason)


def _complete(
    task: RestorationTask, decision: RemovalDecision, *, by: Any, note: str
) -> RemovalAmendment:
    task.status = RestorationTask.Status.DONE
    task.done_by = by
    task.done_at = clock.now()
    task.done_note = note.strip()
    task.full_clean()
    task.save()
    # One event: the restoration amendment's, naming the task it completes.
    return record_restoration(
        decision=decision,
        by=by,
        reason=" ".join(filter(None, [task.source, task.done_note])),
        appeal_id=task.appeal_id,
        appeal_reference=task.appeal_reference,
        task_id=task.pk,
    )
