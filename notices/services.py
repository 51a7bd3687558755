"""State changes of the notice and policy versions (P15, P23, N1-N9), and each
person's acknowledgment of the policy's versions (P16-P18).

How a draft comes to exist: the text is always generated from the city profile and
the removal categories (``notices.content``). The review page and the dashboard
panel regenerate it on every view and compare it with the live version and the
saved draft (``notices.selectors.document_status``); when they differ, the City
Administrator prepares a draft (``document_draft_prepare``), reads the difference
against the live version, and publishes it (``document_publish``). Publishing
refuses a draft that is out of date with the profile, or that changed after the
page the administrator reviewed was shown, so what is published is exactly what was
reviewed and what the profile says. Nothing is generated in the background and no
signal hooks into the profile: a profile edit is picked up the next time the
dashboard or the review page is opened.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from core import clock
from core.audit import record_event
from core.exceptions import InvalidTransition, ensure_status
from core.permissions import require
from notices.content import GENERATOR_VERSION
from notices.models import DocumentVersion, PolicyAcknowledgment
from notices.selectors import document_generate

PERM_PUBLISH = "notices.publish_documentversion"


def _require_publisher(user: Any) -> None:
    require(user, PERM_PUBLISH, doing="prepare or publish the notice and the policy")


def _locked(kind: str) -> tuple[DocumentVersion | None, DocumentVersion | None]:
    """Lock and return (live, draft) of ``kind`` for the rest of the transaction."""
    rows = list(
        DocumentVersion.objects.select_for_update()
        .filter(
            kind=kind,
            status__in=(DocumentVersion.Status.PUBLISHED, DocumentVersion.Status.DRAFT),
        )
        .order_by("number")
    )
    live = next((v for v in rows if v.status == DocumentVersion.Status.PUBLISHED), None)
    draft = next((v for v in rows if v.status == DocumentVersion.Status.DRAFT), None)
    return live, draft


@transaction.atomic
def document_draft_prepare(*, kind: str, by: Any) -> DocumentVersion | None:
    """Create or refresh the draft of ``kind`` from the current profile.

    Return the draft, or None when the generated text equals the live version (a
    stale draft is then discarded: there is nothing to review).
    """
    _require_publisher(by)
    document = document_generate(kind=kind)
    content_hash = DocumentVersion.hash_content(document.title, document.sections)
    live, draft = _locked(kind)
    if live is not None and live.content_hash == content_hash:
        if draft is not None:
            _discard(draft, by=by, reason="The text again matches the live version.")
        return None
    if draft is not None:
        if draft.content_hash == content_hash:
            return draft
        before = draft.content_hash
        draft.title = document.title
        draft.sections = document.sections
        draft.content_hash = content_hash
        draft.generator_version = GENERATOR_VERSION
        draft.created_at = clock.now()
        draft.created_by = by
        draft.full_clean()
        draft.save()
        record_event(
            action="notices.draft_refreshed",
            target=draft,
            actor=by,
            data={
                "kind": kind,
                "number": draft.number,
                "changes": {"content_hash": [before, content_hash]},
            },
        )
        return draft
    last = DocumentVersion.objects.filter(kind=kind).aggregate(n=Max("number"))["n"]
    draft = DocumentVersion(
        kind=kind,
        number=(last or 0) + 1,
        status=DocumentVersion.Status.DRAFT,
        title=document.title,
        sections=document.sections,
        content_hash=content_hash,
        generator_version=GENERATOR_VERSION,
        created_by=by,
    )
    draft.full_clean()
    draft.save()
    record_event(
        action="notices.draft_created",
        target=draft,
        actor=by,
        data={
            "kind": kind,
            "number": draft.number,
            "content_hash": content_hash,
            "live_number": live.number if live else None,
        },
    )
    return draft


def _discard(draft: DocumentVersion, *, by: Any, reason: str) -> None:
    record_event(
        action="notices.draft_discarded",
        target=draft,
        actor=by,
        data={
            "kind": draft.kind,
            "number": draft.number,
            "content_hash": draft.content_hash,
        },
        reason=reason,
    )
    draft.delete()


@transaction.atomic
def document_draft_discard(*, kind: str, by: Any, reason: str = "") -> None:
    """Throw away the draft of ``kind`` (its number is reused by the next draft)."""
    _require_publisher(by)
    _live, draft = _locked(kind)
    if draft is None:
        raise InvalidTransition("There is no draft to discard.")
    _discard(draft, by=by, reason=reason or "Discarded by the City Administrator.")


@transaction.atomic
def document_publish(
    *, kind: str, by: Any, number: int, content_hash: str
) -> DocumentVersion:
    """Publish draft ``number`` of ``kind``, superseding the live version.

    ``content_hash`` is the hash of the draft the administrator reviewed: if the
    draft was refreshed since, or the profile changed so that the draft no longer
    matches it, nothing is published and ``InvalidTransition`` says why.
    """
    _require_publisher(by)
    live, draft = _locked(kind)
    if draft is None or draft.number != number:
        raise InvalidTransition(
            f"Version {number} is not a draft any more; reload the page to see the "
            "current state."
        )
    if draft.content_hash != content_hash:
        raise InvalidTransition(
            "The draft changed after you opened the page. Read it again before "
            "publishing."
        )
    document = document_generate(kind=kind)
    if DocumentVersion.hash_content(document.title, document.sections) != (
        draft.content_hash
    ):
        raise InvalidTransition(
            "The city profile or the removal categories changed after this draft "
            "was prepared. Refresh the draft and review it again."
        )
    now = clock.now()
    if live is not None:
        live.status = DocumentVersion.Status.SUPERSEDED
        live.superseded_at = now
        live.save(update_fields=["status", "superseded_at"])
    draft.status = DocumentVersion.Status.PUBLISHED
    draft.published_at = now
    draft.published_by = by
    draft.full_clean()
    draft.save(update_fields=["status", "published_at", "published_by"])
    record_event(
        action="notices.version_published",
        target=draft,
        actor=by,
        data={
            "kind": kind,
            "number": draft.number,
            "content_hash": draft.content_hash,
            "superseded_number": live.number if live else None,
            "changes": {
                "status": [DocumentVersion.Status.DRAFT, draft.status],
            },
        },
    )
    return draft


@transaction.atomic
def policy_acknowledge(*, version: DocumentVersion, by: Any) -> PolicyAcknowledgment:
    """Record that ``by`` read the live policy ``version`` and will follow it
    (P16-P18): self-service, once per version; each new published version is
    acknowledged again."""
    require(by, "notices.add_policyacknowledgment", doing="acknowledge the policy")
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.kind != DocumentVersion.Kind.POLICY:
        raise InvalidTransition(f"{version} is not the social media policy.")
    ensure_status(
        version, allowed=[DocumentVersion.Status.PUBLISHED], doing="acknowledged"
    )
    earlier = PolicyAcknowledgment.objects.filter(person=by, version=version).first()
    if earlier is not None:
        raise InvalidTransition(
            f"You acknowledged version {version.number} of the policy on "
            f"{clock.moment_text(earlier.acknowledged_at)}."
        )
    acknowledgment = PolicyAcknowledgment(
        person=by, version=version, acknowledged_at=clock.now()
    )
    acknowledgment.full_clean()
    acknowledgment.save()
    record_event(
        action="notices.policy_acknowledged",
        target=acknowledgment,
        actor=by,
        data={"version": version.number, "content_hash": version.content_hash},
    )
    return acknowledgment
