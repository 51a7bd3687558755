"""State changes of the moderation app: one function, one transaction, one audit
event each. Nothing here ever changes or deletes a saved decision (P20 spirit):

    removal_create(...)                    -> RemovalDecision   log a removal
    removal_amend(decision, by, field, value, reason)  -> RemovalAmendment
    removal_notify_author(decision, by, via, text)     -> RemovalAmendment
    removal_add_evidence(decision, by, file, reason)   -> RemovalAmendment
    removal_restore(decision, by, reason, appeal=None) -> RemovalAmendment
    removal_redact(decisions, run_label)   (retention purge only, R2/R4)
    removal_purge(decisions, run_label)    (retention purge only, R2/R4)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, Any, cast
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Account
from accounts.selectors import user_manages_account
from core import audit, clock, uploads
from core.classification import DataClassification
from moderation.exceptions import (
    RemovalAlreadyRestored,
    RemovalNotPermitted,
    RemovalValidationError,
)
from moderation.models import (
    DECISION_PERSONAL_FIELDS,
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
    RemovalEvidence,
    retention_purge,
)
from moderation.selectors import AMENDABLE_FIELDS, removal_current

logger = logging.getLogger(__name__)

# Longest comment snapshot accepted. Platform comments are far shorter (Facebook
# about 8,000 characters, YouTube 10,000); a longer paste is a mistake.
COMMENT_TEXT_MAX_CHARS = 20_000
# "A few sentences" (issue #5): the reasoning must be more than a word or two.
REASONING_MIN_CHARS = 20
TEXT_FIELD_MAX_CHARS = 10_000
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Clocks on phones drift; a removal "now" may read a minute or two ahead.
CLOCK_SKEW = timedelta(minutes=5)

PERSONAL_AMENDABLE = {"comment_url", "author_name", "author_handle"}
TOLD_WAYS = {
    RemovalDecision.NotifiedVia.REPLY,
    RemovalDecision.NotifiedVia.MESSAGE,
    RemovalDecision.NotifiedVia.EMAIL,
    RemovalDecision.NotifiedVia.LETTER,
    RemovalDecision.NotifiedVia.OTHER,
}


def comment_id_from_url(url: str) -> str:
    """Return the platform's comment id found in a comment URL, or ''.

    Facebook puts it in ``comment_id`` / ``reply_comment_id``; most other platforms
    end the path with it (X ``/status/<id>``, Instagram ``/c/<id>``, YouTube
    ``lc=<id>``).
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("reply_comment_id", "comment_id", "lc", "commentId"):
        if query.get(key):
            return query[key][0][:200]
    segments = [s for s in parts.path.split("/") if s]
    if segments and re.fullmatch(r"[A-Za-z0-9_-]{4,200}", segments[-1]):
        return segments[-1]
    return ""


def _can_act_for(user: Any, account: Account) -> bool:
    return bool(user and user.is_authenticated) and user_manages_account(
        user=user, account=account
    )


def _check_url(url: str, account: Account, errors: dict[str, list[str]]) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors.setdefault("comment_url", []).append(
            "Enter the full address of the comment, starting with https://."
        )
        return
    if not account.platform.matches_url(url):
        host = urlsplit(url).hostname or url
        errors.setdefault("comment_url", []).append(
            f"This address is on {host}, not on {account.platform.name}, the "
            f"platform of {account.handle}. Paste the address of the comment on "
            "that account."
        )


def _check_times(
    posted_at: datetime | None,
    removed_at: datetime | None,
    errors: dict[str, list[str]],
) -> None:
    latest = clock.now() + CLOCK_SKEW
    if posted_at is None:
        errors.setdefault("posted_at", []).append("Enter when the comment was posted.")
    elif posted_at > latest:
        errors.setdefault("posted_at", []).append(
            "The comment cannot have been posted in the future."
        )
    if removed_at is None:
        errors.setdefault("removed_at", []).append("Enter when it was removed.")
    elif removed_at > latest:
        errors.setdefault("removed_at", []).append(
            "The removal time is in the future; enter when it was removed."
        )
    if posted_at and removed_at and removed_at < posted_at:
        errors.setdefault("removed_at", []).append(
            "The comment was removed before it was posted; check both times."
        )


def _check_categories(
    categories: list[RemovalCategory], link: str, errors: dict[str, list[str]]
) -> None:
    if not categories:
        # P21: a removal with no category is not a valid removal.
        errors.setdefault("categories", []).append(
            "Tick at least one category: the policy allows a removal only for one "
            "of the eight reasons (P21)."
        )
    if any(c.number == RemovalCategory.LINKS for c in categories):
        if not link.strip():
            errors.setdefault("link_to_material", []).append(
                "Category 8 (links) needs the address the comment linked to."
            )
        else:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                errors.setdefault("link_to_material", []).append(
                    "Enter the full address the comment linked to, starting with "
                    "http:// or https://."
                )


def _check_text(
    name: str, value: str, errors: dict[str, list[str]], *, label: str
) -> None:
    if not value.strip():
        errors.setdefault(name, []).append(f"Enter the {label}.")
    elif len(value) > TEXT_FIELD_MAX_CHARS:
        errors.setdefault(name, []).append(
            f"The {label} is {len(value):,} characters; keep it under "
            f"{TEXT_FIELD_MAX_CHARS:,}."
        )


def _check_reasoning(value: str, errors: dict[str, list[str]]) -> None:
    _check_text("reasoning", value, errors, label="reasoning")
    if value.strip() and len(value.strip()) < REASONING_MIN_CHARS:
        errors.setdefault("reasoning", []).append(
            "Explain in a sentence or two why the comment falls into the "
            "categories ticked."
        )


def _check_evidence(file: IO[bytes] | None, errors: dict[str, list[str]]) -> str:
    if file is None:
        return ""
    try:
        return uploads.validate_upload(
            file, kinds=uploads.IMAGE_OR_PDF, max_bytes=EVIDENCE_MAX_BYTES
        )
    except ValidationError as exc:
        errors.setdefault("evidence", []).extend(
            f"Screenshot: {message}" for message in exc.messages
        )
        return ""


def _store_evidence(
    *,
    decision: RemovalDecision,
    file: Any,
    kind: str,
    by: Any,
    amendment: RemovalAmendment | None = None,
) -> RemovalEvidence:
    evidence = RemovalEvidence(
        decision=decision,
        amendment=amendment,
        original_name=(getattr(file, "name", "") or "")[-255:],
        kind=kind,
        size=file.size,
        sha256=uploads.sha256_of(file),
        added_by=by,
        added_at=clock.now(),
    )
    evidence.file.save("evidence", file, save=False)
    evidence.save()
    return evidence


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
    if not _can_act_for(by, account):
        raise RemovalNotPermitted(
            f"You do not manage {account.handle} on {account.platform.name}; only "
            "its social media managers or the City Administrator may log removals "
            "for it."
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
        raise RemovalValidationError(errors)

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
    try:
        decision.full_clean()
    except ValidationError as exc:
        raise RemovalValidationError(exc.message_dict) from exc
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


def _normalise_new_value(
    decision: RemovalDecision, field: str, value: Any, errors: dict[str, list[str]]
) -> Any:
    current = removal_current(decision)
    if field == "categories":
        numbers = sorted(
            {int(getattr(v, "number", v)) for v in (value or [])}  # type: ignore[arg-type]
        )
        found = list(RemovalCategory.objects.filter(number__in=numbers))
        if len(found) != len(numbers):
            errors.setdefault("value", []).append("Choose categories 1 to 8 only.")
        _check_categories(found, current["link_to_material"] or "", errors)
        return numbers
    if field in ("posted_at", "removed_at"):
        if not isinstance(value, datetime):
            errors.setdefault("value", []).append("Enter a date and time.")
            return value
        posted = value if field == "posted_at" else current["posted_at"]
        removed = value if field == "removed_at" else current["removed_at"]
        _check_times(posted, removed, errors)
        return value
    value = "" if value is None else str(value).strip()
    if field == "comment_url":
        _check_url(value, decision.account, errors)
    elif field == "link_to_material":
        if RemovalCategory.LINKS in current["categories"]:
            _check_categories(
                list(RemovalCategory.objects.filter(number=RemovalCategory.LINKS)),
                value,
                errors,
            )
        elif value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                errors.setdefault("value", []).append("Enter a full address.")
    elif field == "reasoning":
        _check_reasoning(value, errors)
    elif field == "facts":
        _check_text("value", value, errors, label="facts relied on")
    elif field == "platform_action":
        if value not in RemovalDecision.PlatformAction.values:
            errors.setdefault("value", []).append("Choose hidden or deleted.")
    elif field == "classification":
        if value not in DataClassification.values:
            errors.setdefault("value", []).append("Choose a classification.")
    elif field in ("comment_id", "author_name") and not value:
        errors.setdefault("value", []).append("This cannot be empty.")
    return value


@transaction.atomic
def removal_amend(
    *,
    decision: RemovalDecision,
    by: Any,
    field: str,
    value: Any,
    reason: str,
) -> RemovalAmendment:
    """Append a correction of ``field`` to ``value`` (who, when, what, why).

    The decision row is untouched; ``moderation.selectors.removal_current`` shows
    the corrected values. ``categories`` takes a list of category numbers (or
    ``RemovalCategory`` objects); ``posted_at``/``removed_at`` aware datetimes.
    Amendable fields: ``moderation.selectors.AMENDABLE_FIELDS``.
    """
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    if not _can_act_for(by, decision.account):
        raise RemovalNotPermitted(
            "Only the account's social media managers or the City Administrator "
            "may correct this removal."
        )
    errors: dict[str, list[str]] = {}
    if field not in AMENDABLE_FIELDS:
        errors["field"] = [
            "This part of the record cannot be corrected"
            + (
                " (the comment snapshot and evidence stand as captured)."
                if field in ("comment_text", "evidence")
                else "."
            )
        ]
        raise RemovalValidationError(errors)
    if not reason.strip():
        errors.setdefault("reason", []).append("Say why the record is being corrected.")
    new_value = _normalise_new_value(decision, field, value, errors)
    old_value = removal_current(decision)[field]
    if not errors and audit.jsonable(old_value) == audit.jsonable(new_value):
        errors.setdefault("value", []).append("This is already the recorded value.")
    if errors:
        raise RemovalValidationError(errors)
    amendment = RemovalAmendment.objects.create(
        decision=decision,
        kind=RemovalAmendment.Kind.CORRECTION,
        field=field,
        old_value=audit.jsonable(old_value),
        new_value=audit.jsonable(new_value),
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    personal = field in PERSONAL_AMENDABLE
    audit.record_event(
        action="moderation.removal.corrected",
        target=decision,
        actor=by,
        data={
            "amendment": amendment.pk,
            "field": field,
            **({} if personal else {"changes": {field: [old_value, new_value]}}),
        },
        personal={"changes": {field: [old_value, new_value]}} if personal else None,
        reason=reason.strip(),
    )
    return amendment


@transaction.atomic
def removal_notify_author(
    *,
    decision: RemovalDecision,
    by: Any,
    via: str,
    text: str = "",
    notified_at: datetime | None = None,
) -> RemovalAmendment:
    """Record that the author was told of the removal (how, when, the text sent)."""
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    if not _can_act_for(by, decision.account):
        raise RemovalNotPermitted(
            "Only the account's social media managers or the City Administrator "
            "may record this."
        )
    errors: dict[str, list[str]] = {}
    if via not in TOLD_WAYS | {RemovalDecision.NotifiedVia.UNREACHABLE}:
        errors["via"] = ["Choose how the author was told."]
    if via in TOLD_WAYS and not text.strip():
        errors["text"] = ["Paste the text you sent to the author."]
    when = notified_at or clock.now()
    if when > clock.now() + CLOCK_SKEW:
        errors["notified_at"] = ["The author cannot have been told in the future."]
    if errors:
        raise RemovalValidationError(errors)
    label = RemovalDecision.NotifiedVia(via).label
    amendment = RemovalAmendment.objects.create(
        decision=decision,
        kind=RemovalAmendment.Kind.AUTHOR_NOTIFIED,
        notified_via=via,
        notified_at=when,
        notification_text=text.strip(),
        reason=f"Author told: {label}.",
        made_by=by,
        made_at=clock.now(),
    )
    audit.record_event(
        action="moderation.removal.author_told",
        target=decision,
        actor=by,
        data={"amendment": amendment.pk, "via": via, "notified_at": when},
        personal={"notification_text": text.strip()} if text.strip() else None,
    )
    return amendment


@transaction.atomic
def removal_add_evidence(
    *, decision: RemovalDecision, by: Any, file: Any, reason: str
) -> RemovalAmendment:
    """Attach a screenshot or PDF after the decision was logged."""
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    if not _can_act_for(by, decision.account):
        raise RemovalNotPermitted(
            "Only the account's social media managers or the City Administrator "
            "may add evidence."
        )
    errors: dict[str, list[str]] = {}
    if file is None:
        errors["evidence"] = ["Choose a screenshot or PDF."]
    kind = _check_evidence(file, errors)
    if not reason.strip():
        errors["reason"] = ["Say what the evidence shows and why it is added now."]
    if errors:
        raise RemovalValidationError(errors)
    amendment = RemovalAmendment.objects.create(
        decision=decision,
        kind=RemovalAmendment.Kind.EVIDENCE_ADDED,
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    evidence = _store_evidence(
        decision=decision, file=file, kind=kind, by=by, amendment=amendment
    )
    audit.record_event(
        action="moderation.removal.evidence_added",
        target=decision,
        actor=by,
        data={
            "amendment": amendment.pk,
            "evidence": evidence.pk,
            "sha256": evidence.sha256,
            "kind": kind,
            "size": evidence.size,
        },
        reason=reason.strip(),
    )
    return amendment


@transaction.atomic
def removal_restore(
    *, decision: RemovalDecision, by: Any, reason: str, appeal: Any = None
) -> RemovalAmendment:
    """Record that the removed comment was restored (P22), usually after an appeal.

    Appends a ``restoration`` amendment; a decision is restored at most once. With
    ``appeal`` the appeals service has already checked who may decide it; without
    one, ``by`` must manage the account or be the City Administrator.
    """
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    if appeal is None and not _can_act_for(by, decision.account):
        raise RemovalNotPermitted(
            "Only the account's social media managers or the City Administrator "
            "may restore this comment without an appeal."
        )
    if decision.amendments.filter(kind=RemovalAmendment.Kind.RESTORATION).exists():
        raise RemovalAlreadyRestored(
            {"decision": [f"{decision} was already restored."]}
        )
    if not reason.strip():
        raise RemovalValidationError(
            {"reason": ["Say why the comment is being restored."]}
        )
    amendment = RemovalAmendment.objects.create(
        decision=decision,
        kind=RemovalAmendment.Kind.RESTORATION,
        appeal_id=getattr(appeal, "pk", None),
        appeal_reference=str(appeal)[:40] if appeal is not None else "",
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    audit.record_event(
        action="moderation.removal.restored",
        target=decision,
        actor=by,
        data={
            "amendment": amendment.pk,
            "appeal": getattr(appeal, "pk", None),
            "appeal_reference": amendment.appeal_reference,
        },
        reason=reason.strip(),
    )
    return amendment


def _ids(decisions: Iterable[Any] | QuerySet[RemovalDecision]) -> list[int]:
    return [d.pk if isinstance(d, RemovalDecision) else int(d) for d in decisions]


def _delete_files(ids: list[int]) -> int:
    deleted = 0
    for evidence in RemovalEvidence.objects.filter(decision_id__in=ids).exclude(
        file=""
    ):
        if not evidence.file.name:
            continue
        try:
            evidence.file.storage.delete(evidence.file.name)
            deleted += 1
        except OSError:
            logger.exception("Could not delete evidence file %s", evidence.pk)
    return deleted


@transaction.atomic
def removal_redact(*, decisions: Iterable[Any], run_label: str = "") -> int:
    """Clear the personal data of these decisions (retention, R2, R4): author,
    comment text and URL, texts sent, evidence files and corrected personal values.

    The record of the decision (account, categories, reasoning, dates) remains.
    Only for the retention purge; returns the number of decisions redacted.
    """
    ids = _ids(decisions)
    if not ids:
        return 0
    now = clock.now()
    with retention_purge():
        _delete_files(ids)
        RemovalEvidence.objects.filter(decision_id__in=ids).update(
            file="", original_name="", redacted_at=now
        )
        RemovalAmendment.objects.filter(
            decision_id__in=ids, field__in=PERSONAL_AMENDABLE
        ).update(old_value=None, new_value=None, redacted_at=now)
        RemovalAmendment.objects.filter(decision_id__in=ids).exclude(
            notification_text=""
        ).update(notification_text="", redacted_at=now)
        count = RemovalDecision.objects.filter(pk__in=ids).update(
            author_name="",
            author_handle="",
            comment_url="",
            comment_text="",
            notification_text="",
            redacted_at=now,
        )
    audit.redact_personal(model=RemovalDecision, ids=ids, run_label=run_label)
    return count


@transaction.atomic
def removal_purge(*, decisions: Iterable[Any], run_label: str = "") -> int:
    """Destroy these decisions with their categories, amendments and evidence files
    (retention, R2). Their audit events stay, with personal data redacted (R4).

    Appeals that point at a decision must be destroyed first (they protect it).
    Only for the retention purge; returns the number of decisions destroyed.
    """
    ids = _ids(decisions)
    if not ids:
        return 0
    with retention_purge():
        _delete_files(ids)
        RemovalEvidence.objects.filter(decision_id__in=ids).delete()
        RemovalAmendment.objects.filter(decision_id__in=ids).delete()
        RemovalDecisionCategory.objects.filter(decision_id__in=ids).delete()
        _total, per_model = RemovalDecision.objects.filter(pk__in=ids).delete()
    count = per_model.get(RemovalDecision._meta.label, 0)
    audit.redact_personal(model=RemovalDecision, ids=ids, run_label=run_label)
    return count
