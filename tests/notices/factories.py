"""Helpers that put notice and policy versions in the states the tests need."""

from __future__ import annotations

from typing import Any

from notices.models import DocumentVersion
from notices.services import document_draft_prepare, document_publish


def publish_current(*, kind: str, by: Any) -> DocumentVersion:
    """Prepare a draft of ``kind`` from the current profile and publish it."""
    draft = document_draft_prepare(kind=kind, by=by)
    assert draft is not None, "the live version already matches the profile"
    return document_publish(
        kind=kind, by=by, number=draft.number, content_hash=draft.content_hash
    )


def publish_both(*, by: Any) -> dict[str, DocumentVersion]:
    return {kind: publish_current(kind=kind, by=by) for kind in ("notice", "policy")}
