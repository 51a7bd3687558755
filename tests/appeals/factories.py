"""Factories for appeals and legality challenges, one per interesting state.

Filings are normally created by ``appeals.services``; these build valid rows
directly for tests of lists, pages, reminders and other apps.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import factory

from appeals.models import (
    Appeal,
    AttorneyConsultation,
    Channel,
    Delivery,
    Filing,
    LegalityChallenge,
)
from core import clock
from moderation.models import RemovalCategory, RemovalDecision, RemovalDecisionCategory
from tests.accounts.factories import AccountFactory, UserFactory

S = Filing.Status


class RemovalFactory(factory.django.DjangoModelFactory):
    """A removal decision (moderation) with category 7 ticked, for appeals."""

    class Meta:
        model = RemovalDecision
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    comment_id = factory.Sequence(lambda n: f"77{n:08d}")
    comment_url = factory.LazyAttribute(
        lambda d: f"{d.account.url.rstrip('/')}/posts/1?comment_id={d.comment_id}"
    )
    author_name = factory.Faker("name")
    author_handle = factory.LazyAttribute(
        lambda d: "@" + d.author_name.split()[0].lower()
    )
    comment_text = "Buy cheap watches at example dot com"
    removed_at = factory.LazyFunction(lambda: clock.now() - timedelta(hours=1))
    posted_at = factory.LazyAttribute(lambda d: d.removed_at - timedelta(minutes=30))
    removed_by = factory.SubFactory(UserFactory)
    facts = "The comment advertises a product unrelated to the post."
    reasoning = "It is a commercial promotion, so it falls into category 7."

    @factory.post_generation
    def categories(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for number in extracted or [7]:
                # post_generation passes the built RemovalDecision as ``self``.
                RemovalDecisionCategory.objects.create(  # type: ignore[misc]
                    decision=self, category=RemovalCategory.objects.get(number=number)
                )


class FilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    status_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    channel = Channel.WEB
    received_on = factory.LazyFunction(clock.today)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"resident{n}@example.net")
    reply_by = Delivery.EMAIL
    ack_due_on = factory.LazyAttribute(lambda f: f.received_on + timedelta(days=3))
    answer_due_on = factory.LazyAttribute(lambda f: f.received_on + timedelta(days=14))


class AppealFactory(FilingFactory):
    class Meta:
        model = Appeal

    reference = factory.Sequence(lambda n: f"AP-2026-{90000 + n:05d}")
    account = factory.SubFactory(AccountFactory)
    comment_text = "I said the new bike lanes were a waste of money."
    explanation = "My comment was a political opinion, which is in no category."


class AppealAcknowledgedFactory(AppealFactory):
    status = S.ACKNOWLEDGED
    acknowledged_at = factory.LazyFunction(clock.now)


class AppealUnderReviewFactory(AppealAcknowledgedFactory):
    status = S.UNDER_REVIEW
    reviewer = factory.SubFactory(UserFactory)
    removal = factory.SubFactory(RemovalFactory)
    review_started_at = factory.LazyFunction(clock.now)


class AppealAnsweredFactory(AppealUnderReviewFactory):
    status = S.ANSWERED
    outcome = Appeal.Outcome.UPHELD
    response = "The comment advertised a product, which is category 7 (spam)."
    response_delivery = Delivery.EMAIL
    answered_at = factory.LazyFunction(clock.now)


class AppealWithdrawnFactory(AppealFactory):
    status = S.WITHDRAWN
    withdrawn_at = factory.LazyFunction(clock.now)
    withdrawal_note = "The resident phoned to withdraw it."


class ChallengeFactory(FilingFactory):
    class Meta:
        model = LegalityChallenge

    reference = factory.Sequence(lambda n: f"LC-2026-{90000 + n:05d}")
    section_anchor = "policy-comments"
    section_title = "Policy: removing comments"
    basis = "Category 7 is vague and restricts protected speech in a public forum."
    answer_due_on = factory.LazyAttribute(lambda f: f.received_on + timedelta(days=42))


class ChallengeAcknowledgedFactory(ChallengeFactory):
    status = S.ACKNOWLEDGED
    acknowledged_at = factory.LazyFunction(clock.now)


class ChallengeUnderReviewFactory(ChallengeAcknowledgedFactory):
    status = S.UNDER_REVIEW
    reviewer = factory.SubFactory(UserFactory)
    review_started_at = factory.LazyFunction(clock.now)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttorneyConsultation

    challenge = factory.SubFactory(ChallengeUnderReviewFactory)
    attorney = factory.SubFactory(UserFactory)
    recorded_by = factory.SelfAttribute("attorney")
    notes = "Privileged: the category is narrowly drawn; the risk is low."
