"""Comment removals against the eight categories of the policy (P20, P21, P22).

A :class:`RemovalDecision` is the city's record of one public comment it removed. It
stands as made: corrections, the note that the author was told, evidence added later
and a restoration after appeal are appended as :class:`RemovalAmendment` rows. See
``moderation.services`` for the only ways records are created.
"""

from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.db import models

from core import clock, immutable
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

# What the retention purge may clear (R2, R4), and that it may destroy these
# records; nothing else about them ever changes (core.immutable, P20 spirit).
DECISION_RULE = immutable.AppendOnly(
    redactable=(*DECISION_PERSONAL_FIELDS, "redacted_at"), purge_deletes=True
)
CATEGORY_RULE = immutable.AppendOnly(purge_deletes=True)
AMENDMENT_RULE = immutable.AppendOnly(
    redactable=(*AMENDMENT_PERSONAL_FIELDS, "redacted_at"), purge_deletes=True
)
EVIDENCE_RULE = immutable.AppendOnly(
    redactable=(*EVIDENCE_PERSONAL_FIELDS, "redacted_at"), purge_deletes=True
)


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


class RemovalDecisionQuerySet(immutable.AppendOnlyQuerySet):
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


class RemovalDecision(immutable.AppendOnlyModel):
    """The record of one public comment the city removed (P20, P21, P22).

    Immutable: once saved, a decision is never changed or deleted through the
    product. Corrections, the note that the author was told, evidence added later
    and a restoration after appeal are appended as ``RemovalAmendment`` rows
    (``moderation.services.removal_amend`` / ``removal_notify_author`` /
    ``removal_restore``). The admin is read-only and the services create only;
    below them the one immutability mechanism (``core.immutable``, ``DECISION_RULE``
    and its siblings) refuses a change, a deletion and a TRUNCATE of this table,
    its categories, amendments and evidence, in Python on every database and by
    triggers on PostgreSQL.

    The one exception is the retention purge (R2, R4): inside
    ``core.immutable.retention_purge()`` it may delete these records, and clear
    their personal columns (``DECISION_PERSONAL_FIELDS``) and set ``redacted_at``;
    nothing else. ``moderation.services.removal_purge`` and ``removal_redact`` do
    both, files and audit included.

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

    append_only = DECISION_RULE
    objects = RemovalDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_at", "-id"]
        verbose_name = "removal decision"
        triggers = [
            *DECISION_RULE.triggers(),
            # P21: at least one category, checked at commit (the categories are
            # inserted after the decision, in the same transaction).
            pgtrigger.Trigger(
                name="has_category",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=(
                    "IF EXISTS (SELECT 1 FROM moderation_removaldecision "
                    "WHERE id = NEW.id) AND NOT EXISTS (SELECT 1 FROM "
                    "moderation_removaldecisioncategory WHERE decision_id = NEW.id) "
                    "THEN RAISE EXCEPTION 'removal % has no category (P21: a "
                    "removal needs at least one)', NEW.id USING ERRCODE = "
                    "'check_violation'; END IF; RETURN NULL;"
                ),
            ),
        ]
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


class RemovalDecisionCategory(immutable.AppendOnlyModel):
    """A category ticked on a decision (P21); at least one per decision, enforced by
    the service and, on PostgreSQL, by a deferred constraint trigger
    (``RemovalDecision.Meta.triggers``)."""

    decision = models.ForeignKey(
        RemovalDecision, on_delete=models.CASCADE, related_name="category_links"
    )
    category = models.ForeignKey(
        RemovalCategory, on_delete=models.PROTECT, related_name="+"
    )

    append_only = CATEGORY_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "removal category ticked"
        triggers = CATEGORY_RULE.triggers()
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


class RemovalAmendment(immutable.AppendOnlyModel):
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

    append_only = AMENDMENT_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["made_at", "id"]
        triggers = AMENDMENT_RULE.triggers()
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


class RemovalEvidence(immutable.AppendOnlyModel):
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

    append_only = EVIDENCE_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "removal evidence"
        triggers = EVIDENCE_RULE.triggers()

    def __str__(self) -> str:
        return f"Removal #{self.decision_id} evidence #{self.pk}"


class RestorationTask(models.Model):
    """A removed comment the city must put back on the platform (P22).

    Asked for when an appeal reverses the removal
    (``moderation.services.restoration_request``), owned by the account's
    current managers, and shown on their dashboard (and the City
    Administrator's, who sees it flagged when nobody manages the account) until
    a manager confirms the comment is back (``restoration_complete``), which
    appends the restoration amendment to the decision. ``open`` -> ``done``;
    nothing else moves it. One task per decision: a comment is restored once.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To restore"
        DONE = "done", "Restored"

    decision = models.ForeignKey(
        RemovalDecision, on_delete=models.PROTECT, related_name="restoration_tasks"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    reason = models.TextField(help_text="Why the comment is to be restored.")
    source = models.CharField(
        max_length=200,
        help_text="What asked for it, e.g. “Appeal AP-2026-00003 reversed the "
        "removal”.",
    )
    appeal_id = models.PositiveBigIntegerField(null=True, blank=True)
    appeal_reference = models.CharField(max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(
        "how it was restored",
        blank=True,
        help_text="E.g. “Unhidden on Facebook; checked it shows.”",
    )

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], name="restoration_task_once_per_decision"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", done_at__isnull=True)
                | models.Q(status="done", done_at__isnull=False),
                name="restoration_task_done_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason="") & ~models.Q(source=""),
                name="restoration_task_reason_source",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="restoration_open")
        ]

    def __str__(self) -> str:
        return f"Restoration of Removal #{self.decision_id}"
