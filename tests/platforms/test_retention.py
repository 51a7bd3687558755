"""Captured comments are a record series of their own (R2, R4): kept
under their schedule row, destroyed by the purge, held while a draft waits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.models import AuditEvent
from platforms.models import CapturedComment, CommentVersion
from retention.models import DestructionRecord, PurgeRun, RetentionSchedule, Series
from retention.purge import purge_preview, purge_run
from tests.platforms.conftest import payload
from tests.platforms.factories import CapturedCommentFactory, DraftRemovalFactory

pytestmark = pytest.mark.django_db


def enable(years: int = 1) -> None:
    RetentionSchedule.objects.filter(series=Series.CAPTURED_COMMENTS).update(
        years=years, schedule_item="GS-SM-02", destruction_enabled=True
    )


def test_the_series_has_its_own_schedule_row_off_until_the_city_sets_it():
    row = RetentionSchedule.objects.get(series=Series.CAPTURED_COMMENTS)
    assert row.rule == RetentionSchedule.Rule.YEARS_AFTER_CLOSE
    assert not row.destruction_enabled
    (preview,) = [p for p in purge_preview() if p.key == Series.CAPTURED_COMMENTS]
    assert preview.label == "Comments captured from the platforms"


def test_the_purge_destroys_old_captures_and_keeps_a_tombstone(
    deliver, city_page, process
):
    deliver(payload("feed_comment_add.json"))
    deliver(payload("feed_comment_edited.json"))
    process()
    old = CapturedComment.objects.get()
    CapturedComment.objects.filter(pk=old.pk).update(
        last_seen_at=clock.now() - timedelta(days=400)
    )
    recent = CapturedCommentFactory(account=city_page)
    enable(years=1)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.counts[Series.CAPTURED_COMMENTS] == 1
    old.refresh_from_db()
    assert old.redacted_at is not None
    assert (old.text, old.author_name, old.url) == ("", "", "")
    assert old.comment_id == "200000000000001_300000000000001"
    assert set(
        CommentVersion.objects.filter(comment=old).values_list("text", flat=True)
    ) == {""}
    assert not AuditEvent.objects.filter(
        target_id=str(old.pk),
        action__startswith="platforms.comment",
        personal__isnull=False,
    ).exists()
    recent.refresh_from_db()
    assert recent.redacted_at is None and recent.text
    record = DestructionRecord.objects.get(series=Series.CAPTURED_COMMENTS)
    assert (record.item_count, record.schedule_item) == (1, "GS-SM-02")
    # The same comment sent again is not captured again.
    deliver(payload("feed_comment_add.json").replace(b"1764540000", b"1764540001"))
    process()
    old.refresh_from_db()
    assert old.text == ""
    assert CapturedComment.objects.count() == 2


def test_a_comment_waiting_in_a_draft_removal_is_kept():
    draft = DraftRemovalFactory(comment__last_seen_at=clock.now() - timedelta(days=800))
    enable(years=1)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.counts.get(Series.CAPTURED_COMMENTS, 0) == 0
    draft.comment.refresh_from_db()
    assert draft.comment.redacted_at is None


def test_a_captured_version_is_never_changed_or_deleted_outside_the_purge():
    # P20: the city never edits a public comment; what it captured stands.
    from core.immutable import ImmutableError

    comment = CapturedCommentFactory()
    version = CommentVersion.objects.create(
        comment=comment,
        number=comment.versions.count() + 1,
        verb="add",
        text="As posted.",
    )
    version.text = "Tidied up."
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        CommentVersion.objects.filter(pk=version.pk).update(text="Tidied up.")
    with pytest.raises(ImmutableError):
        CommentVersion.objects.filter(pk=version.pk).delete()
    assert CommentVersion.objects.get(pk=version.pk).text == "As posted."


def test_below_the_application_a_version_cannot_be_rewritten(postgres):
    from django.db import DatabaseError, connection, transaction

    comment = CapturedCommentFactory()
    version = CommentVersion.objects.create(
        comment=comment,
        number=comment.versions.count() + 1,
        verb="add",
        text="As posted.",
    )
    table = CommentVersion._meta.db_table
    for sql in (
        f"UPDATE {table} SET text = 'Tidied up.' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            connection.cursor().execute(sql, [version.pk])
    assert CommentVersion.objects.get(pk=version.pk).text == "As posted."
