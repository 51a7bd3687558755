"""The other record series (R2): each destroyed only past its period, only when
the city enabled it, never while held; appeals hold their removal (R3)."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from appeals.models import DESTROYED
from core import audit, clock
from core.models import AuditEvent
from retention.models import (
    DestroyedItem,
    DestructionRecord,
    LegalHold,
    PurgeRun,
    Series,
)
from retention.purge import ids_digest, purge_preview, purge_run
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

appeal_factories = pytest.importorskip("tests.appeals.factories")

YEARS = 3


def enable(schedule, series):
    schedule(
        series,
        years=YEARS,
        schedule_item=f"City item for {series}",
        destruction_enabled=True,
    )


def test_an_answered_appeal_is_redacted_after_its_period(schedule, time_machine):
    time_machine.move_to("2022-03-01 10:00:00-06:00", tick=False)
    old = appeal_factories.AppealAnsweredFactory()
    audit.record_event(action="appeal.filed", target=old, personal={"name": old.name})
    time_machine.move_to("2025-02-27 10:00:00-06:00", tick=False)
    recent = appeal_factories.AppealAnsweredFactory()
    enable(schedule, Series.APPEALS)
    # One day short of three years: nothing goes.
    assert purge_run(trigger=PurgeRun.Trigger.COMMAND).counts[Series.APPEALS] == 0
    time_machine.move_to("2025-03-02 10:00:00-06:00", tick=False)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.counts[Series.APPEALS] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.name == DESTROYED
    assert old.email == ""
    assert old.explanation == DESTROYED
    assert old.reference.startswith("AP-")  # the record of the filing stays
    assert recent.name != DESTROYED
    assert not AuditEvent.objects.filter(
        action="appeal.filed", personal__isnull=False
    ).exists()
    record = DestructionRecord.objects.get(run_id=outcome.run_id, series=Series.APPEALS)
    assert record.ids_sha256 == ids_digest([old.pk])
    assert DestroyedItem.objects.get(series=Series.APPEALS).object_id == old.pk
    # Idempotent: a redacted appeal is not destroyed again.
    assert purge_run(trigger=PurgeRun.Trigger.COMMAND).counts[Series.APPEALS] == 0


def test_the_emails_of_a_destroyed_appeal_are_destroyed_with_it(
    schedule, time_machine, city_profile, manager
):
    from appeals import services
    from core import outbox
    from core.models import OutboxMessage

    time_machine.move_to("2022-03-01 10:00:00-06:00", tick=False)
    appeal = appeal_factories.AppealFactory(email="jordan@example.net")
    services.filing_acknowledge(filing=appeal, by=manager)
    outbox.outbox_drain()
    services.filing_withdraw(filing=appeal, by=manager, note="Phoned to withdraw.")
    enable(schedule, Series.APPEALS)
    time_machine.move_to("2026-03-02 10:00:00-06:00", tick=False)
    assert purge_run(trigger=PurgeRun.Trigger.COMMAND).counts[Series.APPEALS] == 1
    letter = appeal.correspondence.get()
    assert letter.body == DESTROYED
    message = OutboxMessage.objects.get(pk=letter.outbox_id)
    # The outgoing email held the address and the letter too (R4, P25).
    assert (message.to, message.body) == ("", "")
    assert message.redacted_at is not None
    assert message.status == OutboxMessage.Status.SENT
    assert "jordan@example.net" not in str(list(OutboxMessage.objects.values_list()))


def test_an_open_appeal_is_never_destroyed(schedule, time_machine):
    time_machine.move_to("2020-03-01 10:00:00-06:00", tick=False)
    appeal_factories.AppealUnderReviewFactory()
    enable(schedule, Series.APPEALS)
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    assert purge_run(trigger=PurgeRun.Trigger.COMMAND).counts[Series.APPEALS] == 0


def test_a_withdrawn_challenge_is_redacted_after_its_period(schedule, time_machine):
    time_machine.move_to("2020-03-01 10:00:00-06:00", tick=False)
    challenge = appeal_factories.ChallengeFactory(
        status="withdrawn", withdrawn_at=clock.now()
    )
    enable(schedule, Series.LEGALITY_CHALLENGES)
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.errors == []
    assert outcome.counts[Series.LEGALITY_CHALLENGES] == 1
    challenge.refresh_from_db()
    assert challenge.basis == DESTROYED
    assert challenge.response == ""


def test_a_hold_on_appeals_keeps_them(schedule, time_machine, records_officer):
    time_machine.move_to("2020-03-01 10:00:00-06:00", tick=False)
    appeal = appeal_factories.AppealAnsweredFactory()
    enable(schedule, Series.APPEALS)
    LegalHold.objects.create(
        title="Request",
        reason="data request",
        placed_by=UserFactory(),
        series=[Series.APPEALS],
        sender_handle=appeal.email.upper(),
    )
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    assert purge_run(trigger=PurgeRun.Trigger.COMMAND).counts[Series.APPEALS] == 0
    appeal.refresh_from_db()
    assert appeal.name != DESTROYED


def test_an_open_appeal_holds_its_removal_decision(schedule, time_machine):
    time_machine.move_to("2020-03-01 10:00:00-06:00", tick=False)
    appeal = appeal_factories.AppealUnderReviewFactory()
    free = appeal_factories.RemovalFactory()
    enable(schedule, Series.REMOVAL_DECISIONS)
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    (preview,) = [p for p in purge_preview() if p.key == Series.REMOVAL_DECISIONS]
    assert preview.due == 1
    assert preview.held == 1
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.errors == []
    assert outcome.counts[Series.REMOVAL_DECISIONS] == 1
    appeal.removal.refresh_from_db()
    free.refresh_from_db()
    assert appeal.removal.redacted_at is None
    assert free.redacted_at is not None


def test_a_series_stays_untouched_until_the_city_enables_it(time_machine):
    time_machine.move_to("2010-03-01 10:00:00-06:00", tick=False)
    appeal = appeal_factories.AppealAnsweredFactory()
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert Series.APPEALS not in outcome.counts
    appeal.refresh_from_db()
    assert appeal.name != DESTROYED
    (preview,) = [p for p in purge_preview() if p.key == Series.APPEALS]
    assert preview.would_destroy == 0
    assert preview.note


def test_decided_account_requests_are_deleted_after_their_period(
    schedule, time_machine
):
    factories = pytest.importorskip("tests.accounts.factories")
    from accounts.models import AccountRequest

    time_machine.move_to("2020-03-01 10:00:00-06:00", tick=False)
    request = factories.AccountRequestFactory(
        status="denied",
        submitted_at=clock.now(),
        decided_at=clock.now(),
        decided_by=UserFactory(),
        decision_reason="Not sustainable.",
    )
    draft = factories.AccountRequestFactory()
    enable(schedule, Series.ACCOUNT_REQUESTS)
    time_machine.move_to("2026-03-01 10:00:00-06:00", tick=False)
    outcome = purge_run(trigger=PurgeRun.Trigger.COMMAND)
    assert outcome.errors == []
    assert outcome.counts[Series.ACCOUNT_REQUESTS] == 1
    assert not AccountRequest.objects.filter(pk=request.pk).exists()
    assert AccountRequest.objects.filter(pk=draft.pk).exists()
    assert (
        DestroyedItem.objects.get(series=Series.ACCOUNT_REQUESTS).object_id
        == request.pk
    )
    assert timedelta(0) < clock.now() - request.decided_at


def test_each_foreign_series_is_destroyed_by_its_own_app():
    """retention calls the owning app's service; it does not write
    another app's tables itself."""
    from accounts.services import account_request_destroy
    from appeals.services import appeal_redact, challenge_redact
    from core.audit import audit_event_redact
    from moderation.services import removal_redact
    from retention import series

    source = inspect.getsource(series)
    assert "_redact_fields" not in source
    assert "_delete_rows" not in source
    assert "def spec_for" not in source
    assert "_destroy_filings" not in source
    calls = {
        Series.ACCOUNT_REQUESTS: account_request_destroy,
        Series.REMOVAL_DECISIONS: removal_redact,
        Series.AUDIT_EVENTS: audit_event_redact,
        Series.APPEALS: appeal_redact,
        Series.LEGALITY_CHALLENGES: challenge_redact,
    }
    for key, service in calls.items():
        destroyer = inspect.getsource(series.BY_KEY[key].destroy)
        assert f"{service.__name__}(" in destroyer, key
