"""Redaction and destruction of removal decisions: only for the retention purge
(R2, R4), inside the one escape from immutability
(``core.immutable.retention_purge``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from core import audit, clock
from core.files import file_delete_after_commit
from core.immutable import retention_purge
from moderation.models import (
    RemovalAmendment,
    RemovalDecision,
    RemovalDecisionCategory,
    RemovalEvidence,
    RestorationTask,
)
from moderation.services._base import PERSONAL_AMENDABLE


def _ids(decisions: Iterable[Any] | QuerySet[RemovalDecision]) -> list[int]:
    return [d.pk if isinstance(d, RemovalDecision) else int(d) for d in decisions]


def _delete_files_after_commit(ids: list[int]) -> None:
    """Have the evidence files of these decisions deleted once the destruction
    commits (core.files): a rolled-back batch keeps its files (R3, R4)."""
    file_delete_after_commit(
        names=RemovalEvidence.objects.filter(decision_id__in=ids)
        .exclude(file="")
        .values_list("file", flat=True)
    )


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
        _delete_files_after_commit(ids)
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
    """Destroy these decisions with their categories, amendments, restoration
    tasks and evidence files (retention, R2). Their audit events stay, with
    personal data redacted (R4).

    Appeals that point at a decision must be destroyed first (they protect it).
    Only for the retention purge; returns the number of decisions destroyed.
    """
    ids = _ids(decisions)
    if not ids:
        return 0
    with retention_purge():
        _delete_files_after_commit(ids)
        RemovalEvidence.objects.filter(decision_id__in=ids).delete()
        RemovalAmendment.objects.filter(decision_id__in=ids).delete()
        RestorationTask.objects.filter(decision_id__in=ids).delete()
        RemovalDecisionCategory.objects.filter(decision_id__in=ids).delete()
        _total, per_model = RemovalDecision.objects.filter(pk__in=ids).delete()
        audit.redact_personal(model=RemovalDecision, ids=ids, run_label=run_label)
    return per_model.get(RemovalDecision._meta.label, 0)
