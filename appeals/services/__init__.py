"""State changes of appeals (P22) and legality challenges (P23).

Each function is one transaction and writes one audit event (plus correspondence
where the resident is written to). Personal data goes only in ``personal=`` of the
audit events. Every email is written to the outbox (``core.outbox``) in the step's
own transaction; the outbox job sends it.

    filing          file from the web forms or enter one from paper, with the receipt
    handling        acknowledge, assign, review, answer, link the removal, withdraw
    correspondence  what the resident is sent, kept exactly as sent
    reminders       the daily overdue and due-soon emails
    redaction       clearing the personal data for the retention purge
"""

from appeals.services._base import (
    LETTER_MAX_BYTES,
    MIN_RESPONSE_CHARS,
    PERSONAL_FIELDS,
    can_handle,
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
from appeals.services.redaction import appeal_redact, challenge_redact
from appeals.services.reminders import deadline_reminders_send

__all__ = [
    "LETTER_MAX_BYTES",
    "MIN_RESPONSE_CHARS",
    "PERSONAL_FIELDS",
    "appeal_answer",
    "appeal_link_removal",
    "appeal_redact",
    "appeal_submit",
    "can_handle",
    "challenge_answer",
    "challenge_record_consultation",
    "challenge_redact",
    "challenge_submit",
    "correspondence_mark_mailed",
    "deadline_reminders_send",
    "filing_acknowledge",
    "filing_assign_reviewer",
    "filing_start_review",
    "filing_withdraw",
    "handler_permission",
    "reference_take",
]
