"""Draft removals: what the platform reported, made a removal decision by a manager
(P20-P22), or set aside as not a removal.

    draft_removal_complete(draft=, by=, categories=, facts=, reasoning=, ...)
    draft_removal_dismiss(draft=, by=, reason=)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from core import audit, clock
from core.exceptions import DomainError, InvalidTransition, ensure_status
from core.permissions import require
from moderation.models import RemovalCategory, RemovalDecision
from moderation.services import removal_create
from platforms.models import DraftRemoval

REASON_MIN_CHARS = 10


def _locked(draft: DraftRemoval, *, by: Any, doing: str) -> DraftRemoval:
    require(by, "platforms.change_draftremoval", doing=f"{doing} draft removals")
    draft = (
        DraftRemoval.objects.select_for_update()
        .select_related("comment", "account__platform")
        .get(pk=draft.pk)
    )
    # P11: only the account's managers (or the City Administrator) decide.
    require(
        by,
        "accounts.act_on_account",
        draft.account,
        doing=f"{doing} draft removals of {draft.account}",
    )
    ensure_status(draft, allowed=[DraftRemoval.Status.PENDING], doing=f"{doing}d")
    return draft


@transaction.atomic
def draft_removal_complete(
    *,
    draft: DraftRemoval,
    by: Any,
    categories: Iterable[RemovalCategory],
    facts: str,
    reasoning: str,
    link_to_material: str = "",
    notified_via: str = "",
    notification_text: str = "",
    comment_text: str = "",
    author_name: str = "",
) -> RemovalDecision:
    """Log the draft as a removal decision through moderation's own service, with
    what was captured (the comment's text, author, times, link) and the
    manager's categories, facts and reasoning (P21); the draft is then closed.

    ``comment_text`` and ``author_name`` are used only where the platform did
    not send them (a comment first reported by its hiding).
    """
    draft = _locked(draft, by=by, doing="complete")
    comment = draft.comment
    if comment.is_redacted:
        raise InvalidTransition(
            f"{comment} was destroyed under the retention schedule; it cannot be "
            "logged as a removal."
        )
    account = draft.account
    decision = removal_create(
        by=by,
        account=account,
        # Instagram sends no address for a comment: the account's own, with the
        # comment's id, as a manager would log it.
        comment_url=comment.url or account.url,
        comment_id=comment.comment_id,
        comment_text=comment.text or comment_text,
        author_name=comment.author_name or author_name or comment.author_handle,
        author_handle=comment.author_handle,
        posted_at=comment.posted_at,
        removed_at=max(draft.detected_at, comment.posted_at),
        categories=categories,
        facts=facts,
        reasoning=reasoning,
        platform_action=draft.action,
        link_to_material=link_to_material,
        notified_via=notified_via,
        notification_text=notification_text,
    )
    draft.status = DraftRemoval.Status.COMPLETED
    draft.decision = decision
    draft.closed_at = clock.now()
    draft.closed_by = by
    draft.full_clean()
    draft.save()
    audit.record_event(
        action="platforms.draft_removal.completed",
        target=draft,
        actor=by,
        data={
            "changes": {"status": [DraftRemoval.Status.PENDING, draft.status]},
            "decision": decision.pk,
        },
    )
    return decision


@transaction.atomic
def draft_removal_dismiss(*, draft: DraftRemoval, by: Any, reason: str) -> DraftRemoval:
    """Record that the platform's report is not a removal by the city (the author
    deleted the comment, it was spam the platform hid by itself...), and why."""
    draft = _locked(draft, by=by, doing="close")
    reason = reason.strip()
    if len(reason) < REASON_MIN_CHARS:
        raise DomainError(
            "Say in a sentence why this is not a removal (for example: the author "
            "deleted the comment).",
            field="reason",
        )
    draft.status = DraftRemoval.Status.NOT_REMOVAL
    draft.reason = reason
    draft.closed_at = clock.now()
    draft.closed_by = by
    draft.full_clean()
    draft.save()
    audit.record_event(
        action="platforms.draft_removal.not_removal",
        target=draft,
        actor=by,
        data={"changes": {"status": [DraftRemoval.Status.PENDING, draft.status]}},
        reason=reason,
    )
    return draft
