"""Demo data for the notices app: publish the first notice and policy, and one
manager's acknowledgment of it (the other is asked on their dashboard)."""

from typing import Any

from notices.models import DocumentVersion
from notices.selectors import document_version_live, policy_acknowledgment_of
from notices.services import (
    document_draft_prepare,
    document_publish,
    policy_acknowledge,
)


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
    policy = document_version_live(kind="policy")
    manager = ctx["users"].get("manager")
    if (
        manager is not None
        and policy is not None
        and not policy_acknowledgment_of(person=manager, version=policy)
    ):
        policy_acknowledge(version=policy, by=manager)
