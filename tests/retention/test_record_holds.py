"""Legal holds on picked records (R3): the purge never destroys them,
and destroys the rest of their series as before."""

from __future__ import annotations

import pytest

from core.exceptions import DomainError, NotPermitted
from retention import services
from retention.models import Message, PurgeRun, Series
from retention.purge import purge_preview, purge_run
from tests.retention.factories import ReadMessageFactory

pytestmark = pytest.mark.django_db


def test_a_record_hold_keeps_exactly_its_records(records_officer):
    held, other = ReadMessageFactory(), ReadMessageFactory()
    hold = services.legal_hold_place_for_records(
        by=records_officer,
        title="Data request DR-2026-00001",
        reason="Records answering the request.",
        records=[(Series.MESSAGES, held.pk)],
    )
    assert "1 picked record" in hold.scope_text()
    outcome = purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=10)
    assert outcome.counts[Series.MESSAGES] == 1
    assert Message.objects.get(pk=held.pk).destroyed_at is None
    assert Message.objects.get(pk=other.pk).destroyed_at is not None


def test_released_it_no_longer_keeps_them(records_officer):
    held = ReadMessageFactory()
    hold = services.legal_hold_place_for_records(
        by=records_officer,
        title="Data request",
        reason="Answering it.",
        records=[(Series.MESSAGES, held.pk)],
    )
    preview = {p.key: p for p in purge_preview()}
    assert preview[Series.MESSAGES].held == 1
    services.legal_hold_release(hold=hold, by=records_officer, reason="Closed.")
    purge_run(trigger=PurgeRun.Trigger.SCHEDULE, batch_size=10)
    assert Message.objects.get(pk=held.pk).destroyed_at is not None


def test_a_record_hold_names_records_of_known_series(records_officer):
    with pytest.raises(DomainError, match="Unknown record series"):
        services.legal_hold_place_for_records(
            by=records_officer, title="T", reason="R", records=[("nope", 1)]
        )
    with pytest.raises(DomainError, match="at least one"):
        services.legal_hold_place_for_records(
            by=records_officer, title="T", reason="R", records=[]
        )


def test_only_the_records_officer_places_one(manager):
    with pytest.raises(NotPermitted):
        services.legal_hold_place_for_records(
            by=manager, title="T", reason="R", records=[(Series.MESSAGES, 1)]
        )
