"""Handling a filing: acknowledge, assign the reviewer, review, answer in writing
(appeals: upheld, modified or reversed; challenges: after the attorney), withdraw."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.formats import date_format

from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Correspondence,
    Filing,
    LegalityChallenge,
)
from appeals.services._base import (
    F,
    S,
    _clean_response,
    _ensure_answerer,
    _ensure_handler,
    _kind_prefix,
    _lock,
    _noun,
    _remover_id,
    can_handle,
)
from appeals.services.correspondence import _write
from core import audit, clock, outbox
from core.exceptions import DomainError, NotPermitted, ensure_status
from core.models import OutboxMessage
from core.permissions import holds, require
from moderation.services import restoration_request

if TYPE_CHECKING:
    from moderation.models import RemovalDecision

#: The attorney a consultation is recorded with holds this (P23).
ADVISE = "appeals.advise_on_legalitychallenge"


@transaction.atomic
def filing_acknowledge(*, filing: F, by: Any) -> F:
    """Record the acknowledgment and write it to the resident (P23: promptly)."""
    _ensure_handler(by, filing)
    _lock(filing)
    ensure_status(filing, allowed=(S.RECEIVED,), doing="acknowledged")
    filing.status = S.ACKNOWLEDGED
    filing.acknowledged_at = clock.now()
    filing.acknowledged_by = by
    filing.full_clean()
    filing.save()
    letter = _write(
        filing,
        kind=Correspondence.Kind.ACKNOWLEDGMENT,
        template="acknowledgment",
        subject=f"Your {_noun(filing)} {filing.reference} is being handled",
    )
    audit.record_event(
        action=f"{_kind_prefix(filing)}.acknowledged",
        target=filing,
        actor=by,
        data={
            "changes": {"status": [S.RECEIVED, S.ACKNOWLEDGED]},
            "correspondence": letter.pk,
            "late": clock.today() > filing.ack_due_on,
        },
    )
    return filing


@transaction.atomic
def filing_assign_reviewer(*, filing: F, reviewer: Any, by: Any) -> F:
    """Assign the reviewer; for an appeal, never the person who made the removal
    (P22: reconsideration by someone else)."""
    _ensure_handler(by, filing)
    _lock(filing)
    ensure_status(filing, allowed=Filing.OPEN_STATUSES, doing="assigned")
    if not can_handle(reviewer, filing):
        raise NotPermitted(f"{reviewer} may not review {_noun(filing)}s.")
    if isinstance(filing, Appeal) and reviewer.pk == _remover_id(filing):
        raise DomainError(
            f"{reviewer} made the removal under appeal and cannot review it (P22).",
            field="reviewer",
            code="reviewer_conflict",
        )
    before = filing.reviewer_id
    filing.reviewer = reviewer
    filing.save(update_fields=["reviewer", "updated_at"])
    told = _tell_reviewer(filing, reviewer=reviewer, by=by)
    audit.record_event(
        action=f"{_kind_prefix(filing)}.reviewer_assigned",
        target=filing,
        actor=by,
        data={
            "changes": {"reviewer": [before, reviewer.pk]},
            "reviewer_emailed": told,
        },
    )
    return filing


def _tell_reviewer(filing: Filing, *, reviewer: Any, by: Any) -> bool:
    """Email the new reviewer (through the outbox, in the step's transaction),
    unless they assigned themselves or have no address; return whether written."""
    if reviewer.pk == by.pk or not reviewer.email:
        return False
    outbox.outbox_enqueue(
        to=reviewer.email,
        subject=f"You review {filing.reference}",
        body=render_to_string(
            "appeals/email/assigned.txt",
            {
                "reviewer": reviewer,
                "by": by,
                "filing": filing,
                "noun": _noun(filing),
                "site_url": settings.SITE_URL,
            },
        ),
        audience=OutboxMessage.Audience.STAFF,
        topic=f"{_kind_prefix(filing)}.reviewer_assigned",
        about=f"{filing.reference} assigned to {reviewer.get_username()}",
        about_url=filing.get_absolute_url(),
        permission=outbox.STAFF_ADDRESS_PERMISSION,
    )
    return True


@transaction.atomic
def filing_start_review(*, filing: F, by: Any) -> F:
    """Move an acknowledged filing under review (it needs a reviewer)."""
    _ensure_handler(by, filing)
    _lock(filing)
    ensure_status(filing, allowed=(S.ACKNOWLEDGED,), doing="put under review")
    if filing.reviewer_id is None:
        raise DomainError("Assign a reviewer first.", code="missing_information")
    filing.status = S.UNDER_REVIEW
    filing.review_started_at = clock.now()
    filing.save(update_fields=["status", "review_started_at", "updated_at"])
    audit.record_event(
        action=f"{_kind_prefix(filing)}.review_started",
        target=filing,
        actor=by,
        data={"changes": {"status": [S.ACKNOWLEDGED, S.UNDER_REVIEW]}},
    )
    return filing


@transaction.atomic
def appeal_answer(
    *,
    appeal: Appeal,
    by: Any,
    outcome: str,
    response: str,
    categories: Iterable[Any] = (),
) -> Appeal:
    """Answer an appeal in writing with its outcome (P22).

    ``modified`` names the categories the removal now stands on; ``reversed``
    appends the restoration amendment to the removal decision.
    """
    _ensure_answerer(appeal, by)
    _lock(appeal)
    ensure_status(appeal, allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW), doing="answered")
    if appeal.removal_id is None:
        raise DomainError(
            "Link the removal decision before answering.", code="missing_information"
        )
    if by.pk == _remover_id(appeal):
        raise DomainError(
            "You made this removal; someone else must answer (P22).",
            code="reviewer_conflict",
        )
    text = _clean_response(response)
    if outcome not in Appeal.Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    categories = list(categories)
    if outcome == Appeal.Outcome.MODIFIED and not categories:
        raise ValidationError(
            {"categories": "Name the categories the removal stands on (P21)."}
        )
    if outcome != Appeal.Outcome.MODIFIED and categories:
        raise ValidationError(
            {"categories": "Categories are only for a modified outcome."}
        )
    _before_answer(appeal, by=by, outcome=outcome)
    before = appeal.status
    appeal.status = S.ANSWERED
    appeal.outcome = outcome
    appeal.response = text
    appeal.response_delivery = appeal.reply_by
    appeal.answered_at = clock.now()
    appeal.answered_by = by
    appeal.full_clean()
    appeal.save()
    if categories:
        appeal.revised_categories.set(categories)
    letter = _write(
        appeal,
        kind=Correspondence.Kind.RESPONSE,
        template="response",
        subject=f"The answer to your appeal {appeal.reference}",
    )
    audit.record_event(
        action="appeal.answered",
        target=appeal,
        actor=by,
        data={
            "changes": {"status": [before, S.ANSWERED], "outcome": ["", outcome]},
            "categories": sorted(c.pk for c in categories),
            "correspondence": letter.pk,
            "response_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "late": clock.today() > appeal.answer_due_on,
        },
        personal={"response": text},
    )
    return appeal


def _before_answer(appeal: Appeal, *, by: Any, outcome: str) -> None:
    """A reversal asks the account's managers to restore the comment on the
    platform (P22): a restoration task in moderation, which records the
    restoration amendment once a manager confirms the comment is back."""
    if outcome == Appeal.Outcome.REVERSED:
        restoration_request(
            # appeal_answer refuses an appeal without its removal decision.
            decision=cast("RemovalDecision", appeal.removal),
            # Not the response itself: it may quote the resident, and it is
            # kept (and destroyed) with the appeal, not with the task.
            reason="The appeal was reversed: restore the comment on the platform.",
            source=f"Appeal {appeal.reference} reversed the removal.",
            by=by,
            appeal=appeal,
        )


@transaction.atomic
def appeal_link_removal(*, appeal: Appeal, removal: Any, by: Any) -> Appeal:
    """Link the appeal to the removal decision it is about (found by the staff
    search); refused when the assigned reviewer made that removal (P22)."""
    _ensure_handler(by, appeal)
    _lock(appeal)
    ensure_status(appeal, allowed=Filing.OPEN_STATUSES, doing="linked")
    if appeal.reviewer_id and appeal.reviewer_id == removal.removed_by_id:
        raise DomainError(
            f"The reviewer, {appeal.reviewer}, made {removal}: assign another "
            "reviewer first (P22).",
            code="reviewer_conflict",
        )
    before = appeal.removal_id
    appeal.removal = removal
    appeal.save(update_fields=["removal", "updated_at"])
    audit.record_event(
        action="appeal.removal_linked",
        target=appeal,
        actor=by,
        data={"changes": {"removal": [before, removal.pk]}},
    )
    return appeal


@transaction.atomic
def challenge_record_consultation(
    *,
    challenge: LegalityChallenge,
    by: Any,
    attorney: Any,
    notes: str,
    consulted_on: date | None = None,
) -> AttorneyConsultation:
    """Record the City Attorney's consultation (P23); the notes are privileged."""
    require(
        by,
        "appeals.add_attorneyconsultation",
        doing="record an attorney consultation: only the City Attorney or City "
        "Administrator may",
    )
    _lock(challenge)
    ensure_status(
        challenge,
        allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW),
        doing="given a consultation",
    )
    if not holds(attorney, ADVISE):
        raise NotPermitted(
            f"{attorney} is not the City Attorney (P23).", field="attorney"
        )
    consulted_on = consulted_on or clock.today()
    if consulted_on > clock.today():
        raise ValidationError({"consulted_on": "The date is in the future."})
    if consulted_on < challenge.received_on:
        # P23: the consultation is about this challenge, so it cannot come first.
        raise ValidationError(
            {
                "consulted_on": "The date is before the challenge was received "
                f"({date_format(challenge.received_on)})."
            }
        )
    consultation = AttorneyConsultation(
        challenge=challenge,
        attorney=attorney,
        consulted_on=consulted_on,
        notes=(notes or "").strip(),
        recorded_by=by,
    )
    consultation.full_clean()
    consultation.save()
    # Privileged: neither the notes nor a hint of them go in the audit trail.
    audit.record_event(
        action="challenge.attorney_consulted",
        target=challenge,
        actor=by,
        data={
            "consultation": consultation.pk,
            "attorney": attorney.pk,
            "consulted_on": consulted_on,
        },
    )
    return consultation


@transaction.atomic
def challenge_answer(
    *,
    challenge: LegalityChallenge,
    by: Any,
    outcome: str,
    response: str,
    amended_version: Any = None,
) -> LegalityChallenge:
    """Answer a legality challenge in writing (P23), after consulting the attorney."""
    _ensure_answerer(challenge, by)
    _lock(challenge)
    ensure_status(challenge, allowed=(S.ACKNOWLEDGED, S.UNDER_REVIEW), doing="answered")
    if not challenge.consultations.exists():
        raise DomainError(
            "Record the City Attorney's consultation before answering (P23).",
            code="missing_information",
        )
    text = _clean_response(response)
    if outcome not in LegalityChallenge.Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    if outcome == LegalityChallenge.Outcome.AMENDED:
        from notices.models import DocumentVersion

        if amended_version is None or not (
            DocumentVersion.objects.public().filter(pk=amended_version.pk).exists()
        ):
            raise ValidationError(
                {
                    "amended_version": "Choose the published policy or notice "
                    "version that amends it."
                }
            )
    else:
        amended_version = None
    before = challenge.status
    challenge.status = S.ANSWERED
    challenge.outcome = outcome
    challenge.amended_version = amended_version
    challenge.response = text
    challenge.response_delivery = challenge.reply_by
    challenge.answered_at = clock.now()
    challenge.answered_by = by
    challenge.full_clean()
    challenge.save()
    letter = _write(
        challenge,
        kind=Correspondence.Kind.RESPONSE,
        template="response",
        subject=f"The answer to your legality challenge {challenge.reference}",
    )
    audit.record_event(
        action="challenge.answered",
        target=challenge,
        actor=by,
        data={
            "changes": {"status": [before, S.ANSWERED], "outcome": ["", outcome]},
            "amended_version": getattr(amended_version, "pk", None),
            "correspondence": letter.pk,
            "response_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "late": clock.today() > challenge.answer_due_on,
        },
        personal={"response": text},
    )
    return challenge


@transaction.atomic
def filing_withdraw(*, filing: F, by: Any, note: str) -> F:
    """Record that the resident withdrew the filing (staff record it, with a note)."""
    _ensure_handler(by, filing)
    _lock(filing)
    ensure_status(filing, allowed=Filing.OPEN_STATUSES, doing="withdrawn")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say how the resident withdrew it."})
    before = filing.status
    filing.status = S.WITHDRAWN
    filing.withdrawn_at = clock.now()
    filing.withdrawal_note = note
    filing.full_clean()
    filing.save()
    audit.record_event(
        action=f"{_kind_prefix(filing)}.withdrawn",
        target=filing,
        actor=by,
        data={"changes": {"status": [before, S.WITHDRAWN]}},
        personal={"note": note},
    )
    return filing
