"""The city's social media accounts and who may manage them (P3-P14).

Every account is a city asset (P3); the policy covers exactly the accounts listed
here (P7). State changes go through ``accounts.services``, which audit them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from core import clock
from core.models import TimeStampedModel


class User(AbstractUser):
    """A member of city staff (P10: employees, contractors and councilmembers)."""

    job_title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class CityProfile(TimeStampedModel):
    """The blanks of the policy that the city fills in. Exactly one row.

    Everything the product says about the city (notices, policy pages, deadlines,
    contacts) is read from here; nothing is hard-coded.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    city_name = models.CharField(max_length=120)
    official_website = models.URLField(help_text="P5: every city account links here.")
    approving_authority = models.CharField(
        max_length=150,
        default="City Administrator",
        help_text="P12: who approves new accounts (e.g. City Administrator, Council).",
    )
    scope_contact = models.CharField(
        max_length=150,
        help_text="P8: the staff role that answers questions about the policy's scope.",
    )
    sensitive_info_contact = models.CharField(
        max_length=150,
        help_text="P18: whom managers ask when unsure whether information is private.",
    )
    appeal_contact = models.CharField(
        max_length=150, help_text="N6: the person or office that receives appeals."
    )
    appeal_email = models.EmailField()
    appeal_postal_address = models.TextField(help_text="N6: where to mail an appeal.")
    legality_contact = models.CharField(
        max_length=150,
        help_text="N7: the person or office that receives legality challenges.",
    )
    legality_email = models.EmailField()
    legality_postal_address = models.TextField()
    general_contact = models.CharField(
        max_length=150, help_text="N8: whom the public asks other questions."
    )
    general_email = models.EmailField()
    general_phone = models.CharField(max_length=40, blank=True)
    councilmember_accounts_covered = models.BooleanField(
        default=False,
        help_text="P6: bring councilmember accounts under the policy.",
    )
    max_active_accounts = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="P12: the number of active accounts the city can sustain.",
    )
    access_review_interval_days = models.PositiveIntegerField(
        default=180,
        validators=[MinValueValidator(1)],
        help_text="P3: how often each manager's access is re-certified.",
    )
    appeal_ack_days = models.PositiveIntegerField(
        default=3, help_text="Business days to acknowledge a removal appeal (P22)."
    )
    appeal_answer_days = models.PositiveIntegerField(
        default=10, help_text="Business days to answer a removal appeal (P22)."
    )
    challenge_ack_days = models.PositiveIntegerField(
        default=3, help_text="Business days to acknowledge a legality challenge (P23)."
    )
    challenge_answer_days = models.PositiveIntegerField(
        default=30, help_text="Business days to answer a legality challenge (P23)."
    )
    due_soon_days = models.PositiveIntegerField(
        default=2, help_text="Business days before a deadline that count as due soon."
    )

    class Meta:
        verbose_name = "city profile"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="cityprofile_single_row"
            ),
            models.CheckConstraint(
                condition=models.Q(max_active_accounts__gte=1),
                name="cityprofile_max_accounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"City of {self.city_name}"


class Department(models.Model):
    """A city department or facility that owns accounts (P12)."""

    name = models.CharField(max_length=150, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Platform(models.Model):
    """A social media platform (P9). Data, not code: staff add new ones."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    hosts = models.CharField(
        max_length=300,
        help_text=(
            "Comma-separated host names that account URLs on this platform use, "
            "e.g. 'facebook.com, fb.com'. Subdomains such as www. are accepted."
        ),
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.hosts.split(",") if h.strip()]

    def matches_url(self, url: str) -> bool:
        """Return True when ``url``'s host is one of this platform's hosts."""
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.host_list())

    def clean(self) -> None:
        bad = [
            h
            for h in self.host_list()
            if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", h)
        ]
        if not self.host_list():
            raise ValidationError({"hosts": "List at least one host name."})
        if bad:
            raise ValidationError({"hosts": f"Not a host name: {', '.join(bad)}."})


class Account(TimeStampedModel):
    """A city social media account on the registry (P7).

    ``status`` moves active -> suspended -> active, and active/suspended -> shut
    down (P4: the city may shut an account down at any time), only through
    ``accounts.services``; every change records who, when and why.
    """

    class Kind(models.TextChoices):
        CITY = "city", "City account"
        COUNCILMEMBER = "councilmember", "Councilmember account"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        SHUT_DOWN = "shut_down", "Shut down"

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="accounts"
    )
    handle = models.CharField(
        max_length=100,
        help_text="The account's name on the platform, e.g. @cityofexample.",
    )
    display_name = models.CharField(max_length=150)
    url = models.URLField("public URL", max_length=500)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name for the account's public notice URL (P15).",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="accounts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITY)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_changed_at = models.DateTimeField(default=clock.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_reason = models.TextField(blank=True)
    comments_enabled = models.BooleanField(default=True)
    # P5/P13/P15 checklist: each item records who verified it and when.
    marked_as_city_at = models.DateTimeField(null=True, blank=True)
    marked_as_city_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website_linked_at = models.DateTimeField(null=True, blank=True)
    website_linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice_linked_at = models.DateTimeField(null=True, blank=True)
    notice_linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["platform__name", "handle"]
        constraints = [
            models.UniqueConstraint(
                Lower("url"), "platform", name="account_url_unique_per_platform"
            ),
            models.UniqueConstraint(
                Lower("handle"), "platform", name="account_handle_unique_per_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.platform})"

    def get_absolute_url(self) -> str:
        return reverse("admin:accounts_account_change", args=[self.pk])

    @property
    def is_compliant(self) -> bool:
        """P5, P13, P15: marked as the city's, linked to the website, notice linked."""
        return bool(
            self.marked_as_city_at and self.website_linked_at and self.notice_linked_at
        )


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

    def __str__(self) -> str:
        return f"{self.manager} manages {self.account}"

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None
