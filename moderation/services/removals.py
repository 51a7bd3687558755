"""Logging a removal: the one service that creates a ``RemovalDecision`` (P20, P21)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Account
from core import audit, clock
from core.classification import DataClassification
from moderation.models import (
    DECISION_PERSONAL_FIELDS,
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
)
from moderation.services._base import (
    COMMENT_TEXT_MAX_CHARS,
    TOLD_WAYS,
    _check_categories,
    _check_reasoning,
    _check_text,
    _check_times,
    _check_url,
    comment_id_from_url,
    require_for_account,
)
from moderation.services.evidence import _check_evidence, _store_evidence


def _live_notice_version() -> Any:
    """Return the public notice version live now (N1-N9), if the city has one."""
    from notices.selectors import document_version_live

    return document_version_live(kind="notice")


def _decision_personal(decision: RemovalDecision) -> dict[str, Any]:
    return {name: getattr(decision, name) for name in DECISION_PERSONAL_FIELDS}


@transaction.atomic
def removal_create(
    *,
    by: Any,
    account: Account,
    comment_url: str,
    comment_text: str,
    author_name: str,
    posted_at: datetime | None,
    removed_at: datetime | None,
    categories: Iterable[RemovalCategory],
    facts: str,
    reasoning: str,
    platform_action: str = RemovalDecision.PlatformAction.HIDDEN,
    comment_id: str = "",
    author_handle: str = "",
    link_to_material: str = "",
    notified_via: str = "",
    notification_text: str = "",
    notified_at: datetime | None = None,
    evidence: Any = None,
    classification: str = DataClassification.PUBLIC,
) -> RemovalDecision:
    """Log the removal of one public comment (P20, P21) and audit it.

    Refuses, with a message per field and nothing saved: a user who does not
    manage the account (P11), a URL on another platform, a removal before the post
    or in the future, no category (P21), category 8 without its link, empty facts
    or reasoning, an oversized comment paste, a bad screenshot, a duplicate.
    """
    require_for_account(
        by, "moderation.add_removaldecision", account, doing="log removals"
    )
    categories = sorted(set(categories), key=lambda c: c.number)
    errors: dict[str, list[str]] = {}
    comment_url = comment_url.strip()
    _check_url(comment_url, account, errors)
    comment_id = (comment_id or "").strip() or comment_id_from_url(comment_url)
    if not comment_id and "comment_url" not in errors:
        errors.setdefault("comment_id", []).append(
            "The comment's id could not be read from its address; enter it."
        )
    if not comment_text.strip():
        errors.setdefault("comment_text", []).append(
            "Paste the text of the comment as it was posted."
        )
    elif len(comment_text) > COMMENT_TEXT_MAX_CHARS:
        errors.setdefault("comment_text", []).append(
            f"The pasted text is {len(comment_text):,} characters; a comment is at "
            f"most {COMMENT_TEXT_MAX_CHARS:,}. Paste only the removed comment."
        )
    if not author_name.strip():
        errors.setdefault("author_name", []).append(
            "Enter the name the author showed on the platform."
        )
    _check_times(posted_at, removed_at, errors)
    _check_categories(categories, link_to_material, errors)
    _check_text("facts", facts, errors, label="facts relied on")
    _check_reasoning(reasoning, errors)
    if platform_action not in RemovalDecision.PlatformAction.values:
        errors.setdefault("platform_action", []).append(
            "Say whether the comment was hidden or deleted on the platform."
        )
    if notified_via and notified_via not in RemovalDecision.NotifiedVia.values:
        errors.setdefault("notified_via", []).append("Choose how the author was told.")
    if notified_via in TOLD_WAYS and not notification_text.strip():
        errors.setdefault("notification_text", []).append(
            "Paste the text you sent to the author."
        )
    evidence_kind = _check_evidence(evidence, errors)
    if comment_id and not errors:
        previous = (
            RemovalDecision.objects.filter(account=account, comment_id=comment_id)
            .exclude(amendments__kind=RemovalAmendment.Kind.RESTORATION)
            .first()
        )
        if previous is not None:
            errors.setdefault("comment_url", []).append(
                f"This comment was already logged as {previous}. Add a correction "
                "to that record instead."
            )
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    decision = RemovalDecision(
        account=account,
        comment_id=comment_id,
        comment_url=comment_url,
        author_name=author_name.strip(),
        author_handle=author_handle.strip(),
        comment_text=comment_text,
        posted_at=cast(datetime, posted_at),  # checked above: not None
        removed_at=cast(datetime, removed_at),
        removed_by=by,
        link_to_material=link_to_material.strip(),
        facts=facts.strip(),
        reasoning=reasoning.strip(),
        platform_action=platform_action,
        notified_via=notified_via,
        notified_at=(notified_at or now) if notified_via in TOLD_WAYS else None,
        notification_text=notification_text.strip() if notified_via else "",
        notice_version=_live_notice_version(),
        classification=classification,
        created_at=now,
    )
    decision.full_clean()
    decision.save()
    RemovalDecisionCategory.objects.bulk_create(
        RemovalDecisionCategory(decision=decision, category=c) for c in categories
    )
    stored = None
    if evidence is not None:
        stored = _store_evidence(
            decision=decision, file=evidence, kind=evidence_kind, by=by
        )
    audit.record_event(
        action="moderation.removal.logged",
        target=decision,
        actor=by,
        data={
            "account": account.pk,
            "comment_id": comment_id,
            "categories": [c.number for c in categories],
            "posted_at": posted_at,
            "removed_at": removed_at,
            "platform_action": platform_action,
            "notified_via": notified_via,
            "notice_version": decision.notice_version_id,
            "evidence_sha256": stored.sha256 if stored else "",
            "classification": classification,
        },
        personal=_decision_personal(decision),
    )
    return decision
