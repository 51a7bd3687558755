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
from moderation.exceptions import (
    RemovalAlreadyRestored,
    RemovalNotPermitted,
    RemovalValidationError,
)
from moderation.models import RemovalAmendment, RemovalCategory, RemovalDecision
from moderation.selectors import AMENDABLE_FIELDS, removal_current
from moderation.services._base import (
    CLOCK_SKEW,
    PERSONAL_AMENDABLE,
    TOLD_WAYS,
    _can_act_for,
    _check_categories,
    _check_reasoning,
    _check_text,
    _check_times,
    _check_url,
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
    removed_at = removal_current(decision)["removed_at"]
    if when > clock.now() + CLOCK_SKEW:
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
