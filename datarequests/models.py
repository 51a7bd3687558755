"""Data Practices requests (P24; Minn. Stat. ch. 13).

A request is made by a *data subject* ("everything you have about me": answered
within 10 business days, Minn. Stat. 13.04 subd. 3) or by anyone for *public*
data (anonymously if they wish, Minn. Stat. 13.03: answered within the city's
own target, ``CityProfile.data_request_days``). It moves only through
``datarequests.services`` (one transaction and one audit event each):

    received --start--> in progress --release--> released --close--> closed
    received or in progress --pause--> clarification needed / awaiting payment
    clarification needed / awaiting payment --resume--> in progress
    received, in progress, clarification or payment --close--> closed

While paused the clock stops: each pause is recorded (:class:`RequestPause`:
from, to, why) and the due date is recomputed on resume. Records staff pick to
answer it (:class:`PickedRecord`) are held from the purge (R3) under a legal hold
named for the request; the release (:class:`ReleasePackage`) is kept as sent,
never edited. Personal data (the requester's name and contact) lives in these
rows and in the ``personal`` part of audit events; ``__str__`` is the reference.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from appeals.models import (
    ADDRESS_MAX,
    EMAIL_MAX,
    NAME_MAX,
    Channel,
    not_before_earliest,
)
from core import clock, immutable
from core.classification import classification_field
from core.models import BoundedTextField, TimeStampedModel

DESCRIPTION_MAX = 10000
NOTE_MAX = 5000
# Minn. Stat. 13.04 subd. 3: a data subject is answered within 10 business days.
DATA_SUBJECT_DAYS = 10


class DataRequest(TimeStampedModel):
    """One Data Practices request (P24), from its receipt to its close."""

    class Kind(models.TextChoices):
        DATA_SUBJECT = "data_subject", "Data about me (data subject, 13.04)"
        PUBLIC = "public", "Public data (anyone, 13.03)"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        CLARIFICATION = "clarification", "Clarification needed"
        AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
        IN_PROGRESS = "in_progress", "In progress"
        RELEASED = "released", "Released"
        CLOSED = "closed", "Closed"

    class IdentityMethod(models.TextChoices):
        PHOTO_ID = "photo_id", "Government photo ID seen in person"
        NOTARIZED = "notarized", "Notarized statement"
        KNOWN_CONTACT = "known_contact", "Verified through contact on record"
        OTHER = "other", "Other (described)"

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.CLARIFICATION,
        Status.AWAITING_PAYMENT,
        Status.IN_PROGRESS,
    )
    PAUSED_STATUSES = (Status.CLARIFICATION, Status.AWAITING_PAYMENT)
    REFERENCE_PREFIX = "DR"

    reference = models.CharField(max_length=20, editable=False)
    status_token = models.CharField(
        max_length=64,
        editable=False,
        help_text="Random secret in the requester's private status link.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    received_on = models.DateField(
        default=clock.today, validators=[not_before_earliest]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Who asked (personal data). A public-data request may be anonymous (13.03).
    name = models.CharField(max_length=NAME_MAX, blank=True)
    email = models.EmailField(max_length=EMAIL_MAX, blank=True)
    postal_address = BoundedTextField(max_length=ADDRESS_MAX, blank=True)
    handles = models.CharField(
        max_length=500,
        blank=True,
        help_text="The requester's names or handles on the city's accounts, "
        "separated by commas (for a data subject: how records name them).",
    )
    description = BoundedTextField(
        "what is asked",
        max_length=DESCRIPTION_MAX,
        help_text="The records asked for, in the requester's words.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    due_on = models.DateField(db_index=True)
    # Identity of a data subject, checked before anything is released (13.04).
    identity_method = models.CharField(
        max_length=20, choices=IdentityMethod.choices, blank=True
    )
    identity_note = models.CharField(max_length=300, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    # Cost of copies (13.03 subd. 3(c)): pages times the per-page rate.
    copy_pages = models.PositiveIntegerField(null=True, blank=True)
    cost_per_page = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    released_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    close_note = models.TextField(blank=True)
    holds_released_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    classification = classification_field(default="private")

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [
            ("handle_datarequest", "Can handle Data Practices requests"),
            ("search_records", "Can search records for a Data Practices request"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="datarequest_reference"),
            models.UniqueConstraint(
                fields=["status_token"], name="datarequest_status_token"
            ),
            # 13.04: a data subject is identified; 13.03: the public need not be.
            models.CheckConstraint(
                condition=~models.Q(kind="data_subject") | ~models.Q(name=""),
                name="datarequest_subject_named",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="data_subject")
                | ~models.Q(status="released")
                | models.Q(identity_verified_at__isnull=False),
                name="datarequest_subject_verified_before_release",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | models.Q(closed_at__isnull=False),
                name="datarequest_close_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status in self.PAUSED_STATUSES

    @property
    def is_anonymous(self) -> bool:
        return not self.name

    @property
    def subject_terms(self) -> list[str]:
        """Who a data subject is, as records may name them: their name, email
        and handles."""
        handles = [h.strip() for h in self.handles.split(",")]
        return [t for t in [self.name, self.email, *handles] if t]

    @property
    def identity_verified(self) -> bool:
        return self.identity_verified_at is not None

    @property
    def cost_estimate(self) -> Decimal | None:
        """Pages times the per-page rate, once staff have filled both in."""
        if self.copy_pages is None or self.cost_per_page is None:
            return None
        return (self.cost_per_page * self.copy_pages).quantize(Decimal("0.01"))

    def get_absolute_url(self) -> str:
        return reverse("datarequests:staff-request", args=[self.pk])

    def get_status_url(self) -> str:
        return reverse("datarequests:status", args=[self.status_token])


class RequestPause(models.Model):
    """A stop of the request's clock while the city waits for the requester
    (a clarification, or payment for copies): from when, to when, and why."""

    class Why(models.TextChoices):
        CLARIFICATION = "clarification", "Waiting for a clarification"
        PAYMENT = "payment", "Waiting for payment"

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="pauses"
    )
    why = models.CharField(max_length=20, choices=Why.choices)
    note = models.CharField(max_length=500, blank=True)
    paused_on = models.DateField()
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resumed_on = models.DateField(null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    business_days = models.PositiveIntegerField(
        default=0, help_text="Business days the clock stood still."
    )

    class Meta:
        ordering = ["paused_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resumed_on__isnull=True)
                | models.Q(resumed_on__gte=models.F("paused_on")),
                name="requestpause_resumed_after_paused",
            )
        ]

    def __str__(self) -> str:
        return f"Pause of {self.request} from {self.paused_on}"


class PickedRecord(models.Model):
    """A record staff picked as answering the request, held from the purge (R3)."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="picked"
    )
    source = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    label = models.CharField(max_length=300)
    hold = models.ForeignKey(
        "retention.LegalHold", on_delete=models.PROTECT, related_name="+"
    )
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    picked_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["source", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "source", "object_id"], name="pickedrecord_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


# Never changed; deleted only by the retention purge with its request (R2).
RELEASE_RULE = immutable.AppendOnly(purge_deletes=True)


class ReleasePackage(immutable.AppendOnlyModel):
    """The package released to the requester (a ZIP under MEDIA), kept exactly
    as released: never changed, deleted only when the purge destroys its request
    under the schedule (``core.immutable``)."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="packages"
    )
    file = models.FileField(upload_to="datarequests/released/%Y/%m/", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    record_count = models.PositiveIntegerField()
    withheld_count = models.PositiveIntegerField()
    released_at = models.DateTimeField(default=clock.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    append_only = RELEASE_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-released_at", "-id"]
        triggers = RELEASE_RULE.triggers()

    def __str__(self) -> str:
        return f"Release #{self.pk} of {self.request}"


class RequestConsultation(TimeStampedModel):
    """The City Attorney's privileged notes on a request (as for legality
    challenges, ``appeals.AttorneyConsultation``): only those holding
    ``datarequests.view_requestconsultation`` read them. Recorded, never edited."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="consultations"
    )
    attorney = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consulted_on = models.DateField(default=clock.today)
    notes = BoundedTextField(max_length=NOTE_MAX * 4)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    classification = classification_field(default="confidential")

    class Meta:
        ordering = ["consulted_on", "id"]

    def __str__(self) -> str:
        return f"Consultation #{self.pk} on {self.request.reference}"


class ReminderDay(models.Model):
    """One day's deadline reminders: the unique date makes the job write them
    once a day (as ``appeals.ReminderRun``)."""

    run_on = models.DateField(unique=True)
    emails = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return f"Reminders of {self.run_on}"
