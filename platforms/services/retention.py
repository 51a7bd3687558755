"""The captured comments as a record series of the retention schedule (R2, R4).

``CAPTURED_COMMENTS`` is registered with the purge (``retention.series.register``)
by ``PlatformsConfig.ready()``: the purge destroys a comment once its schedule row
no longer keeps it, counting from the last time the platform reported on it, and
never while a draft removal of it waits for a manager (the record the draft
needs) nor while it is flagged for a follow-up not recorded yet (P19).
Destroying clears the text of every version, the author, the link and the
follow-up note (the process reference stays), and
the personal data of its audit events; the row stays as a tombstone (ids and
dates), so the same comment reported again is not captured again.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core import audit, clock, followups
from platforms.models import CapturedComment, CommentVersion, DraftRemoval
from retention.models import Series
from retention.series import SeriesSpec


@transaction.atomic
def captured_comment_redact(*, ids: list[int], run_label: str = "") -> int:
    """Destroy the content of these captured comments (the retention purge only);
    return how many were destroyed."""
    CommentVersion.objects.filter(comment_id__in=ids).update(text="")
    count = CapturedComment.objects.filter(pk__in=ids, redacted_at__isnull=True).update(
        text="",
        author_name="",
        author_handle="",
        author_id="",
        url="",
        # P19: the note may name the resident; the process reference stays.
        follow_up_note="",
        redacted_at=clock.now(),
    )
    audit.redact_personal(model=CapturedComment, ids=ids, run_label=run_label)
    return count


def _held_automatically() -> Q:
    """The comments a pending draft removal needs, and those flagged for a
    follow-up not recorded yet (P19, as for messages): one filter, in SQL."""
    drafts = DraftRemoval.objects.filter(status=DraftRemoval.Status.PENDING)
    return Q(pk__in=drafts.values("comment_id")) | followups.waiting_q()


CAPTURED_COMMENTS = SeriesSpec(
    key=Series.CAPTURED_COMMENTS,
    model_label="platforms.CapturedComment",
    closed="last_seen_at",
    account_path="account",
    date_path="posted_at",
    person_paths=("author_name", "author_handle"),
    alive=lambda: Q(redacted_at__isnull=True),
    auto_held=_held_automatically,
    destroy=lambda ids, run_label: captured_comment_redact(
        ids=ids, run_label=run_label
    ),
    method="redact",
)
