"""Manager access and offboarding (P3, P10, P11)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from accounts.models.city import User
from accounts.models.registry import Account
from core import clock
from core.models import (
    BoundedTextField,
    CleanerConstraintMessagesMixin,
    TimeStampedModel,
)


class ManagerAccessQuerySet(models.QuerySet["ManagerAccess"]):
    def current(self) -> ManagerAccessQuerySet:
        return self.filter(revoked_at__isnull=True)


class ManagerAccess(CleanerConstraintMessagesMixin, TimeStampedModel):
    """A person's administrator access to one account (P3, P10, P11).

    Granted by the City Administrator once the manager signs in to the platform
    with multi-factor sign-in; re-certified every review interval; revoked with
    who, when and why. Never holds credentials. The manager acknowledges each
    version of the policy themselves (P16-P18, ``notices.PolicyAcknowledgment``).
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
    platform_mfa_confirmed = models.BooleanField(
        "uses multi-factor sign-in on the platform",
        default=False,
        help_text="Access cannot be given without it. The product never stores "
        "platform passwords or tokens.",
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

    constraints_checked_by_clean = frozenset({"manageraccess_one_current_grant"})

    def clean(self) -> None:
        """The rules of a new grant (P3, P4, P11)."""
        errors: dict[str, str] = {}
        account = Account.objects.filter(pk=self.account_id).first()
        if account is not None and account.status == Account.Status.SHUT_DOWN:
            errors["account"] = (
                f"{account} is shut down (P4): nobody can be given access to it."
            )
        person = User.objects.filter(pk=self.manager_id).first()
        if person is not None and not (person.is_active and person.is_staff):
            errors["manager"] = "Access can only be given to an active staff member."
        if not self.platform_mfa_confirmed:
            errors["platform_mfa_confirmed"] = (
                "Confirm that the manager signs in to the platform with "
                "multi-factor sign-in: access cannot be given without it."
            )
        if (
            account is not None
            and person is not None
            and "account" not in errors
            and self.revoked_at is None
            and ManagerAccess.objects.current()
            .filter(account=account, manager=person)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["manager"] = (
                "This person already has current access to this account."
            )
        if errors:
            raise ValidationError(errors)

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
