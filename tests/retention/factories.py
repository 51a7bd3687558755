from __future__ import annotations

from datetime import timedelta

import factory

from core import clock
from retention.models import Message
from tests.accounts.factories import AccountFactory, UserFactory


class MessageFactory(factory.django.DjangoModelFactory):
    """An unread message received an hour ago."""

    class Meta:
        model = Message

    account = factory.SubFactory(AccountFactory)
    platform_message_id = factory.Sequence(lambda n: f"m-{n:06d}")
    sender_handle = factory.Sequence(lambda n: f"resident{n}")
    body = factory.Faker("sentence", nb_words=12)
    received_at = factory.LazyFunction(lambda: clock.now() - timedelta(hours=1))


class ReadMessageFactory(MessageFactory):
    read_at = factory.LazyFunction(clock.now)
    read_by = factory.SubFactory(UserFactory)
