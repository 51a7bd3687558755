"""Factories for what core keeps: outgoing emails in each state (core.outbox).

Messages are normally written by ``core.outbox.outbox_enqueue`` inside a step;
these build valid rows directly for tests of the job, the pages and the panel.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory

from core import clock
from core.models import OutboxMessage

S = OutboxMessage.Status


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A message waiting for its first try, due now, to a resident."""

    class Meta:
        model = OutboxMessage

    to = factory.Sequence(lambda n: f"resident{n}@example.net")
    subject = "We received your appeal"
    body = "Dear resident,\n\nWe received your appeal.\n"
    audience = OutboxMessage.Audience.RESIDENT
    topic = "appeal.receipt"
    about = factory.Sequence(lambda n: f"Receipt for AP-2026-{80000 + n:05d}")
    about_url = "/appeals/staff/"
    permission = "appeals.handle_appeal"
    created_at = factory.LazyFunction(clock.now)
    # Due now; None in the sent and given-up states.
    next_attempt_at: Any = factory.LazyFunction(clock.now)


class OutboxRetryingFactory(OutboxMessageFactory):
    """Failed twice; the next try is in a few minutes."""

    attempts = 2
    last_attempt_at = factory.LazyFunction(clock.now)
    last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    next_attempt_at = factory.LazyFunction(lambda: clock.now() + timedelta(minutes=4))


class OutboxGaveUpFactory(OutboxMessageFactory):
    """Given up: the mail server refused the address."""

    status = S.GAVE_UP
    attempts = 1
    last_attempt_at = factory.LazyFunction(clock.now)
    last_error = "the mail server refused the address"
    next_attempt_at = None
    gave_up_at = factory.LazyFunction(clock.now)


class OutboxSentFactory(OutboxMessageFactory):
    status = S.SENT
    attempts = 1
    last_attempt_at = factory.LazyFunction(clock.now)
    next_attempt_at = None
    sent_at = factory.LazyFunction(clock.now)
