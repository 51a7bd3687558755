"""Factories for removal decisions. Decisions are created through
``moderation.services.removal_create`` in service tests; these build valid rows
directly (with at least one category, P21) for tests of lists, views and other apps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.db import transaction

from core import clock
from moderation.models import (
    RemovalAmendment,
    RemovalCategory,
    RemovalDecision,
    RemovalDecisionCategory,
)
from tests.accounts.factories import AccountFactory, UserFactory


class RemovalDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RemovalDecision

    account = factory.SubFactory(AccountFactory)
    comment_id = factory.Sequence(lambda n: f"10{n:08d}")
    comment_url = factory.LazyAttribute(
        lambda d: f"{d.account.url.rstrip('/')}/posts/1?comment_id={d.comment_id}"
    )
    author_name = factory.Faker("name")
    author_handle = factory.LazyAttribute(
        lambda d: "@" + d.author_name.split()[0].lower()
    )
    comment_text = factory.Faker("sentence", nb_words=18)
    removed_at = factory.LazyFunction(lambda: clock.now() - timedelta(hours=1))
    posted_at = factory.LazyAttribute(lambda d: d.removed_at - timedelta(minutes=30))
    removed_by = factory.SubFactory(UserFactory)
    facts = "The comment advertises a product unrelated to the post."
    reasoning = "It is a commercial promotion, so it falls into category 7."
    platform_action = RemovalDecision.PlatformAction.HIDDEN

    # Category numbers ticked (P21: at least one); created in the same
    # transaction as the decision, as the PostgreSQL constraint trigger requires.
    categories = (7,)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        numbers = kwargs.pop("categories")
        with transaction.atomic():
            decision = super()._create(model_class, *args, **kwargs)
            RemovalDecisionCategory.objects.bulk_create(
                RemovalDecisionCategory(
                    decision=decision,
                    category=RemovalCategory.objects.get(
                        number=getattr(n, "number", n)
                    ),
                )
                for n in numbers
            )
        return decision


class RemovalAmendmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RemovalAmendment

    decision = factory.SubFactory(RemovalDecisionFactory)
    kind = RemovalAmendment.Kind.AUTHOR_NOTIFIED
    notified_via = "message"
    notified_at = factory.LazyFunction(clock.now)
    notification_text = "We removed your comment."
    reason = "Author told."
    made_by = factory.SubFactory(UserFactory)
