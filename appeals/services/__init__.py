"""State changes of appeals (P22) and legality challenges (P23).

Each function is one transaction and writes one audit event (plus correspondence
where the resident is written to). Personal data goes only in ``personal=`` of the
audit events. Emails leave after the transaction commits, through Celery.
"""

from appeals.services.common import (
    DEFAULT_DAYS,
    MIN_RESPONSE_CHARS,
    _days_from,
    _remover_id,
    can_handle,
    city_days,
)
from appeals.services.filing import (
    appeal_submit,
    challenge_submit,
    filing_send_receipt,
)
from appeals.services.handling import (
    appeal_answer,
    appeal_link_removal,
    challenge_answer,
    challenge_record_consultation,
    correspondence_mark_mailed,
    filing_acknowledge,
    filing_assign_reviewer,
    filing_start_review,
    filing_withdraw,
)
from appeals.services.mail import correspondence_send, deadline_reminders_send

__all__ = [
    "DEFAULT_DAYS",
    "MIN_RESPONSE_CHARS",
    "_days_from",
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
    "deadline_reminders_send",
    "filing_acknowledge",
    "filing_assign_reviewer",
    "filing_send_receipt",
    "filing_start_review",
    "filing_withdraw",
]
