"""Storing what a connector normalised: comments here, messages in retention's
inbox (R1). Idempotent: the same comment or message, reported any number of
times, is one record; an edit keeps the earlier text as a version."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import Account
from core import audit, clock
from platforms.connectors import CommentEvent, MessageEvent
from platforms.models import CapturedComment, CommentVersion, DraftRemoval
from retention.models import Message
from retention.services import message_create


def _moment(at: datetime | None, *, not_before: datetime | None = None) -> datetime:
    """The platform's time when it is plausible, else now (a platform clock far
    ahead, or no time given); never before ``not_before``."""
    now = clock.now()
    moment = at if at is not None and at <= clock.latest_plausible() else now
    moment = min(moment, now)
    if not_before is not None and moment < not_before:
        moment = not_before
    return moment


def events_apply(
    *, account: Account, events: Iterable[CommentEvent | MessageEvent]
) -> Counter[str]:
    """Record each event for ``account``; return how many records each kind of
    event created or changed (``comments``, ``messages``)."""
    counts: Counter[str] = Counter()
    for event in events:
        if isinstance(event, MessageEvent):
            counts["messages"] += message_capture(account=account, event=event)
        else:
            counts["comments"] += comment_capture(account=account, event=event)
    return counts


def message_capture(*, account: Account, event: MessageEvent) -> int:
    """Put a received message in the retention inbox (R1, P24) through its own
    service, once: a message already recorded (even one destroyed since, whose
    tombstone keeps its id) is not recorded again. Return 1 if recorded."""
    if Message.objects.filter(
        account=account, platform_message_id=event.message_id
    ).exists():
        return 0
    try:
        with transaction.atomic():
            message_create(
                account=account,
                platform_message_id=event.message_id,
                received_at=_moment(event.at),
                sender_handle=event.sender,
                body=event.text,
            )
    except IntegrityError:
        # Recorded meanwhile by another worker taking the same message.
        if Message.objects.filter(
            account=account, platform_message_id=event.message_id
        ).exists():
            return 0
        raise
    return 1


def _personal(comment: CapturedComment) -> dict[str, Any]:
    return {"author_name": comment.author_name, "author_handle": comment.author_handle}


def _new_comment(account: Account, event: CommentEvent) -> CapturedComment:
    return CapturedComment(
        account=account,
        source=event.source,
        comment_id=event.comment_id,
        post_id=event.post_id,
        parent_id=event.parent_id,
        url=event.url,
        author_id=event.author_id,
        author_name=event.author_name,
        author_handle=event.author_handle,
        text=event.text or "",
        by_account=event.by_account,
        posted_at=_moment(event.at),
    )


def _locked_or_created(
    account: Account, event: CommentEvent
) -> tuple[CapturedComment, bool]:
    existing = (
        CapturedComment.objects.select_for_update()
        .filter(account=account, comment_id=event.comment_id)
        .first()
    )
    if existing is not None:
        return existing, False
    comment = _new_comment(account, event)
    comment.full_clean()
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        # Captured meanwhile by another worker: continue with that record.
        return (
            CapturedComment.objects.select_for_update().get(
                account=account, comment_id=event.comment_id
            ),
            False,
        )
    return comment, True


def _add_version(comment: CapturedComment, verb: str, text: str, at: Any) -> None:
    last = comment.versions.order_by("-number").values_list("number", flat=True)
    version = CommentVersion(
        comment=comment,
        number=(last.first() or 0) + 1,
        verb=verb,
        text=text,
        at=at,
    )
    version.full_clean()
    version.save()


def _fill_blanks(comment: CapturedComment, event: CommentEvent) -> list[str]:
    """Complete what an earlier report did not say (a hide arrives first)."""
    changed = []
    for name in ("post_id", "parent_id", "url", "author_id", "author_name"):
        value = getattr(event, name)
        if value and not getattr(comment, name):
            setattr(comment, name, value)
            changed.append(name)
    if event.author_handle and not comment.author_handle:
        comment.author_handle = event.author_handle
        changed.append("author_handle")
    return changed


def _open_draft(comment: CapturedComment, action: str, at: datetime) -> DraftRemoval:
    draft = DraftRemoval(
        comment=comment, account=comment.account, action=action, detected_at=at
    )
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def comment_capture(*, account: Account, event: CommentEvent) -> int:
    """Record what the platform reported about one comment.

    ``add``: the comment as posted (version 1); ``edited``: a new version when the
    text changed; ``hide``/``remove``: its state, and a draft removal for a
    manager (P21) when the page hid or removed a comment someone else wrote
    (``unhide`` makes it visible again; a draft stays for the manager to judge).
    A report that changes nothing records nothing. A comment destroyed under the
    schedule stays destroyed. Return 1 when something was recorded, else 0.
    """
    comment, created = _locked_or_created(account, event)
    if comment.is_redacted:
        return 0
    now = clock.now()
    at = _moment(event.at, not_before=comment.posted_at)
    changed = _fill_blanks(comment, event) if not created else []
    action = ""
    data: dict[str, Any] = {
        "account": account.pk,
        "comment_id": comment.comment_id,
        "source": comment.source,
        "verb": event.verb,
    }
    text = event.text
    known = set(comment.versions.values_list("text", flat=True))
    if created and text is not None:
        verb = CommentVersion.Verb.ADD if event.verb == "add" else "edited"
        _add_version(comment, verb, text, event.at)
    if event.verb == "add":
        if created:
            action = "platforms.comment.captured"
        elif text is not None and text not in known:
            # The first text arrived after an edit (deliveries out of order).
            _add_version(comment, CommentVersion.Verb.ADD, text, event.at)
            if not comment.text:
                comment.text = text
            action = "platforms.comment.captured"
    elif event.verb == "edited":
        if created:
            action = "platforms.comment.captured"
        elif text is not None and text != comment.text:
            _add_version(comment, CommentVersion.Verb.EDITED, text, event.at)
            data["version"] = comment.versions.count()
            comment.text = text
            action = "platforms.comment.edited"
    elif event.verb in ("hide", "remove"):
        state = (
            CapturedComment.State.HIDDEN
            if event.verb == "hide"
            else CapturedComment.State.REMOVED
        )
        before = comment.state
        if created or before != state:
            if before == CapturedComment.State.REMOVED:
                return 0  # a removed comment cannot be hidden again
            comment.state, comment.state_changed_at = state, at
            action = f"platforms.comment.{'hidden' if state == 'hidden' else 'removed'}"
            draft = _draft_for(comment, state, before, created, at)
            if draft is not None:
                data["draft"] = draft.pk
    elif event.verb == "unhide" and comment.state == CapturedComment.State.HIDDEN:
        comment.state, comment.state_changed_at = CapturedComment.State.VISIBLE, at
        action = "platforms.comment.unhidden"
    if not action and not changed:
        if not created:
            CapturedComment.objects.filter(pk=comment.pk).update(last_seen_at=now)
        return 0
    comment.last_seen_at = now
    comment.full_clean()
    comment.save()
    audit.record_event(
        action=action or "platforms.comment.completed",
        target=comment,
        data=data if action else {**data, "filled": changed},
        personal=_personal(comment),
    )
    return 1


def _draft_for(
    comment: CapturedComment,
    state: str,
    before: str,
    created: bool,
    at: datetime,
) -> DraftRemoval | None:
    """The draft removal a hide or removal opens, or updates (None: no draft).

    The account's own comments are not removals of a public comment. A comment
    hidden and then deleted is one removal: its waiting draft says "deleted".
    """
    if comment.by_account:
        return None
    action = (
        DraftRemoval.Action.HIDDEN
        if state == CapturedComment.State.HIDDEN
        else DraftRemoval.Action.DELETED
    )
    pending = (
        DraftRemoval.objects.select_for_update()
        .filter(comment=comment, status=DraftRemoval.Status.PENDING)
        .first()
    )
    if pending is not None:
        if pending.action != action:
            pending.action = action
            pending.save(update_fields=["action"])
        return pending
    if not created and before == CapturedComment.State.HIDDEN:
        return None  # hidden, already judged, now deleted: the same removal
    return _open_draft(comment, action, at)
