"""Read queries about the notice and policy versions, used in more than one place."""

from __future__ import annotations

from notices.models import DocumentVersion


def document_version_live(*, kind: str) -> DocumentVersion | None:
    """Return the published (live) version of ``kind`` ("notice" or "policy")."""
    return (
        DocumentVersion.objects.live()
        .filter(kind=kind)
        .select_related("published_by")
        .first()
    )


def document_version_draft(*, kind: str) -> DocumentVersion | None:
    """Return the draft of ``kind`` waiting for review, if any."""
    return (
        DocumentVersion.objects.filter(kind=kind, status=DocumentVersion.Status.DRAFT)
        .select_related("created_by")
        .first()
    )


def document_version_get(*, kind: str, number: int) -> DocumentVersion | None:
    """Return the public (published or superseded) version ``number`` of ``kind``."""
    return (
        DocumentVersion.objects.public()
        .filter(kind=kind, number=number)
        .select_related("published_by")
        .first()
    )


def document_version_history() -> list[DocumentVersion]:
    """Return every public version, notice first, newest first within each kind."""
    return list(
        DocumentVersion.objects.public()
        .select_related("published_by")
        .order_by("kind", "-number")
    )


def document_sections() -> list[tuple[str, str]]:
    """Return ``(anchor, title)`` for every section of the live policy and notice.

    Used by the legality-challenge form (P23: anyone may challenge any part of the
    policy or the notice) for its "which part" choices. Anchors are stable across
    versions; titles read e.g. "Policy 12. Removing comments".
    """
    choices: list[tuple[str, str]] = []
    for kind, label in (
        (DocumentVersion.Kind.POLICY, "Policy"),
        (DocumentVersion.Kind.NOTICE, "Notice"),
    ):
        version = document_version_live(kind=kind)
        if version is None:
            continue
        for section in version.sections:
            choices.append(
                (section["anchor"], f"{label} {section['number']}. {section['title']}")
            )
    return choices
