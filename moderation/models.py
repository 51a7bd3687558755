"""Comment removals against the eight categories of the policy (P20, P21, P22).

A :class:`RemovalDecision` is the city's record of one public comment it removed. It
stands as made: corrections, the note that the author was told, evidence added later
and a restoration after appeal are appended as :class:`RemovalAmendment` rows. See
``moderation.services`` for the only ways records are created.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connection, models

from core import clock
from core.classification import classification_field

# Columns holding personal data (P24/R2): the only ones the retention redaction may
# overwrite, and the ones that go in ``personal=`` of audit events, never ``data=``.
DECISION_PERSONAL_FIELDS = (
    "author_name",
    "author_handle",
    "comment_url",
    "comment_text",
    "notification_text",
)
AMENDMENT_PERSONAL_FIELDS = ("old_value", "new_value", "notification_text")
EVIDENCE_PERSONAL_FIELDS = ("file", "original_name")

# The PostgreSQL setting the retention purge sets (``SET LOCAL``) to destroy or
# redact these records; the triggers of migration 0004 honour it, and so does the
# model layer (see :func:`retention_purge`).
PURGE_SETTING = "citysocial.retention_purge"
_purge_flag: ContextVar[bool] = ContextVar("moderation_retention_purge", default=False)


class RemovalImmutableError(Exception):
    """Raised on any attempt to change or delete a recorded removal (P20 spirit)."""


def purge_allowed() -> bool:
    """Return True inside a retention purge (R2, R4), the one exception to
    immutability: the context manager below, or on PostgreSQL a transaction that
    has ``SET LOCAL citysocial.retention_purge = 'on'``."""
    if _purge_flag.get():
        return True
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [PURGE_SETTING])
            row = cursor.fetchone()
        return bool(row and row[0] == "on")
    return False


@contextmanager
def retention_purge() -> Any:
    """Allow the retention purge to delete or redact removal records.

    Must be entered inside ``transaction.atomic()``; on PostgreSQL it sets the
    transaction-local setting the database triggers check, so the permission ends
    with the transaction.
    """
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            raise RuntimeError("retention_purge() must run inside a transaction")
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
    token = _purge_flag.set(True)
    try:
        yield
    finally:
        _purge_flag.reset(token)
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])


class ImmutableQuerySet(models.QuerySet):
    """Bulk update and delete are refused outside a retention purge."""

    personal_fields: tuple[str, ...] = ()

    def update(self, **kwargs: Any) -> int:
        allowed = {*self.personal_fields, "redacted_at"}
        if not (purge_allowed() and set(kwargs) <= allowed):
            raise RemovalImmutableError(
                "Removal records cannot be changed; append an amendment instead."
            )
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if not purge_allowed():
            raise RemovalImmutableError(
                "Removal records cannot be deleted, except by the retention purge."
            )
        return super().delete()


class ImmutableModel(models.Model):
    """Saved once, never changed; deleted only by the retention purge."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not purge_allowed():
            raise RemovalImmutableError(
                f"{self} cannot be changed; append an amendment instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not purge_allowed():
            raise RemovalImmutableError(
                f"{self} cannot be deleted, except by the retention purge."
            )
        return super().delete(*args, **kwargs)


class RemovalCategory(models.Model):
    """One of the eight reasons for which a public comment may be removed (P21).

    The eight rows are created by a data migration and cannot be added, deleted or
    renamed through the product; a city may add a local explanation.
    """

    LINKS = 8  # P21(8): hyperlinks to material in any other category

    number = models.PositiveSmallIntegerField(unique=True)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    explanation = models.TextField(
        help_text="Plain-language explanation for residents."
    )
    local_explanation = models.TextField(
        blank=True, help_text="Optional extra explanation the city adds."
    )

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "removal categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=8),
                name="removalcategory_number_1_to_8",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def full_explanation(self) -> str:
        """Return our explanation followed by the city's own, when it added one."""
        if self.local_explanation.strip():
            return f"{self.explanation} {self.local_explanation.strip()}"
        return self.explanation


class RemovalDecisionQuerySet(ImmutableQuerySet):
    personal_fields = DECISION_PERSONAL_FIELDS

    def author_not_told(self) -> RemovalDecisionQuerySet:
        """Decisions whose author was neither told at logging nor since."""
        return self.filter(notified_via=RemovalDecision.NotifiedVia.NOT_YET).exclude(
            models.Exists(
                RemovalAmendment.objects.filter(
                    decision=models.OuterRef("pk"),
                    kind=RemovalAmendment.Kind.AUTHOR_NOTIFIED,
                )
            )
        )

    def restored(self) -> RemovalDecisionQuerySet:
        return self.filter(
            models.Exists(
                RemovalAmendment.objects.filter(
                    decision=models.OuterRef("pk"),
                    kind=RemovalAmendment.Kind.RESTORATION,
                )
            )
        )


class RemovalAmendmentQuerySet(ImmutableQuerySet):
    personal_fields = AMENDMENT_PERSONAL_FIELDS


class RemovalEvidenceQuerySet(ImmutableQuerySet):
    personal_fields = EVIDENCE_PERSONAL_FIELDS


class RemovalDecision(ImmutableModel):
    """The record of one public comment the city removed (P20, P21, P22).

    Immutable: once saved, a decision is never changed or deleted through the
    product. Corrections, the note that the author was told, evidence added later
    and a restoration after appeal are appended as ``RemovalAmendment`` rows
    (``moderation.services.removal_amend`` / ``removal_notify_author`` /
    ``removal_restore``). This is enforced in the model layer (``save``/``delete``
    and bulk ``update``/``delete`` raise :class:`RemovalImmutableError`), the admin
    (read-only), the services (create-only), and on PostgreSQL by triggers (migration
    0004) on this table, its categories, amendments and evidence.

    The one exception is the retention purge (R2, R4): inside a transaction that
    has run ``SET LOCAL citysocial.retention_purge = 'on'`` (or used
    :func:`moderation.models.retention_purge`, which sets it), the triggers allow
    DELETE, and an UPDATE that changes only the personal columns
    (``DECISION_PERSONAL_FIELDS``) and ``redacted_at``. ``moderation.services.
    removal_purge`` and ``removal_redact`` do both, files and audit included.

    ``__str__`` is a reference (``Removal #12``) that holds no personal data.
    """

    class PlatformAction(models.TextChoices):
        HIDDEN = "hidden", "Hidden on the platform"
        DELETED = "deleted", "Deleted on the platform"

    class NotifiedVia(models.TextChoices):
        NOT_YET = "", "Not told yet"
        REPLY = "reply", "Reply on the platform"
        MESSAGE = "message", "Direct message on the platform"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        OTHER = "other", "Other"
        UNREACHABLE = "unreachable", "Cannot be told (no way to reach the author)"

    # db_index=False: the composite indexes in Meta lead with these columns.
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="removals",
        db_index=False,
    )
    comment_id = models.CharField(
        "comment id",
        max_length=200,
        help_text="The platform's id of the comment.",
    )
    comment_url = models.URLField("comment URL", max_length=1000)
    author_name = models.CharField("author's display name", max_length=200)
    author_handle = models.CharField("author's handle", max_length=200, blank=True)
    comment_text = models.TextField(
        help_text="The comment exactly as it was posted (a snapshot)."
    )
    posted_at = models.DateTimeField("posted at")
    removed_at = models.DateTimeField("removed at")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    categories = models.ManyToManyField(
        RemovalCategory, through="RemovalDecisionCategory", related_name="decisions"
    )
    link_to_material = models.URLField(
        "link to the offending material",
        max_length=1000,
        blank=True,
        help_text="P21(8): the address the comment's link points to.",
    )
    facts = models.TextField(
        "facts relied on", help_text="What the comment said or showed."
    )
    reasoning = models.TextField(
        help_text="Why it falls into the categories ticked, in a few sentences."
    )
    platform_action = models.CharField(
        max_length=10, choices=PlatformAction.choices, default=PlatformAction.HIDDEN
    )
    notified_via = models.CharField(
        "author told",
        max_length=12,
        choices=NotifiedVia.choices,
        default=NotifiedVia.NOT_YET,
        blank=True,
    )
    notified_at = models.DateTimeField("author told at", null=True, blank=True)
    notification_text = models.TextField("text sent to the author", blank=True)
    notice_version = models.ForeignKey(
        "notices.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The public notice version that was live when this was logged.",
    )
    classification = classification_field()
    created_at = models.DateTimeField(default=clock.now, editable=False)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RemovalDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_at", "-id"]
        verbose_name = "removal decision"
        indexes = [
            models.Index(
                models.F("removed_at").desc(),
                models.F("id").desc(),
                name="removal_removed_at_desc",
            ),
            models.Index(
                fields=["account", "-removed_at"], name="removal_account_removed"
            ),
            models.Index(
                fields=["removed_by", "-removed_at"], name="removal_remover_removed"
            ),
            models.Index(fields=["comment_id"], name="removal_comment_id"),
            models.Index(
                fields=["notified_via", "-removed_at"], name="removal_notified"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__gte=models.F("posted_at")),
                name="removal_removed_after_posted",
            ),
            models.CheckConstraint(
                condition=models.Q(platform_action__in=["hidden", "deleted"]),
                name="removal_platform_action_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(comment_id="")
                & ~models.Q(facts="")
                & ~models.Q(reasoning=""),
                name="removal_required_text",
            ),
            models.CheckConstraint(
                condition=models.Q(redacted_at__isnull=False)
                | ~models.Q(comment_text=""),
                name="removal_comment_snapshot_required",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(notified_via="", notified_at__isnull=True)
                    | models.Q(notified_via="unreachable")
                    | (
                        models.Q(
                            notified_via__in=[
                                "reply",
                                "message",
                                "email",
                                "letter",
                                "other",
                            ],
                            notified_at__isnull=False,
                        )
                        & (
                            ~models.Q(notification_text="")
                            | models.Q(redacted_at__isnull=False)
                        )
                    )
                ),
                name="removal_notification_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Removal #{self.pk}" if self.pk else "New removal"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("moderation:removal-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return str(self)


class RemovalDecisionCategory(ImmutableModel):
    """A category ticked on a decision (P21); at least one per decision, enforced by
    the service and, on PostgreSQL, by a deferred constraint trigger."""

    decision = models.ForeignKey(
        RemovalDecision, on_delete=models.CASCADE, related_name="category_links"
    )
    category = models.ForeignKey(
        RemovalCategory, on_delete=models.PROTECT, related_name="+"
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "removal category ticked"
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "category"], name="removal_category_once"
            )
        ]
        indexes = [
            models.Index(fields=["category", "decision"], name="removal_cat_decision")
        ]

    def __str__(self) -> str:
        return f"Removal #{self.decision_id}: category {self.category_id}"


class RemovalAmendment(ImmutableModel):
    """Something appended to a decision after it was logged; never edited itself.

    * ``correction``: ``field`` was wrong; ``old_value`` -> ``new_value``.
    * ``author_notified``: the author was told (how, when, the text sent).
    * ``evidence_added``: a screenshot or PDF was attached later.
    * ``restoration``: the comment was restored, usually after an appeal (P22);
      ``appeal_id``/``appeal_reference`` name the appeal when there was one.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        AUTHOR_NOTIFIED = "author_notified", "Author told"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        RESTORATION = "restoration", "Comment restored"

    decision = models.ForeignKey(
        RemovalDecision, on_delete=models.PROTECT, related_name="amendments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    notified_via = models.CharField(
        max_length=12, choices=RemovalDecision.NotifiedVia.choices, blank=True
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    notification_text = models.TextField(blank=True)
    appeal_id = models.PositiveBigIntegerField(null=True, blank=True)
    appeal_reference = models.CharField(max_length=40, blank=True)
    reason = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=clock.now)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RemovalAmendmentQuerySet.as_manager()

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [
            models.Index(fields=["decision", "kind"], name="removal_amend_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="removal_amendment_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="correction") | ~models.Q(field=""),
                name="removal_amendment_correction_field",
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(kind="restoration"),
                name="removal_restored_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Removal #{self.decision_id} amendment #{self.pk}"


def evidence_upload_to(instance: RemovalEvidence, filename: str) -> str:
    """Store under a random name: the uploader's file name is kept only as data."""
    suffix = {"jpeg": "jpg"}.get(instance.kind, instance.kind) or "bin"
    return f"moderation/evidence/{clock.today():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class RemovalEvidence(ImmutableModel):
    """A screenshot (image) or PDF of the removed comment, checked by content and
    kept with its SHA-256; served only through a permission-checked staff view."""

    decision = models.ForeignKey(
        RemovalDecision, on_delete=models.PROTECT, related_name="evidence"
    )
    amendment = models.ForeignKey(
        RemovalAmendment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=clock.now)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RemovalEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "removal evidence"

    def __str__(self) -> str:
        return f"Removal #{self.decision_id} evidence #{self.pk}"
