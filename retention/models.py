"""Messages, retention schedules, legal holds, disaster periods and the destruction
log (P2, P24, P25, R1-R5).

A :class:`Message` is unread, then read, then destroyed (a tombstone): the purge
(``retention.purge``) clears its content and personal fields once it is read and
nothing keeps it (R1, P25): a legal hold (R3), a declared disaster period (R5) or a
business request whose follow-up is not recorded yet (P19). What each run destroyed
is logged permanently in :class:`DestructionRecord` and :class:`PurgeRun` (R4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format

from core import clock, followups, immutable
from core.classification import classification_field

PLATFORM_ID_MAX = 200
SENDER_MAX = 200
BODY_MAX = 20000
REFERENCE_MAX = followups.REFERENCE_MAX
BASIS_MAX = 100
NOTE_MAX = followups.NOTE_MAX


class Series(models.TextChoices):
    """The record series the retention schedule covers (R2)."""

    MESSAGES = "messages", "Social media messages"
    DISASTER_MESSAGES = (
        "disaster_messages",
        "Social media messages during a declared disaster",
    )
    ACCOUNT_REQUESTS = "account_requests", "Account requests and approvals"
    REMOVAL_DECISIONS = "removal_decisions", "Comment removal decisions"
    APPEALS = "appeals", "Removal appeals and responses"
    LEGALITY_CHALLENGES = "legality_challenges", "Legality challenges and responses"
    AUDIT_EVENTS = "audit_events", "Audit events (personal data)"
    # Registered by the platforms app (retention.series.register).
    CAPTURED_COMMENTS = "captured_comments", "Comments captured from the platforms"
    # Data Practices requests: how long a closed request's records
    # stay held (R3) before its hold is released.
    DATA_REQUESTS = "data_requests", "Data Practices requests"


class Message(followups.FollowUpFields):
    """A message one of the city's accounts received (R1, P24).

    Moves unread -> read (``message_mark_read``) -> destroyed (the purge). A message
    flagged as a business request (P19) is purged only after its follow-up is
    recorded. Destroyed messages keep id, account, platform id, received and read
    times and the run that destroyed them: never the body or the sender.
    """

    class Status(models.TextChoices):
        """Where the message is in R1 (derived from its dates: ``status``)."""

        UNREAD = "unread", "Unread"
        READ = "read", "Read"
        DESTROYED = "destroyed", "Destroyed"

    class Direction(models.TextChoices):
        """P24: messages the city sends are city records as much as those it
        receives. A sent message counts as read when sent (the city wrote it),
        so the purge treats it as it treats a read one (R1, P25), and a hold or a
        disaster period keeps it the same way (R3, R5)."""

        RECEIVED = "received", "Received"
        SENT = "sent", "Sent by the city"

    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="messages",
        # The unique (account, platform id) index already leads with account.
        db_index=False,
    )
    platform_message_id = models.CharField(
        "platform message id",
        max_length=PLATFORM_ID_MAX,
        help_text="The message's id on the platform; unique per account.",
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.RECEIVED
    )
    # The resident: who sent a received message, or to whom the city sent one.
    sender_handle = models.CharField(
        "resident's handle", max_length=SENDER_MAX, blank=True
    )
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(
        "received or sent", help_text="When the message was received or sent."
    )
    imported_at = models.DateTimeField(default=clock.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see destroyed_by_run: each index slows the purge
    )
    classification = classification_field()
    classification_basis = models.CharField(
        "legal basis of the classification",
        max_length=BASIS_MAX,
        blank=True,
        help_text="The statute that makes the data not public, e.g. "
        '"Minn. Stat. 13.46" (P24).',
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by_run = models.ForeignKey(
        "retention.PurgeRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Not indexed: every index on this table costs the purge one write per
        # destroyed row; a run's tombstones are read only to recover a killed run.
        db_index=False,
        # No database foreign key either: its check would run once per destroyed
        # row (the purge sets this column on up to a million rows a run). Runs are
        # never deleted (the admin and the product cannot), so it cannot dangle.
        db_constraint=False,
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        permissions = [
            ("handle_message", "Can mark messages read and follow them up"),
            ("classify_message", "Can change a message's classification"),
            (
                "view_private_message",
                "Can see the private data of messages (Minn. Stat. ch. 13)",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "platform_message_id"],
                name="message_platform_id_unique_per_account",
            ),
            # A sent message is read when sent, by the city (no one person).
            models.CheckConstraint(
                condition=Q(read_at__isnull=True)
                | Q(read_by__isnull=False)
                | Q(direction="sent"),
                name="message_read_records_who",
            ),
            models.CheckConstraint(
                condition=~Q(direction="sent") | Q(read_at__isnull=False),
                name="message_sent_counts_as_read",
            ),
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True)
                | Q(destroyed_by_run__isnull=False),
                name="message_destroyed_by_a_run",
            ),
            followups.recorded_fully("message_follow_up_recorded_fully"),
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True)
                | (Q(body="") & Q(sender_handle="")),
                name="message_tombstone_holds_no_content",
            ),
        ]
        indexes = [
            # What the purge scans: read and not yet destroyed. Destroyed rows
            # leave this index, so the purge never walks past its own tombstones.
            models.Index(
                fields=["id"],
                condition=Q(read_at__isnull=False, destroyed_at__isnull=True),
                name="message_purge_candidates",
            ),
            models.Index(
                fields=["account", "received_at"],
                condition=Q(read_at__isnull=True, destroyed_at__isnull=True),
                name="message_unread",
            ),
            models.Index(
                fields=["follow_up_flagged_at"],
                condition=Q(
                    follow_up_flagged_at__isnull=False, follow_up_at__isnull=True
                ),
                name="message_follow_up_waiting",
            ),
        ]

    def __str__(self) -> str:
        # Never the sender or the text: audit labels must hold no personal data.
        return f"Message #{self.pk}"

    @property
    def is_sent(self) -> bool:
        return self.direction == self.Direction.SENT

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None

    @property
    def waiting_for_follow_up(self) -> bool:
        return followups.is_waiting(self)

    @property
    def status(self) -> str:
        if self.destroyed_at:
            return self.Status.DESTROYED
        return self.Status.READ if self.read_at else self.Status.UNREAD

    @property
    def state(self) -> str:
        return str(self.status)

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class RetentionSchedule(models.Model):
    """One row per record series: how long it is kept and whether the purge may
    destroy it (R2; Minn. Stat. 138.17 allows destruction only under the city's
    approved records retention schedule, whose item this row cites)."""

    class Rule(models.TextChoices):
        UNTIL_READ = "until_read", "Until read"
        YEARS_AFTER_CLOSE = "years_after_close", "Years after the record closes"

    series = models.CharField(max_length=40, choices=Series.choices, unique=True)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For 'years after the record closes': the retention period.",
    )
    schedule_item = models.CharField(
        "schedule item",
        max_length=200,
        blank=True,
        help_text="The item of the city's approved records retention schedule "
        "that authorizes destruction of this series.",
    )
    destruction_enabled = models.BooleanField(
        default=False,
        help_text="The purge destroys this series only when this is on.",
    )
    source = models.TextField(
        blank=True, help_text="Where the rule comes from (policy provision, schedule)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule="years_after_close")
                | Q(years__isnull=False)
                | Q(destruction_enabled=False),
                name="retentionschedule_years_set_when_enabled",
            ),
            models.CheckConstraint(
                condition=Q(destruction_enabled=False) | ~Q(schedule_item=""),
                name="retentionschedule_item_required_when_enabled",
            ),
            models.CheckConstraint(
                condition=Q(rule="years_after_close") | Q(series="messages"),
                name="retentionschedule_until_read_only_for_messages",
            ),
        ]

    def __str__(self) -> str:
        return self.get_series_display()

    @property
    def rule_text(self) -> str:
        if self.rule == self.Rule.UNTIL_READ:
            return "until read"
        if self.years is None:
            return "period not set"
        unit = "year" if self.years == 1 else "years"
        return f"{self.years} {unit} after the record closes"


class LegalHold(models.Model):
    """A hold that stops every purge of the records in its scope (R3).

    The scope combines the dimensions that are set: accounts, a received/record
    date range, a sender handle and record series; an unset dimension matches
    everything, and at least one must be set. A hold stays open until released,
    with who, when and why.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released"

    title = models.CharField(max_length=200)
    reason = models.TextField(help_text="Litigation, data request, investigation...")
    placed_at = models.DateTimeField(default=clock.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accounts = models.ManyToManyField(
        "accounts.Account", blank=True, related_name="legal_holds"
    )
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    sender_handle = models.CharField(max_length=SENDER_MAX, blank=True)
    series = models.JSONField(
        default=list,
        blank=True,
        help_text="Series keys the hold covers; empty covers every series.",
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=models.F("date_to")),
                name="legalhold_date_range_ordered",
            ),
            # Released by a person (``released_by``), or, with it empty, by the
            # schedule's own period; always with the reason (R3).
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | ~Q(release_reason=""),
                name="legalhold_release_recorded",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="legalhold_reason"),
        ]

    def __str__(self) -> str:
        return f"Hold #{self.pk}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None

    @property
    def status(self) -> str:
        return self.Status.OPEN if self.is_open else self.Status.RELEASED

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def covers_series(self, series: str) -> bool:
        return not self.series or series in self.series

    def scope_text(self) -> str:
        parts = []
        records = list(self.records.all())
        if records:
            parts.append(
                f"{len(records)} picked record{'s' if len(records) != 1 else ''}"
            )
        names = [str(a) for a in self.accounts.all()]
        if names:
            parts.append("accounts " + ", ".join(names))
        if self.date_from or self.date_to:
            start, end = (
                date_format(day) if day else "any time"
                for day in (self.date_from, self.date_to)
            )
            parts.append(f"dated {start} to {end}")
        if self.sender_handle:
            parts.append(f"sender {self.sender_handle}")
        if self.series:
            labels = dict(Series.choices)
            parts.append("series " + ", ".join(labels.get(s, s) for s in self.series))
        return "; ".join(parts)


class HeldRecord(models.Model):
    """One record a legal hold keeps by itself (R3): a hold placed on the records
    picked for a Data Practices request, rather than on a scope.

    ``series`` is the record series the record belongs to
    (``retention.series``); ``object_id`` its primary key. The purge never
    destroys a record one of these names while its hold is open.
    """

    hold = models.ForeignKey(
        LegalHold, on_delete=models.PROTECT, related_name="records"
    )
    series = models.CharField(max_length=40, choices=Series.choices)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hold", "series", "object_id"], name="heldrecord_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} #{self.object_id} under hold #{self.hold_id}"


class DisasterPeriod(models.Model):
    """A declared natural or man-made disaster (P2, R5): messages the listed
    accounts received from ``starts_at`` to ``ends_at`` (open-ended while the end
    is not set) are business records, kept under the disaster-messages schedule
    instead of being purged on read."""

    class Status(models.TextChoices):
        OPEN = "open", "Open-ended"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty while the disaster continues."
    )
    accounts = models.ManyToManyField("accounts.Account", related_name="+")
    declared_at = models.DateTimeField(default=clock.now)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="disasterperiod_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status(self) -> str:
        return self.Status.OPEN if self.ends_at is None else self.Status.ENDED

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def is_active(self, at=None) -> bool:  # type: ignore[no-untyped-def]
        at = at or clock.now()
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class PurgeRun(models.Model):
    """One run of the purge: when, how it was started, what it destroyed (R4).

    ``running`` -> ``finished`` or ``failed``; a run still ``running`` when the next
    run takes the purge lock was killed, and becomes ``interrupted`` (its destroyed
    batches are logged then). Never edited or deleted through the product.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (stopped before it finished)"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Scheduled job"
        COMMAND = "command", "manage.py purge"
        STAFF = "staff", "Staff page"

    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    counts = models.JSONField(default=dict, blank=True)
    destroyed_total = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("run_purge", "Can run the purge by hand")]

    def __str__(self) -> str:
        return f"Purge run #{self.pk}"


# Never changed, never deleted, not even by the purge (R4; core.immutable).
DESTRUCTION_LOG_RULE = immutable.AppendOnly()


class DestructionRecord(immutable.AppendOnlyModel):
    """The permanent log of one run's destruction in one series (R4, P25).

    What series, how many items, the date range they covered, under which schedule
    item, by which run, and a SHA-256 over the destroyed items' ids (ascending,
    one per line, UTF-8) so the log can be checked against the tombstones. Never
    the content. Append-only (``core.immutable``): never changed or deleted, not
    even by the purge.
    """

    run = models.ForeignKey(
        PurgeRun, on_delete=models.PROTECT, related_name="destruction_records"
    )
    series = models.CharField(max_length=40, choices=Series.choices)
    schedule_item = models.CharField(max_length=200)
    rule = models.CharField(max_length=80)
    item_count = models.PositiveIntegerField()
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)
    ids_sha256 = models.CharField("SHA-256 of ids", max_length=64)
    recorded_at = models.DateTimeField(default=clock.now)

    append_only = DESTRUCTION_LOG_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "series"], name="destructionrecord_one_per_series"
            )
        ]
        triggers = DESTRUCTION_LOG_RULE.triggers()

    def __str__(self) -> str:
        return f"Destruction #{self.pk}"


class DestroyedItem(models.Model):
    """Which record of a series (other than messages, whose tombstones say it) a
    run destroyed: written in the same transaction as the destruction, so a killed
    run's destruction log can be completed by the next run. Ids and dates only."""

    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=40, choices=Series.choices)
    object_id = models.BigIntegerField()
    record_date = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "object_id"], name="destroyeditem_once"
            )
        ]
        indexes = [models.Index(fields=["run", "series"])]

    def __str__(self) -> str:
        return f"{self.series} #{self.object_id}"
