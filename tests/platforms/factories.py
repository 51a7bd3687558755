from __future__ import annotations

import factory

from core import clock
from platforms.models import CapturedComment, CommentVersion, Connection, DraftRemoval
from tests.accounts.factories import AccountFactory, platform


class MetaPageFactory(AccountFactory):
    """A Facebook Page on the registry with its id on Facebook."""

    platform = factory.LazyFunction(lambda: platform("facebook"))
    platform_account_id = factory.Sequence(lambda n: f"1000000000{n:05d}")


class CapturedCommentFactory(factory.django.DjangoModelFactory):
    """A visible Facebook comment captured an hour ago, with its first version."""

    class Meta:
        model = CapturedComment
        skip_postgeneration_save = True

    account = factory.SubFactory(MetaPageFactory)
    source = CapturedComment.Source.FACEBOOK
    comment_id = factory.Sequence(lambda n: f"200000000000001_3{n:014d}")
    post_id = "100000000000001_200000000000001"
    url = factory.LazyAttribute(
        lambda c: (
            f"https://www.facebook.com/{c.post_id}?comment_id="
            + c.comment_id.rsplit("_", 1)[-1]
        )
    )
    author_id = factory.Sequence(lambda n: f"4{n:014d}")
    author_name = factory.Faker("name")
    text = factory.Faker("sentence", nb_words=10)
    posted_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def first_version(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            CommentVersion.objects.create(
                comment=self,  # type: ignore[misc]
                number=1,
                verb=CommentVersion.Verb.ADD,
                text=self.text,  # type: ignore[attr-defined]
            )


class DraftRemovalFactory(factory.django.DjangoModelFactory):
    """A pending draft: the page hid the comment."""

    class Meta:
        model = DraftRemoval

    comment = factory.SubFactory(
        CapturedCommentFactory, state=CapturedComment.State.HIDDEN
    )
    account = factory.SelfAttribute("comment.account")
    action = DraftRemoval.Action.HIDDEN
    detected_at = factory.LazyFunction(clock.now)


class MastodonConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    account = factory.SubFactory(AccountFactory)
    kind = Connection.Kind.MASTODON
    server_url = "https://mastodon.lakeside.example"
    token_name = "MASTODON_TOKEN_LAKESIDE"
