"""Screenshots and PDFs of removed comments: checked by content and size before
they are stored, attached when a removal is logged or appended later."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit, clock, uploads
from moderation.models import RemovalAmendment, RemovalDecision, RemovalEvidence
from moderation.services._base import require_for_account

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


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


@transaction.atomic
def removal_add_evidence(
    *, decision: RemovalDecision, by: Any, file: Any, reason: str
) -> RemovalAmendment:
    """Attach a screenshot or PDF after the decision was logged."""
    decision = RemovalDecision.objects.select_for_update().get(pk=decision.pk)
    require_for_account(
        by, "moderation.add_removalevidence", decision.account, doing="add evidence"
    )
    errors: dict[str, list[str]] = {}
    if file is None:
        errors["evidence"] = ["Choose a screenshot or PDF."]
    kind = _check_evidence(file, errors)
    if not reason.strip():
        errors["reason"] = ["Say what the evidence shows and why it is added now."]
    if errors:
        raise ValidationError(errors)
    amendment = RemovalAmendment(
        decision=decision,
        kind=RemovalAmendment.Kind.EVIDENCE_ADDED,
        reason=reason.strip(),
        made_by=by,
        made_at=clock.now(),
    )
    amendment.full_clean()
    amendment.save()
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
