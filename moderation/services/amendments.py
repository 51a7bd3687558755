"""What is appended to a logged removal, never edited into it (P20 spirit):
corrections, the telling of the author, and the restoration of the comment (P22)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from core import audit, clock
from core.classification import DataClassification
from core.exceptions import DomainError, InvalidTransition
from moderation.models import RemovalAmendment, RemovalCategory, RemovalDecision
from moderation.selectors import AMENDABLE_FIELDS, removal_current
from moderation.services._base import (
    PERSONAL_AMENDABLE,
    TOLD_WAYS,
    _check_categories,
    _check_reasoning,
    _check_text,
    _check_times,
    _check_url,
    require_for_account,
)


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
    # A correction holds to the same limits as the record it corrects (the log
    # form's): a 50,000-character "author's name" is a paste gone wrong.
    limit = getattr(RemovalDecision._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        errors.setdefault("value", []).append(
            f"This is {len(value):,} characters; the record holds at most "
            f"{limit:,} here."
        )
        return value
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
    require_for_account(
        by,
        "moderation.add_removalamendment",
        decision.account,
        doing="correct removals",
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
        raise ValidationError(errors)
    if not reason.strip():
        errors.setdefault("reason", []).append("Say why the record is being corrected.")
    new_value = _normalise_new_value(decision, field, value, errors)
    old_value = removal_current(decision)[field]
    if not errors and audit.jsonable(old_value) == audit.jsonable(new_value):
        errors.setdefault("value", []).append("This is already the recorded value.")
    if errors:
        raise ValidationError(errors)
    amendment = RemovalAmendment(
        decision=decision,
        kind=RemovalAmendment.Kind.CORRECTION,
        field=field,
        old_value=audit.jsonable(old_value),
        new_value=audit.jsonable(new_value),
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    amendment.full_clean()
    amendment.save()
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
    require_for_account(
        by,
        "moderation.add_removalamendment",
        decision.account,
        doing="record that the author was told",
    )
    errors: dict[str, list[str]] = {}
    if via not in TOLD_WAYS | {RemovalDecision.NotifiedVia.UNREACHABLE}:
        errors["via"] = ["Choose how the author was told."]
    if via in TOLD_WAYS and not text.strip():
        errors["text"] = ["Paste the text you sent to the author."]
    when = notified_at or clock.now()
    removed_at = removal_current(decision)["removed_at"]
    if when > clock.latest_plausible():
        errors["notified_at"] = ["The author cannot have been told in the future."]
    elif when < removed_at:
        # N6, P22: the author is told of a removal, so after it; a date before it
        # (e.g. 0001-01-01, or a year typed wrong) would stand in the record.
        errors["notified_at"] = [
            "The author cannot have been told before the comment was removed "
            f"({clock.moment_text(removed_at)}); check the date, or correct the "
            "removal time first."
        ]
    if errors:
        raise ValidationError(errors)
    label = RemovalDecision.NotifiedVia(via).label
    amendment = RemovalAmendment(
        decision=decision,
        kind=RemovalAmendment.Kind.AUTHOR_NOTIFIED,
        notified_via=via,
        notified_at=when,
        notification_text=text.strip(),
        reason=f"Author told: {label}.",
        made_by=by,
        made_at=clock.now(),
    )
    amendment.full_clean()
    amendment.save()
    audit.record_event(
        action="moderation.removal.author_told",
        target=decision,
        actor=by,
        data={"amendment": amendment.pk, "via": via, "notified_at": when},
        personal={"notification_text": text.strip()} if text.strip() else None,
    )
    return amendment


def require_restoration_reason(reason: str) -> None:
    """Refuse a restoration recorded without why (P22: the record says it)."""
    if not reason.strip():
        raise DomainError("Say why the comment is being restored.", field="reason")


def record_restoration(
    *,
    decision: RemovalDecision,
    by: Any,
    reason: str,
    appeal_id: int | None = None,
    appeal_reference: str = "",
    task_id: int | None = None,
) -> RemovalAmendment:
    """Append the ``restoration`` amendment and its audit event; the callers
    check who may (inside their transaction, the decision locked)."""
    if decision.amendments.filter(kind=RemovalAmendment.Kind.RESTORATION).exists():
        raise InvalidTransition(f"{decision} was already restored.")
    require_restoration_reason(reason)
    amendment = RemovalAmendment(
        decision=decision,
        kind=RemovalAmendment.Kind.RESTORATION,
        appeal_id=appeal_id,
        appeal_reference=appeal_reference[:40],
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    amendment.full_clean()
    amendment.save()
    audit.record_event(
        action="moderation.removal.restored",
        target=decision,
        actor=by,
        data={
            "amendment": amendment.pk,
            "appeal": appeal_id,
            "appeal_reference": amendment.appeal_reference,
            **({"restoration_task": task_id} if task_id else {}),
        },
        reason=reason.strip(),
    )
    return amendment
