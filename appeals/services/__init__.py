"""State changes of appeals (P22) and legality challenges (P23).

Each function is one transaction and writes one audit event (plus correspondence
where the resident is written to). Personal data goes only in ``personal=`` of the
audit events. Every email is written to the outbox (``core.outbox``) in the step's
own transaction; the outbox job sends it.

    filing          file from the web forms or enter one from paper, with the receipt
    handling        acknowledge, assign, review, answer, link the removal, withdraw
    correspondence  what the resident is sent, kept exactly as sent
    reminders       the daily overdue and due-soon emails
"""

from appeals.services._base import (
    DEFAULT_DAYS,
    LETTER_MAX_BYTES,
    MIN_RESPONSE_CHARS,
    PERSONAL_FIELDS,
    _remover_id,
    can_handle,
    city_days,
    deadline_days,
    handler_permission,
)
from appeals.services.correspondence import correspondence_mark_mailed
from appeals.services.filing import (
    appeal_submit,
    challenge_submit,
    reference_take,
)
from appeals.services.handling import (
    appeal_answer,
    appeal_link_removal,
    challenge_answer,
    challenge_record_consultation,
    filing_acknowledge,
    filing_assign_reviewer,
    filing_start_review,
    filing_withdraw,
)
from appeals.services.reminders import deadline_reminders_send

__all__ = [
    "DEFAULT_DAYS",
    "LETTER_MAX_BYTES",
    "MIN_RESPONSE_CHARS",
    "PERSONAL_FIELDS",
    "_remover_id",
    "appeal_answer",
    "appeal_link_removal",
    "appeal_submit",
    "can_handle",
    "challenge_answer",
    "challenge_record_consultation",
    "challenge_submit",
    "city_days",
    "correspondence_mark_mailed",
    "deadline_days",
    "deadline_reminders_send",
    "filing_acknowledge",
    "filing_assign_reviewer",
    "filing_start_review",
    "filing_withdraw",
    "handler_permission",
    "reference_take",
]
