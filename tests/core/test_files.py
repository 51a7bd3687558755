"""Stored files are deleted only once the destruction of their record commits
(core.files; R3, R4)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction

from core.files import file_delete_after_commit, file_deletions_run, files_frozen
from core.models import PendingFileDeletion

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored() -> str:
    return default_storage.save("evidence/shot.png", ContentFile(b"\x89PNG shot"))


def test_the_file_goes_when_the_transaction_commits(
    stored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        file_delete_after_commit(names=[stored])
        assert default_storage.exists(stored)
    assert not default_storage.exists(stored)
    assert not PendingFileDeletion.objects.exists()


def test_the_file_stays_when_the_transaction_rolls_back(
    stored, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        file_delete_after_commit(names=[stored])
        raise RuntimeError("the batch failed before COMMIT")
    assert callbacks == []
    assert default_storage.exists(stored)
    assert not PendingFileDeletion.objects.exists()
    # A later sweep has nothing of it to delete.
    assert file_deletions_run() == 0
    assert default_storage.exists(stored)


def test_a_deletion_left_by_a_crash_after_commit_is_finished_by_the_next_run(stored):
    # Committed (the row exists) but the process died before deleting the file.
    PendingFileDeletion.objects.create(name=stored)
    gone = default_storage.save("evidence/gone.png", ContentFile(b"x"))
    default_storage.delete(gone)  # deleted, but the crash came before its row went
    PendingFileDeletion.objects.create(name=gone)
    assert file_deletions_run() == 2
    assert not default_storage.exists(stored)
    assert not PendingFileDeletion.objects.exists()
    assert file_deletions_run() == 0


def test_a_file_that_cannot_be_deleted_waits_with_its_error(stored, monkeypatch):
    row = PendingFileDeletion.objects.create(name=stored)

    def refuse(name: str) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(default_storage, "delete", refuse)
    assert file_deletions_run() == 0
    row.refresh_from_db()
    assert row.attempts == 1
    assert "read-only file system" in row.last_error
    monkeypatch.undo()
    assert file_deletions_run() == 1
    assert not default_storage.exists(stored)


def test_only_a_storage_named_in_the_settings_is_accepted():
    with pytest.raises(ValueError, match="No storage named"):
        file_delete_after_commit(names=["x.png"], storage="elsewhere")


def test_the_periodic_job_deletes_what_waits(stored, settings):
    from config.celery import app
    from core.tasks import file_deletions_task

    entry = settings.CELERY_BEAT_SCHEDULE["core-file-deletions"]
    assert entry["task"] == file_deletions_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.FILE_DELETIONS_INTERVAL_MINUTES * 60
    PendingFileDeletion.objects.create(name=stored)
    assert file_deletions_task.delay().get() == 1
    assert not default_storage.exists(stored)


def _frozen_while(check: Any) -> Any:
    """Run ``check`` in another thread (its own connection) while this thread
    holds ``files_frozen()``; return what it returned."""
    results: dict[str, Any] = {}

    def other() -> None:
        try:
            results["value"] = check()
        finally:
            connections.close_all()

    with files_frozen():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(30)
    return results["value"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_deleted_while_a_backup_copies_the_files(stored, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # its own lock beside it
    row = PendingFileDeletion.objects.create(name=stored)
    assert _frozen_while(file_deletions_run) == 0
    assert default_storage.exists(stored)
    assert PendingFileDeletion.objects.filter(pk=row.pk).exists()
    assert file_deletions_run() == 1
    assert not default_storage.exists(stored)
