"""State changes of appeals (P22) and legality challenges (P23).

Each function is one transaction and writes one audit event (plus correspondence
where the resident is written to). Personal data goes only in ``personal=`` of the
audit events. Emails leave after the transaction commits, through Celery; receipts
through the receipts job.

    filing          file from the web forms or enter one from paper; receipts
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
)
from appeals.services.correspondence import (
    correspondence_mark_mailed,
    correspondence_send,
)
from appeals.services.filing import (
    appeal_submit,
    challenge_submit,
    filing_receipts_send,
    filing_send_receipt,
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
    "correspondence_send",
    "deadline_days",
    "deadline_reminders_send",
    "filing_acknowledge",
    "filing_assign_reviewer",
    "filing_receipts_send",
    "filing_send_receipt",
    "filing_start_review",
    "filing_withdraw",
]
