"""Read queries about the notice and policy versions, used in more than one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from accounts.models import User
from accounts.selectors import city_profile_get, staff_with_current_access
from core.exceptions import MissingRecord
from notices.content import BUILDERS, Document
from notices.models import DocumentVersion, PolicyAcknowledgment
from notices.sources import removal_categories


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
        DocumentVersion.objects.public().defer("sections").order_by("kind", "-number")
    )


def document_sections() -> list[tuple[str, str]]:
    """Return ``(anchor, title)`` for every section of the live policy and notice.

    Used by the legality-challenge form (P23: anyone may challenge any part of the
    policy or the notice) for its "which part" choices. Anchors are stable across
    versions and unique across both documents; titles read e.g.
    "Policy 10. Comments from the public".
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


def document_generate(*, kind: str) -> Document:
    """Return the text of ``kind`` as the current profile and categories make it.

    Raise ``MissingRecord`` before the city has filled in its profile.
    """
    if kind not in BUILDERS:
        raise ValueError(f"Unknown document kind: {kind!r}")
    profile = city_profile_get()
    if profile is None:
        raise MissingRecord(
            "Fill in the city profile first: the notice and the policy are "
            "written from it."
        )
    return BUILDERS[kind](profile=profile, categories=removal_categories())


@dataclass(frozen=True)
class DocumentStatus:
    """Where one document stands: live, draft, and what the profile now generates."""

    kind: str
    label: str
    live: DocumentVersion | None
    draft: DocumentVersion | None
    generated: Document | None
    generated_hash: str
    problem: str = ""

    @property
    def draft_is_current(self) -> bool:
        return self.draft is not None and self.draft.content_hash == self.generated_hash

    @property
    def live_is_current(self) -> bool:
        return self.live is not None and self.live.content_hash == self.generated_hash

    @property
    def needs_draft(self) -> bool:
        """True when the profile or wording changed and no draft holds the change."""
        return bool(self.generated_hash) and not (
            self.draft_is_current or (self.live_is_current and self.draft is None)
        )

    @property
    def needs_attention(self) -> bool:
        return self.needs_draft or self.draft is not None


def document_status(*, kind: str) -> DocumentStatus:
    """Return the live version, the draft and the freshly generated text of ``kind``."""
    live = document_version_live(kind=kind)
    draft = document_version_draft(kind=kind)
    label = DocumentVersion.Kind(kind).label
    try:
        generated = document_generate(kind=kind)
    except MissingRecord as error:
        return DocumentStatus(kind, label, live, draft, None, "", str(error))
    return DocumentStatus(
        kind,
        label,
        live,
        draft,
        generated,
        DocumentVersion.hash_content(generated.title, generated.sections),
    )


# --- policy acknowledgments (P16-P18) ----------------------------------------------


def policy_acknowledgment_of(
    *, person: Any, version: DocumentVersion | None
) -> PolicyAcknowledgment | None:
    """Return ``person``'s acknowledgment of ``version``, if they gave one."""
    if version is None or not person.is_authenticated:
        return None
    return PolicyAcknowledgment.objects.filter(person=person, version=version).first()


def policy_acknowledgment_due(*, person: Any) -> DocumentVersion | None:
    """Return the live policy version ``person`` is asked to acknowledge: they
    hold current access to an account (P11) and have not acknowledged it yet."""
    if not person.is_authenticated:
        return None
    if not staff_with_current_access().filter(pk=person.pk).exists():
        return None
    live = document_version_live(kind=DocumentVersion.Kind.POLICY)
    if live is None or policy_acknowledgment_of(person=person, version=live):
        return None
    return live


@dataclass(frozen=True)
class AcknowledgmentRow:
    """One person who is asked to acknowledge the live policy, and whether (and
    when) they did, with the last version they acknowledged before."""

    person: User
    acknowledged: PolicyAcknowledgment | None
    previous: PolicyAcknowledgment | None


def policy_acknowledgment_table(*, version: DocumentVersion) -> list[AcknowledgmentRow]:
    """Return, for everyone with current access (the people asked), their
    acknowledgment of ``version`` and their latest one of an earlier version;
    those who have not acknowledged ``version`` first."""
    people = list(staff_with_current_access())
    acknowledgments = PolicyAcknowledgment.objects.filter(
        person__in=people
    ).select_related("version")
    mine: dict[int, PolicyAcknowledgment] = {}
    previous: dict[int, PolicyAcknowledgment] = {}
    for ack in acknowledgments.order_by("acknowledged_at", "pk"):
        if ack.version_id == version.pk:
            mine[ack.person_id] = ack
        else:
            previous[ack.person_id] = ack  # the latest wins (ordered by time)
    rows = [
        AcknowledgmentRow(
            person=p, acknowledged=mine.get(p.pk), previous=previous.get(p.pk)
        )
        for p in people
    ]
    return sorted(rows, key=lambda row: row.acknowledged is not None)


def policy_acknowledgment_counts() -> list[tuple[DocumentVersion, int]]:
    """Return every public policy version, newest first, with how many people
    acknowledged it."""
    versions = (
        DocumentVersion.objects.public()
        .filter(kind=DocumentVersion.Kind.POLICY)
        .defer("sections")
        .annotate(acknowledged=Count("acknowledgments"))
        .order_by("-number")
    )
    return [(v, getattr(v, "acknowledged", 0)) for v in versions]
