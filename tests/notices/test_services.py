"""Drafts, review and publication of the notice and policy (P15, P23), and each
manager's acknowledgment of the policy's versions (P16-P18)."""

from __future__ import annotations

import pytest

from core.audit import events_for
from core.exceptions import InvalidTransition, MissingRecord, NotPermitted
from moderation.models import RemovalCategory
from notices import services
from notices.models import DocumentVersion
from notices.selectors import (
    document_sections,
    document_status,
    document_version_draft,
    document_version_live,
)
from tests.notices.factories import publish_current

pytestmark = pytest.mark.django_db

KINDS = ["notice", "policy"]


@pytest.mark.parametrize("kind", KINDS)
def test_first_draft_is_version_1_and_is_audited(kind, city_profile, city_admin):
    draft = services.document_draft_prepare(kind=kind, by=city_admin)
    assert draft.number == 1 and draft.status == DocumentVersion.Status.DRAFT
    assert draft.created_by == city_admin
    assert [e.action for e in events_for(draft)] == ["notices.draft_created"]
    assert document_version_live(kind=kind) is None


def test_preparing_again_without_changes_keeps_the_same_draft(city_profile, city_admin):
    first = services.document_draft_prepare(kind="notice", by=city_admin)
    again = services.document_draft_prepare(kind="notice", by=city_admin)
    assert again.pk == first.pk
    assert len(events_for(first)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_publish_freezes_text_date_and_publisher(kind, city_profile, city_admin):
    version = publish_current(kind=kind, by=city_admin)
    assert version.status == DocumentVersion.Status.PUBLISHED
    assert version.published_by == city_admin and version.published_at is not None
    assert document_version_live(kind=kind) == version
    assert events_for(version).last().action == "notices.version_published"
    assert document_status(kind=kind).needs_draft is False


@pytest.mark.parametrize("kind", KINDS)
def test_profile_change_flows_through_draft_to_publication(
    kind, city_profile, city_admin
):
    v1 = publish_current(kind=kind, by=city_admin)
    city_profile.city_name = "Birch Lake"
    city_profile.save()
    status = document_status(kind=kind)
    assert status.needs_draft and status.draft is None
    draft = services.document_draft_prepare(kind=kind, by=city_admin)
    assert draft.number == 2
    assert "Birch Lake" in draft.title
    # The live version is unchanged until publication.
    assert document_version_live(kind=kind) == v1
    v2 = services.document_publish(
        kind=kind, by=city_admin, number=2, content_hash=draft.content_hash
    )
    v1.refresh_from_db()
    assert v1.status == DocumentVersion.Status.SUPERSEDED
    assert v1.superseded_at == v2.published_at
    assert "Birch Lake" not in v1.title  # the old text stays as it was
    assert document_version_live(kind=kind) == v2


def test_category_local_explanation_change_needs_a_new_version(published, city_admin):
    category = RemovalCategory.objects.get(number=3)
    category.local_explanation = "We act on a takedown notice from the owner."
    category.save()
    assert document_status(kind="notice").needs_draft
    assert document_status(kind="policy").needs_draft


def test_changed_draft_is_refreshed_in_place(city_profile, city_admin):
    draft = services.document_draft_prepare(kind="notice", by=city_admin)
    city_profile.general_email = "hello@maplefalls.example.gov"
    city_profile.save()
    assert document_status(kind="notice").draft_is_current is False
    refreshed = services.document_draft_prepare(kind="notice", by=city_admin)
    assert refreshed.pk == draft.pk and refreshed.number == 1
    assert refreshed.content_hash != draft.content_hash
    assert [e.action for e in events_for(refreshed)] == [
        "notices.draft_created",
        "notices.draft_refreshed",
    ]


def test_publish_refuses_a_draft_that_changed_after_review(city_profile, city_admin):
    draft = services.document_draft_prepare(kind="notice", by=city_admin)
    reviewed_hash = draft.content_hash
    city_profile.general_email = "hello@maplefalls.example.gov"
    city_profile.save()
    services.document_draft_prepare(kind="notice", by=city_admin)
    with pytest.raises(InvalidTransition, match="changed after you opened"):
        services.document_publish(
            kind="notice", by=city_admin, number=1, content_hash=reviewed_hash
        )
    assert document_version_live(kind="notice") is None


def test_publish_refuses_a_draft_out_of_date_with_the_profile(city_profile, city_admin):
    draft = services.document_draft_prepare(kind="notice", by=city_admin)
    city_profile.city_name = "Birch Lake"
    city_profile.save()
    with pytest.raises(InvalidTransition, match="Refresh the draft"):
        services.document_publish(
            kind="notice", by=city_admin, number=1, content_hash=draft.content_hash
        )
    assert document_version_live(kind="notice") is None


def test_publish_refuses_a_number_that_is_not_the_draft(published, city_admin):
    with pytest.raises(InvalidTransition):
        services.document_publish(
            kind="notice",
            by=city_admin,
            number=1,
            content_hash=published["notice"].content_hash,
        )


def test_draft_that_matches_live_again_is_discarded(
    published, city_profile, city_admin
):
    city_profile.city_name = "Birch Lake"
    city_profile.save()
    draft = services.document_draft_prepare(kind="notice", by=city_admin)
    city_profile.city_name = "Maple Falls"
    city_profile.save()
    assert services.document_draft_prepare(kind="notice", by=city_admin) is None
    assert not DocumentVersion.objects.filter(pk=draft.pk).exists()
    assert document_status(kind="notice").needs_attention is False


def test_discard(city_profile, city_admin):
    services.document_draft_prepare(kind="policy", by=city_admin)
    services.document_draft_discard(kind="policy", by=city_admin)
    assert document_version_draft(kind="policy") is None
    with pytest.raises(InvalidTransition):
        services.document_draft_discard(kind="policy", by=city_admin)


@pytest.mark.parametrize("role_fixture", ["manager", "records_officer", "attorney"])
def test_only_the_city_administrator_prepares_and_publishes(
    role_fixture, request, city_profile, city_admin
):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(NotPermitted):
        services.document_draft_prepare(kind="notice", by=user)
    draft = services.document_draft_prepare(kind="notice", by=city_admin)
    with pytest.raises(NotPermitted):
        services.document_publish(
            kind="notice", by=user, number=1, content_hash=draft.content_hash
        )
    with pytest.raises(NotPermitted):
        services.document_draft_discard(kind="notice", by=user)
    assert document_version_live(kind="notice") is None


def test_nothing_can_be_generated_before_the_profile_exists(city_admin):
    with pytest.raises(MissingRecord):
        services.document_draft_prepare(kind="notice", by=city_admin)
    status = document_status(kind="notice")
    assert status.problem and not status.needs_draft


def test_document_sections_lists_the_live_policy_then_notice(published, city_admin):
    sections = document_sections()
    anchors = [a for a, _ in sections]
    assert anchors[0] == "policy-purpose"
    assert "policy-comments" in anchors and "notice-removal" in anchors
    assert dict(sections)["notice-removal"] == "Notice 5. When a comment may be removed"
    assert len(anchors) == len(set(anchors))


def test_document_sections_is_empty_before_publication(city_profile):
    assert document_sections() == []


def test_published_version_cannot_be_changed_through_the_orm(published):
    version = published["notice"]
    version.title = "Something else"
    with pytest.raises(Exception, match="cannot be changed"):
        version.save()
