"""What every app shares: timestamps, the audit trail and the city's holidays."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models, router
from django.utils.formats import date_format

from core import clock, immutable


class BoundedTextField(models.TextField):
    """A TextField whose ``max_length`` is a rule of the record, checked by
    ``full_clean`` as a CharField's is (Django's TextField only passes it to
    the form's widget), so a service refuses what its form would."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# The retention purge may clear an event's personal data (R4, P25); nothing else
# about an event ever changes, and no event is ever deleted (core.immutable).
AUDIT_EVENT_RULE = immutable.AppendOnly(redactable=("personal", "redacted_at"))


class AuditEvent(immutable.AppendOnlyModel):
    """One state change: who, when, from where, what, before and after, and why.

    Append-only and hash-chained. A service records an event inside its own
    transaction with ``core.audit.record_event``, which seals it there and then:
    under the chain's lock it takes the next ``sequence``, the previous event's
    hash (``prev_hash``), its own ``hash`` and the keyed signature of that hash
    (``hmac``, made with ``AUDIT_HMAC_KEY``, a secret kept outside the database).
    ``verify_audit`` detects an event that was altered, inserted or removed, and,
    against the chain head anchored outside the database (``core.anchor``), a cut
    tail or an emptied trail. Personal data (names, handles, message text) is kept
    apart in ``personal``, covered by ``personal_digest``: the retention purge may
    clear it (R4, P25) without breaking the chain, and says so in a new event. The
    one immutability mechanism (``core.immutable``) refuses any other change, any
    deletion and, on PostgreSQL, a TRUNCATE of the table.
    """

    # The event's place in the chain, from 1, without gaps.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (target_type, target_id) index covers it
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    personal = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    personal_digest = models.CharField(max_length=64, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA256 of ``hash`` with the audit key, and that key's id: without the
    # key, a rewritten event cannot be given a valid signature (core.audit_signing).
    hmac_key_id = models.CharField(max_length=16)
    hmac = models.CharField(max_length=64)

    append_only = AUDIT_EVENT_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action"], name="core_auditevent_action"),
        ]
        triggers = AUDIT_EVENT_RULE.triggers()

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_label}".strip()


class Holiday(models.Model):
    """A day the city's offices are closed: not a business day for deadlines."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({date_format(self.date)})"


class OutboxMessage(models.Model):
    """One email to a resident or a staff member, kept until it is sent.

    Written by ``core.outbox.outbox_enqueue`` in the same transaction as the step
    that sends it (an acknowledgment, an answer, a filing's receipt, a reminder),
    so the message exists exactly when the step does, whatever the broker or the
    mail server is doing. The outbox job (``core.outbox.outbox_drain``, run by
    Celery beat every ``OUTBOX_DRAIN_INTERVAL_SECONDS``) sends it:

        pending --sent--> sent
        pending --failed, tries left--> pending (``next_attempt_at`` later)
        pending --failed for the last time, or refused--> gave up
        gave up --a staff member tries again--> pending

    "sent" is final. Core knows no other app: what the message is about is plain
    data (``topic``, ``about``, ``about_url``), and ``permission`` names the
    permission of the staff who handle it (they see it on the dashboard and may
    try it again). The recipient, the body and the last error are personal data:
    the retention purge clears them with the record they belong to
    (``outbox_redact``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        GAVE_UP = "gave_up", "Gave up"

    class Audience(models.TextChoices):
        RESIDENT = "resident", "A resident"
        STAFF = "staff", "A staff member"

    to = models.EmailField(max_length=254)
    reply_to = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    topic = models.CharField(
        max_length=60, help_text='What kind of message, e.g. "appeal.receipt".'
    )
    about = models.CharField(
        max_length=200, help_text="What it is about, as staff read it."
    )
    about_url = models.CharField(
        max_length=300, blank=True, help_text="The staff page where it is handled."
    )
    permission = models.CharField(
        max_length=100,
        validators=[RegexValidator(r"^[a-z0-9_]+\.[a-z0-9_]+\Z")],
        help_text='"app_label.codename" of the staff who handle this message.',
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing email"
        verbose_name_plural = "outgoing emails"
        indexes = [
            # The outbox job's queue: only the few messages still to send.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="core_outbox_due",
            ),
            # The dashboard's panel: what has not gone yet.
            models.Index(
                fields=["status"],
                condition=~models.Q(status="sent"),
                name="core_outbox_unsent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="pending",
                        next_attempt_at__isnull=False,
                        sent_at__isnull=True,
                        gave_up_at__isnull=True,
                    )
                    | models.Q(
                        status="sent",
                        next_attempt_at__isnull=True,
                        sent_at__isnull=False,
                        gave_up_at__isnull=True,
                    )
                    | models.Q(
                        status="gave_up",
                        next_attempt_at__isnull=True,
                        sent_at__isnull=True,
                        gave_up_at__isnull=False,
                    )
                ),
                name="core_outbox_status_dates",
            ),
            # Only a message destroyed under the retention schedule has no address.
            models.CheckConstraint(
                condition=~models.Q(to="") | models.Q(redacted_at__isnull=False),
                name="core_outbox_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Email #{self.pk}: {self.about}"

    @property
    def is_retrying(self) -> bool:
        """Pending after a failed try: it waits for ``next_attempt_at``."""
        return self.status == self.Status.PENDING and self.attempts > 0

    @property
    def is_late(self) -> bool:
        """Due for longer than the outbox job ever takes (three of its intervals,
        at least five minutes): the job is not running (beat, worker or broker)."""
        late_after = timedelta(
            seconds=max(300, 3 * settings.OUTBOX_DRAIN_INTERVAL_SECONDS)
        )
        return (
            self.status == self.Status.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at < clock.now() - late_after
        )


class CleanerConstraintMessagesMixin:
    """Skip, in ``validate_constraints``, the constraints named in
    ``constraints_checked_by_clean``: the model's ``clean()`` checks them itself
    with a message that names the field and the other record, and
    ``full_clean()`` would otherwise say it twice. The database constraints stay
    as the last line of defence."""

    constraints_checked_by_clean: frozenset[str] = frozenset()

    def validate_constraints(self, exclude: Any = None) -> None:
        using = router.db_for_write(self.__class__, instance=self)  # type: ignore[arg-type]
        errors: dict[str, Any] = {}
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            for constraint in constraints:
                if constraint.name in self.constraints_checked_by_clean:
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class PendingFileDeletion(models.Model):
    """A stored file whose record was destroyed, to delete from storage (R3, R4).

    Written in the transaction that destroys the record (``core.files``), so it
    exists exactly when that destruction committed; the file is deleted after the
    commit and the row with it. A row left by a crash is finished by the next
    ``file_deletions_run``. A work list, not a log: the destruction itself is
    logged by the caller (the purge's destruction record).
    """

    storage = models.CharField(max_length=50, default="default")
    name = models.CharField(max_length=500)
    requested_at = models.DateTimeField(default=clock.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        # Never the name: a resident's letter may be named after them.
        return f"Pending file deletion #{self.pk}"
