"""What every app shares: timestamps, the audit trail and the city's holidays."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.formats import date_format

from core import clock


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


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        allowed = {"personal", "redacted_at"}
        if set(kwargs) - allowed:
            raise AuditImmutableError("Audit events cannot be changed.")
        return super().update(**kwargs)

    def delete(self):  # type: ignore[no-untyped-def]
        raise AuditImmutableError("Audit events cannot be deleted.")


class AuditImmutableError(Exception):
    """Raised on any attempt to change or delete a recorded audit event."""


class AuditEvent(models.Model):
    """One state change: who, when, from where, what, before and after, and why.

    Append-only and hash-chained. A service records an event inside its own
    transaction with ``core.audit.record_event``: the event is signed at once with a
    secret key outside the database (``origin_mac``, ``AUDIT_HMAC_KEY``), so a row
    written by anything but this application is detected. The sealing job
    (``core.audit.seal_events``, every ``AUDIT_SEAL_INTERVAL_SECONDS``, and first
    thing in ``manage.py verify_audit``) then gives each event its place in the
    chain: ``sequence``, the previous event's hash, its own ``hash`` and the keyed
    signature of that hash (``hmac``). Sealing apart keeps the chain's one lock out
    of every request: filings and removals never wait for each other's commits.
    ``verify_audit`` detects an event that was altered, inserted or removed, or
    left unsealed. Personal data (names, handles, message text) is kept apart in
    ``personal``, covered by ``personal_digest``: the retention purge may clear it
    (R4, P25) without breaking the chain, and says so in a new event. On PostgreSQL
    a trigger refuses DELETE and any UPDATE other than that redaction and sealing.
    """

    # Empty until sealed: the event's place in the chain.
    sequence = models.PositiveBigIntegerField(
        unique=True, null=True, blank=True, editable=False
    )
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
    # Random and unique, and covered by the origin signature: a copy of a genuine
    # row (same uid, same signature) is refused by the database and reported.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    # Signed when recorded: "key id:HMAC-SHA256" of the event's content and uid.
    origin_mac = models.CharField(max_length=81, blank=True)
    # Set when sealed (empty until then).
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    # HMAC-SHA256 of ``hash`` with the audit key, and that key's id: without the
    # key, a rewritten event cannot be given a valid signature (core.audit_signing).
    hmac_key_id = models.CharField(max_length=16, blank=True)
    hmac = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["uid"], name="core_auditevent_uid"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action"], name="core_auditevent_action"),
            # The sealing job's queue: only the few events not yet sealed.
            models.Index(
                fields=["id"],
                condition=models.Q(sequence__isnull=True),
                name="core_auditevent_unsealed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_label}".strip()

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditImmutableError("Audit events cannot be deleted.")


class Holiday(models.Model):
    """A day the city's offices are closed: not a business day for deadlines."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({date_format(self.date)})"


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
