"""P19 follow-ups of captured public comments, as for messages (core.followups).

A public comment can start a request, application or question that needs a city
process (P19): a manager of the comment's account flags it (due date, process
reference) and later records how the city followed up (channel, note). A flagged
comment is kept by the retention purge until its follow-up is recorded; the purge
then clears the note with the rest of its content and keeps the reference.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from core import followups
from core.exceptions import InvalidTransition
from core.permissions import require
from platforms.models import CapturedComment


def _locked(comment: CapturedComment, *, by: Any, doing: str) -> CapturedComment:
    comment = (
        CapturedComment.objects.select_for_update()
        .select_related("account")
        .get(pk=comment.pk)
    )
    # P11: only the account's managers (or the City Administrator) act on it.
    require(
        by,
        "accounts.act_on_account",
        comment.account,
        doing=f"{doing} comments of {comment.account}: you do not manage it",
    )
    if comment.is_redacted:
        raise InvalidTransition(
            f"{comment} was destroyed under the retention schedule (R2): it can "
            "no longer be flagged or followed up."
        )
    return comment


@transaction.atomic
def comment_flag_follow_up(
    *, comment: CapturedComment, by: Any, due_on: date, reference: str = ""
) -> CapturedComment:
    """Flag a captured comment that starts a business request (P19), due by
    ``due_on``: the purge keeps it until its follow-up is recorded."""
    comment = _locked(comment, by=by, doing="flag")
    followups.flag(
        comment,
        by=by,
        due_on=due_on,
        reference=reference,
        action="platforms.comment.follow_up_flagged",
    )
    return comment


@transaction.atomic
def comment_record_follow_up(
    *,
    comment: CapturedComment,
    by: Any,
    channel: str,
    note: str,
    reference: str = "",
) -> CapturedComment:
    """Record how the city followed up a captured comment (P19: phone, email or
    another channel), what was done and the process that took it on."""
    comment = _locked(comment, by=by, doing="follow up")
    followups.record(
        comment,
        by=by,
        channel=channel,
        note=note,
        reference=reference,
        action="platforms.comment.follow_up_recorded",
    )
    return comment
