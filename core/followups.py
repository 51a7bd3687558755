"""P19 follow-ups: what a message and a captured comment share.

P19: "When a resident starts a request, application or question through social media
that affects city business or needs another city process, the city follows up by
phone, email or another channel." A record that can start such a request
(``retention.Message``, ``platforms.CapturedComment``) inherits the fields of
:class:`FollowUpFields` and declares :func:`recorded_fully` among its constraints;
its app's services lock it, check who may act on it (``require``) and call
:func:`flag` or :func:`record` here, which save it and record one audit event. The
forms, and the staff page's parts (``core/_follow_up_forms.html``,
``_follow_up_status.html``), are shared too;
the purge of each record's series keeps it while it waits (:func:`waiting_q`) and
clears the note when it destroys it (the reference stays).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import audit, clock
from core.exceptions import DomainError, InvalidTransition

REFERENCE_MAX = 100
NOTE_MAX = 2000

# What the services save: flagging, then recording.
FLAG_FIELDS = [
    "follow_up_flagged_at",
    "follow_up_flagged_by",
    "follow_up_due_on",
    "follow_up_reference",
]
RECORD_FIELDS = [
    "follow_up_flagged_at",
    "follow_up_flagged_by",
    "follow_up_channel",
    "follow_up_note",
    "follow_up_reference",
    "follow_up_at",
    "follow_up_by",
]


class Channel(models.TextChoices):
    """How the city followed up (P19: phone, email or another channel)."""

    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    OTHER = "other", "Other"


class FollowUpFields(models.Model):
    """The follow-up of a record that starts a business request (P19)."""

    follow_up_flagged_at = models.DateTimeField(null=True, blank=True)
    follow_up_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # each index on a purged table costs a write per row
    )
    follow_up_due_on = models.DateField(
        "follow-up due",
        null=True,
        blank=True,
        help_text="When the city should have followed up by.",
    )
    follow_up_reference = models.CharField(
        "process reference",
        max_length=REFERENCE_MAX,
        blank=True,
        help_text="The city process that handles the request: a service request, "
        "permit application or case number.",
    )
    follow_up_channel = models.CharField(
        "how the city followed up",
        max_length=10,
        choices=Channel.choices,
        blank=True,
    )
    follow_up_note = models.TextField(
        "follow-up note",
        max_length=NOTE_MAX,
        blank=True,
        help_text="What was done: who was called or written to, and the outcome.",
    )
    follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True


def recorded_fully(name: str) -> models.CheckConstraint:
    """A follow-up is recorded with who flagged it, who followed up and how."""
    return models.CheckConstraint(
        condition=Q(follow_up_at__isnull=True)
        | (
            Q(follow_up_flagged_at__isnull=False)
            & Q(follow_up_by__isnull=False)
            & ~Q(follow_up_channel="")
        ),
        name=name,
    )


def waiting_q(prefix: str = "") -> Q:
    """The records flagged whose follow-up is not recorded yet (P19)."""
    return Q(
        **{
            f"{prefix}follow_up_flagged_at__isnull": False,
            f"{prefix}follow_up_at__isnull": True,
        }
    )


#: The order of a list of waiting records: the soonest due first, those with no
#: due date last.
SOONEST_DUE = (F("follow_up_due_on").asc(nulls_last=True), "follow_up_flagged_at", "id")


def is_waiting(record: Any) -> bool:
    return record.follow_up_flagged_at is not None and record.follow_up_at is None


def flag(
    record: Any, *, by: Any, due_on: date, reference: str = "", action: str
) -> None:
    """Flag ``record`` as a business request due by ``due_on`` (P19), save it and
    record the audit event ``action``. Refuses a record already flagged and a due
    date in the past. The caller has locked the record and checked ``by``."""
    if record.follow_up_flagged_at is not None:
        raise InvalidTransition(f"{record} is already flagged for follow-up.")
    if due_on < clock.today():
        raise DomainError(
            "The follow-up due date is in the past.", field="follow_up_due_on"
        )
    record.follow_up_flagged_at = clock.now()
    record.follow_up_flagged_by = by
    record.follow_up_due_on = due_on
    record.follow_up_reference = reference.strip()
    _save(record, FLAG_FIELDS)
    audit.record_event(
        action=action,
        target=record,
        actor=by,
        data={"due_on": due_on, "reference": record.follow_up_reference},
    )


def record(
    record: Any,
    *,
    by: Any,
    channel: str,
    note: str,
    reference: str = "",
    action: str,
) -> None:
    """Record how the city followed up ``record`` (P19), what was done (the note)
    and the process that took it on; save it and record the audit event
    ``action``. A record not flagged before is flagged now, by the same person.
    The caller has locked the record and checked ``by``."""
    if channel not in Channel.values:
        raise DomainError("Choose phone, email or other.", field="follow_up_channel")
    if not note.strip():
        raise DomainError(
            "Say what was done: who was contacted and the outcome.",
            field="follow_up_note",
        )
    if record.follow_up_at is not None:
        raise InvalidTransition(
            f"The follow-up of {record} was already recorded on "
            f"{clock.moment_text(record.follow_up_at)} by {record.follow_up_by}."
        )
    now = clock.now()
    if record.follow_up_flagged_at is None:
        record.follow_up_flagged_at = now
        record.follow_up_flagged_by = by
    record.follow_up_channel = channel
    record.follow_up_note = note.strip()
    if reference.strip():
        record.follow_up_reference = reference.strip()
    record.follow_up_at = now
    record.follow_up_by = by
    _save(record, RECORD_FIELDS)
    audit.record_event(
        action=action,
        target=record,
        actor=by,
        data={"channel": channel, "reference": record.follow_up_reference},
        # The note may name the resident: personal, cleared by the purge (R4).
        personal={"note": record.follow_up_note},
    )


def _save(record: Any, fields: list[str]) -> None:
    record.full_clean()
    record.save(update_fields=fields)


# --- Forms: subclass with ``class Meta(FlagForm.Meta): model = YourModel`` ------


class FlagForm(forms.ModelForm):
    """Flag a business request (P19): when the follow-up is due, and the city
    process that handles it."""

    class Meta:
        fields = ["follow_up_due_on", "follow_up_reference"]
        widgets = {"follow_up_due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_due_on"].required = True


class RecordForm(forms.ModelForm):
    """Record the follow-up (P19): how, what was done, the process reference."""

    class Meta:
        fields = ["follow_up_channel", "follow_up_note", "follow_up_reference"]
        widgets = {
            "follow_up_channel": forms.RadioSelect,
            "follow_up_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["follow_up_channel"]
        channel.required = True
        channel.choices = Channel.choices  # type: ignore[attr-defined]
        self.fields["follow_up_note"].required = True
