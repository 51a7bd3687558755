"""Appeals destroys the personal data of its own records for the retention
purge (R2, R4): appeal_redact and challenge_redact clear the resident's
data, their letters, the emails that carried them and the attorney's notes,
keep the record of the filing, and delete the scanned letter only once the
batch commits."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from appeals import services
from appeals.models import DESTROYED
from core.audit import events_for
from core.models import OutboxMessage
from tests.appeals.factories import (
    AppealFactory,
    ChallengeFactory,
    ConsultationFactory,
)

pytestmark = pytest.mark.django_db


def test_appeal_redact_clears_the_resident_and_keeps_the_record(
    city_profile, manager, django_capture_on_commit_callbacks
):
    appeal = AppealFactory(
        name="Jordan Public", email="jordan@example.net", comment_text="My words"
    )
    other = AppealFactory(name="Kept Person")
    services.filing_acknowledge(filing=appeal, by=manager)
    name = default_storage.save("appeals/letters/scan.pdf", ContentFile(b"%PDF-1"))
    type(appeal).objects.filter(pk=appeal.pk).update(letter=name)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.appeal_redact(ids=[appeal.pk], run_label="run 7") == 1

    appeal.refresh_from_db()
    assert (appeal.name, appeal.email, appeal.postal_address) == (
        DESTROYED,
        "",
        DESTROYED,
    )
    assert appeal.comment_text == DESTROYED and appeal.explanation == DESTROYED
    assert appeal.letter == ""
    assert not default_storage.exists(name)
    assert appeal.reference and appeal.status == "acknowledged"  # the record stays
    letter = appeal.correspondence.get()
    assert (letter.to, letter.body) == (DESTROYED, DESTROYED)
    message = OutboxMessage.objects.get(pk=letter.outbox_id)
    assert "jordan@example.net" not in (message.to + message.body)
    assert all(not e.personal for e in events_for(appeal))
    other.refresh_from_db()
    assert other.name == "Kept Person"


def test_a_rolled_back_redaction_keeps_the_scanned_letter(
    city_profile, django_capture_on_commit_callbacks
):
    appeal = AppealFactory()
    name = default_storage.save("appeals/letters/kept.pdf", ContentFile(b"%PDF-1"))
    type(appeal).objects.filter(pk=appeal.pk).update(letter=name)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.appeal_redact(ids=[appeal.pk], run_label="run 8")
        raise RuntimeError("the batch fails")
    appeal.refresh_from_db()
    assert appeal.letter.name == name
    assert default_storage.exists(name)
    default_storage.delete(name)


def test_challenge_redact_clears_the_basis_and_the_attorneys_notes(city_profile):
    consultation = ConsultationFactory(notes="Privileged: quotes the challenger.")
    challenge = consultation.challenge
    kept = ChallengeFactory(basis="Another basis.")
    assert services.challenge_redact(ids=[challenge.pk], run_label="run 9") == 1
    challenge.refresh_from_db()
    consultation.refresh_from_db()
    assert challenge.basis == DESTROYED and challenge.name == DESTROYED
    assert consultation.notes == DESTROYED
    kept.refresh_from_db()
    assert kept.basis == "Another basis."


def test_nothing_to_redact_is_zero(city_profile):
    assert services.appeal_redact(ids=[], run_label="") == 0
    assert services.challenge_redact(ids=[], run_label="") == 0
