"""Manager access and offboarding (P3, P10, P11, P17, P18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.models.registry import Account
from core import clock
from core.models import BoundedTextField, TimeStampedModel


class ManagerAccessQuerySet(models.QuerySet["ManagerAccess"]):
    def current(self) -> ManagerAccessQuerySet:
        return self.filter(revoked_at__isnull=True)


class ManagerAccess(TimeStampedModel):
    """A person's administrator access to one account (P3, P10, P11).

    Granted by the City Administrator after the manager acknowledges the policy
    (P17, P18) and confirms multi-factor sign-in on the platform; re-certified every
    review interval; revoked with who, when and why. Never holds credentials.
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="grants"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    granted_at = models.DateTimeField(default=clock.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    policy_acknowledged_at = models.DateTimeField(
        help_text="P17, P18: when the manager acknowledged the social media policy."
    )
    platform_mfa_confirmed = models.BooleanField(
        help_text="The manager signs in to the platform with multi-factor sign-in."
    )
    last_reviewed_at = models.DateTimeField(default=clock.now)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_due_on = models.DateField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True)
    review_overdue_reported_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the daily job last reported this review as overdue.",
    )

    objects = ManagerAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "manager access"
        verbose_name_plural = "manager access"
        ordering = ["account", "manager"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "manager"],
                condition=models.Q(revoked_at__isnull=True),
                name="manageraccess_one_current_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(platform_mfa_confirmed=True),
                name="manageraccess_requires_platform_mfa",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | (models.Q(revoked_by__isnull=False) & ~models.Q(revoke_reason="")),
                name="manageraccess_revocation_recorded",
            ),
        ]
        permissions = [
            (
                "grant_manageraccess",
                "Can grant, revoke and re-certify manager access, and offboard (P3)",
            ),
        ]

    def __str__(self) -> str:
        # No personal data (the manager's name) here: this is the audit target label.
        return f"Access #{self.pk} to {self.account}"

    @property
    def review_overdue(self) -> bool:
        return self.is_current and self.review_due_on < clock.today()

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None


class Offboarding(TimeStampedModel):
    """Everything done when a person stops managing city accounts (P3).

    Starting it revokes every current grant of the person in one transaction and
    lists the platform-side steps still to do (remove them as administrator,
    rotate shared sign-ins). It is ``open`` until every step is marked done, then
    ``completed``; completing it also deactivates the person's sign-in to this
    system when ``deactivate_sign_in`` was chosen at the start, unless they by then
    hold access again or a role that outlives their social media duties
    (``accounts.selectors.sign_in_kept_because``). No credential is ever stored here.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open: platform steps to do"
        COMPLETED = "completed", "Completed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offboardings"
    )
    reason = models.TextField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=clock.now)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    deactivate_sign_in = models.BooleanField(
        default=True,
        help_text="P3: when every step is done, also deactivate their sign-in to "
        "this system (chosen when the offboarding starts).",
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "offboarding"

    def __str__(self) -> str:
        # The person's name is personal data: the reference stands in for it.
        return f"Offboarding #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:offboarding-detail", args=[self.pk])


class OffboardingStep(models.Model):
    """One thing to do on a platform's own site after access is revoked."""

    class Kind(models.TextChoices):
        REMOVE_ADMIN = "remove_admin", "Remove them as administrator on the platform"
        ROTATE_CREDENTIALS = "rotate_credentials", "Rotate the shared sign-in"

    offboarding = models.ForeignKey(
        Offboarding, on_delete=models.PROTECT, related_name="steps"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(
        ManagerAccess, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What was done on the platform, in a sentence or two.
    note = BoundedTextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["offboarding", "account", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["offboarding", "account", "kind"],
                name="offboardingstep_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True)
                | models.Q(completed_by__isnull=False),
                name="offboardingstep_completion_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.account}"

    @property
    def done(self) -> bool:
        return self.completed_at is not None
