"""Published versions are frozen in the database: versions are immutable."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from core import clock
from core.immutable import ImmutableError
from notices.models import DocumentVersion

pytestmark = pytest.mark.django_db

SECTIONS = [{"anchor": "notice-why", "number": 1, "title": "Why", "blocks": []}]


def _version(status: str, user, number: int = 1) -> DocumentVersion:
    published = status != DocumentVersion.Status.DRAFT
    return DocumentVersion.objects.create(
        kind=DocumentVersion.Kind.NOTICE,
        number=number,
        status=status,
        title="Notice",
        sections=SECTIONS,
        content_hash=DocumentVersion.hash_content("Notice", SECTIONS),
        generator_version=1,
        published_at=clock.now() if published else None,
        published_by=user if published else None,
        superseded_at=clock.now() if status == "superseded" else None,
    )


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("status", ["published", "superseded"])
def test_frozen_version_text_cannot_be_changed(status, city_admin):
    version = _version(status, city_admin)
    version.title = "Edited"
    with pytest.raises(ImmutableError, match="title cannot be changed"):
        version.save()
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).update(title="Edited")
    version.refresh_from_db()
    assert version.title == "Notice"


@pytest.mark.parametrize("status", ["published", "superseded"])
def test_frozen_version_text_cannot_be_changed_by_raw_sql(postgres, status, city_admin):
    version = _version(status, city_admin)
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(
            "UPDATE notices_documentversion SET title = %s WHERE id = %s",
            ["Edited", version.pk],
        )
    version.refresh_from_db()
    assert version.title == "Notice"


@pytest.mark.parametrize("status", ["published", "superseded"])
def test_frozen_version_cannot_be_deleted(status, city_admin):
    version = _version(status, city_admin)
    with pytest.raises(ImmutableError):
        version.delete()
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="Cannot delete rows"):
            _raw("DELETE FROM notices_documentversion WHERE id = %s", [version.pk])
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


def test_published_version_may_only_become_superseded(city_admin):
    version = _version("published", city_admin)
    version.status = "draft"
    with pytest.raises(ImmutableError, match="only a published one may become"):
        version.save()
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).update(superseded_at=clock.now())
    DocumentVersion.objects.filter(pk=version.pk).update(
        status="superseded", superseded_at=clock.now()
    )
    version.refresh_from_db()
    assert version.status == "superseded"
    version.status = "published"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).update(superseded_at=None)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notices_documentversion SET status = 'draft' WHERE id = %s",
        "UPDATE notices_documentversion SET superseded_at = now() WHERE id = %s",
    ],
)
def test_published_version_may_only_become_superseded_even_by_raw_sql(
    postgres, city_admin, sql
):
    version = _version("published", city_admin)
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(sql, [version.pk])
    _raw(
        "UPDATE notices_documentversion SET status = 'superseded', "
        "superseded_at = now() WHERE id = %s",
        [version.pk],
    )
    with pytest.raises(DatabaseError, match="Cannot update rows"):
        _raw(
            "UPDATE notices_documentversion SET status = 'published' WHERE id = %s",
            [version.pk],
        )


def test_draft_may_be_refreshed_and_discarded(city_admin):
    version = _version("draft", city_admin)
    DocumentVersion.objects.filter(pk=version.pk).update(title="Refreshed")
    version.title = "Refreshed again"
    version.save()
    if connection.vendor == "postgresql":
        _raw(
            "UPDATE notices_documentversion SET title = 'Raw' WHERE id = %s",
            [version.pk],
        )
    version.delete()
    assert not DocumentVersion.objects.exists()


def test_one_live_and_one_draft_per_kind(city_admin):
    _version("published", city_admin, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _version("published", city_admin, number=2)
    _version("draft", city_admin, number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        _version("draft", city_admin, number=4)


def test_publication_must_record_who_and_when():
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.create(
            kind="policy",
            number=1,
            status="published",
            title="Policy",
            sections=[],
            content_hash="x",
            generator_version=1,
        )
