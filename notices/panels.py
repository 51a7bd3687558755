"""The staff dashboard panels of the notices app."""

from __future__ import annotations

from django.http import HttpRequest

from core.dashboard import Panel
from notices.selectors import (
    document_status,
    document_version_live,
    policy_acknowledgment_due,
    policy_acknowledgment_table,
)


def notices_panel(request: HttpRequest) -> Panel | None:
    """For whoever publishes: the live versions, whether the profile changed since
    (then the panel asks for a review), and who has acknowledged the live policy."""
    if not request.user.has_perm("notices.publish_documentversion"):
        return None
    statuses = [document_status(kind=kind) for kind in ("notice", "policy")]
    policy = document_version_live(kind="policy")
    rows = policy_acknowledgment_table(version=policy) if policy else []
    return Panel(
        title="Public notice and policy",
        template="notices/panels/status.html",
        context={
            "statuses": statuses,
            "policy": policy,
            "asked": len(rows),
            "acknowledged": sum(1 for row in rows if row.acknowledged),
        },
        order=40,
        alert=any(s.needs_attention or s.live is None for s in statuses),
    )


def policy_acknowledgment_panel(request: HttpRequest) -> Panel | None:
    """For a person with current access to an account (P11): acknowledge the live
    policy version, until they have (P16-P18)."""
    version = policy_acknowledgment_due(person=request.user)
    if version is None:
        return None
    return Panel(
        title=f"Acknowledge the social media policy (version {version.number})",
        template="notices/panels/acknowledge.html",
        context={"version": version},
        order=5,
        alert=True,
    )
