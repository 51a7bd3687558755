"""What the product captures from the platforms by itself.

- :class:`MetaDelivery`: the inbox. Each signed delivery from Meta's webhook is
  stored raw, once (its SHA-256 is unique), in the request that brought it, and
  processed later by the ``platforms-meta-process`` job: the stored row is the
  outbox of that work, so nothing is lost if the broker or the worker is down.
- :class:`Connection`: how the product hears from one registry account (Meta's
  webhook, or Mastodon polling) and how that is going: last delivery, last poll,
  errors, backoff.
- :class:`CapturedComment` and its :class:`CommentVersion` rows: a public comment
  as the removal log needs it (text, author, time, link, every edit). A record
  series of its own (R2), destroyed under its schedule row.
- :class:`DraftRemoval`: a hide or delete the platform reported, waiting for a
  manager to log it as a removal with its categories, facts and reasoning (P21),
  or to mark it as not a removal.

Messages are not kept here: they go to the retention app's inbox (R1).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from core import clock, followups, immutable
from core.models import BoundedTextField

ID_MAX = 200
NAME_MAX = 200
# The longest comment text kept, as the removal log's (moderation) limit.
TEXT_MAX = 20_000

# Token variables name environment variables or settings that hold a Mastodon
# access token, never anything else (a secret key must not be sendable to a
# server a staff member typed in).
TOKEN_NAME_PREFIX = "MASTODON_TOKEN_"  # noqa: S105  # nosec B105 (a name, no secret)


class MetaDelivery(models.Model):
    """One signed delivery from Meta's webhook, as it arrived.

    ``received`` -> ``processed`` (its body is then cleared: what it carried lives
    in the captured comments and the retention inbox, where the schedule governs
    it), or ``unmatched`` (an entry names an id on no registry account: kept whole
    and shown to staff until they set the id and process it again), or ``failed``
    (tried again later, with a growing wait; never given up).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Waiting to be processed"
        PROCESSED = "processed", "Processed"
        UNMATCHED = "unmatched", "For an id on no account"
        FAILED = "failed", "Failed; will be tried again"

    body = models.BinaryField(help_text="The raw body, exactly as signed.")
    body_sha256 = models.CharField("SHA-256 of the body", max_length=64, unique=True)
    received_at = models.DateTimeField(default=clock.now)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # "facebook:1234" for each entry whose id is on no account.
    unmatched_ids = models.JSONField(default=list, blank=True)
    # What it held: {"comments": n, "messages": n, "ignored": n}.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "Meta delivery"
        verbose_name_plural = "Meta deliveries"
        indexes = [
            # What the job takes: waiting or failed, by when it is due.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["received", "failed"]),
                name="metadelivery_due",
            ),
            models.Index(
                fields=["received_at"],
                condition=Q(status="unmatched"),
                name="metadelivery_unmatched",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery #{self.pk}"


class Connection(models.Model):
    """How the product hears from one account, and how that is going.

    A Meta connection is made the first time a delivery names the account (by its
    id on the platform, ``Account.platform_account_id``). A Mastodon connection is
    set up by the City Administrator: the server, and the name of the environment
    variable or setting that holds the access token (tokens never enter the
    database). ``failures`` counts the polls that failed in a row; while it is not
    zero, polling waits longer each time (``next_poll_at``), and a server's rate
    limit is waited out the same way.
    """

    class Kind(models.TextChoices):
        META = "meta", "Meta webhook (Facebook, Instagram, Messenger)"
        MASTODON = "mastodon", "Mastodon polling"

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.PROTECT, related_name="connection"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    server_url = models.URLField(
        "server",
        max_length=300,
        blank=True,
        help_text="The Mastodon server's address, e.g. https://mastodon.example.",
    )
    token_name = models.CharField(
        "token variable",
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                rf"^{TOKEN_NAME_PREFIX}[A-Z0-9_]+$",
                f"Name an environment variable starting with {TOKEN_NAME_PREFIX}, "
                f"in capitals, digits and underscores (e.g. "
                f"{TOKEN_NAME_PREFIX}PARKS).",
            )
        ],
        help_text=(
            "The name of the environment variable (or setting) on the server that "
            "holds this account's access token. The token itself is never stored "
            "here."
        ),
    )
    # Where the next poll starts (the server's pagination ids, min_id).
    notifications_cursor = models.CharField(max_length=ID_MAX, blank=True)
    conversations_cursor = models.CharField(max_length=ID_MAX, blank=True)
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Backoff: no poll before this time (errors, a rate limit).
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # Held by the poll under way, so two polls never run at once.
    polling_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["account__platform__name", "account__handle"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="mastodon")
                | (~Q(server_url="") & ~Q(("token_name", ""))),
                name="connection_mastodon_has_server_and_token_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.account}"


class CapturedComment(followups.FollowUpFields):
    """A public comment on one of the city's accounts, as captured.

    ``state`` follows what the platform reported: visible, hidden by the page, or
    removed. Every text seen is a :class:`CommentVersion`; ``text`` is the
    latest. The retention purge clears the text, the author and the versions once
    the schedule no longer keeps the comment (``redacted_at``); the row stays as a
    tombstone with its ids and dates.
    """

    class Source(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        MASTODON = "mastodon", "Mastodon"

    class State(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by the page"
        REMOVED = "removed", "Removed"

    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="captured_comments",
        db_index=False,  # the unique (account, comment id) index leads with it
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    comment_id = models.CharField("comment id", max_length=ID_MAX)
    post_id = models.CharField("post id", max_length=ID_MAX, blank=True)
    parent_id = models.CharField("replying to", max_length=ID_MAX, blank=True)
    url = models.URLField("link", max_length=1000, blank=True)
    author_id = models.CharField("author's id", max_length=ID_MAX, blank=True)
    author_name = models.CharField("author", max_length=NAME_MAX, blank=True)
    author_handle = models.CharField("author's handle", max_length=NAME_MAX, blank=True)
    text = BoundedTextField(max_length=TEXT_MAX, blank=True)
    # True when the comment is the page's own (a reply by the city).
    by_account = models.BooleanField(default=False)
    posted_at = models.DateTimeField()
    captured_at = models.DateTimeField(default=clock.now)
    # The last time the platform reported on it: its retention counts from here.
    last_seen_at = models.DateTimeField(default=clock.now)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.VISIBLE
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "comment_id"],
                name="capturedcomment_once_per_account",
            ),
            followups.recorded_fully("capturedcomment_follow_up_recorded_fully"),
            models.CheckConstraint(
                condition=Q(redacted_at__isnull=True)
                | (Q(text="") & Q(author_name="") & Q(author_handle="")),
                name="capturedcomment_tombstone_holds_no_content",
            ),
        ]
        indexes = [
            models.Index(
                fields=["follow_up_flagged_at"],
                condition=Q(
                    follow_up_flagged_at__isnull=False, follow_up_at__isnull=True
                ),
                name="comment_follow_up_waiting",
            ),
        ]

    def __str__(self) -> str:
        # Never the author or the text: audit labels hold no personal data.
        return f"Captured comment #{self.pk}"

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None

    @property
    def waiting_for_follow_up(self) -> bool:
        return followups.is_waiting(self)


# What a comment said stands as captured (P20: the city never edits a public
# comment): only the retention purge may clear a version's text (R2, R4).
VERSION_RULE = immutable.AppendOnly(redactable=("text",))


class CommentVersion(immutable.AppendOnlyModel):
    """One text of a captured comment: the first as posted, then each edit.

    Append-only (core.immutable): a version is never changed or deleted; the
    purge's escape may only clear its text.
    """

    class Verb(models.TextChoices):
        ADD = "add", "As posted"
        EDITED = "edited", "Edited"

    comment = models.ForeignKey(
        CapturedComment, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    verb = models.CharField(max_length=20, choices=Verb.choices)
    text = BoundedTextField(max_length=TEXT_MAX, blank=True)
    # When the platform says it was posted or edited, if it says.
    at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(default=clock.now)

    append_only = VERSION_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["comment", "number"]
        triggers = VERSION_RULE.triggers()
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "number"], name="commentversion_numbered"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of comment #{self.comment_id}"


class DraftRemoval(models.Model):
    """A hide or delete the platform reported, not yet a removal decision.

    ``pending`` (on the account's managers' dashboard) -> ``completed`` (a manager
    logged it through moderation's removal service with its categories, facts and
    reasoning, P21: ``decision``) or ``not_removal`` (e.g. the author deleted it,
    with the reason). A removal decision is never made without a category, so the
    platform's report waits here until a person gives one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a manager"
        COMPLETED = "completed", "Logged as a removal"
        NOT_REMOVAL = "not_removal", "Not a removal"

    class Action(models.TextChoices):
        # The values of moderation's RemovalDecision.PlatformAction.
        HIDDEN = "hidden", "Hidden on the platform"
        DELETED = "deleted", "Deleted on the platform"

    comment = models.ForeignKey(
        CapturedComment, on_delete=models.PROTECT, related_name="drafts"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # When the platform reported the hide or delete.
    detected_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decision = models.ForeignKey(
        "moderation.RemovalDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("why it is not a removal", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="pending"),
                name="draftremoval_one_pending_per_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(decision__isnull=False),
                name="draftremoval_completed_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_removal") | ~Q(reason=""),
                name="draftremoval_not_removal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(closed_at__isnull=False) & Q(closed_by__isnull=False)),
                name="draftremoval_closed_records_who",
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "detected_at"],
                condition=Q(status="pending"),
                name="draftremoval_pending",
            )
        ]

    def __str__(self) -> str:
        return f"Draft removal #{self.pk}"
