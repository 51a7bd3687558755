"""What every app shares: timestamps, the audit trail and the city's holidays."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.formats import date_format

from core import clock


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

    Append-only and hash-chained: each event's ``hash`` covers its own content and
    the previous event's hash, so ``manage.py verify_audit`` detects an event that
    was altered or removed. Each hash is signed with a secret key outside the
    database (``AUDIT_HMAC_KEY``, ``hmac``), so someone who can write to the table
    cannot recompute the chain. Personal data (names, handles, message text) is kept
    apart in ``personal``, covered by ``personal_digest``: the retention purge may
    clear it (R4, P25) without breaking the chain, and says so in a new event.
    On PostgreSQL a trigger refuses UPDATE (other than that redaction) and DELETE.
    """

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
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    personal = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    personal_digest = models.CharField(max_length=64, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC-SHA256 of ``hash`` with the audit key, and that key's id: without the
    # key, a rewritten event cannot be given a valid signature (core.audit_signing).
    hmac_key_id = models.CharField(max_length=16, blank=True)
    hmac = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_label}".strip()

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
