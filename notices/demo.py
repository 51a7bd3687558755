"""Demo data for the notices app: publish the first notice and policy (issue #8)."""

from typing import Any

from notices.models import DocumentVersion
from notices.selectors import document_version_live
from notices.services import document_draft_prepare, document_publish


def seed(ctx: dict[str, Any]) -> None:
    """Publish version 1 of each document for the demo city, once."""
    clerk = ctx["users"]["clerk"]
    for kind in DocumentVersion.Kind.values:
        if document_version_live(kind=kind) is not None:
            continue
        draft = document_draft_prepare(kind=kind, by=clerk)
        if draft is not None:
            document_publish(
                kind=kind,
                by=clerk,
                number=draft.number,
                content_hash=draft.content_hash,
            )
