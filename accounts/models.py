"""The city's social media accounts and who may manage them (P3-P14).

Every account is a city asset (P3); the policy covers exactly the accounts listed
here (P7). State changes go through ``accounts.services``, which audit them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, router
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


def normalise_handle(handle: str) -> str:
    """Return ``handle`` without spaces or a leading ``@``, in lower case."""
    return handle.strip().lstrip("@").strip().lower()


def normalise_url(url: str) -> str:
    """Return a comparable form of an account URL.

    ``http``/``https``, a leading ``www.``/``m.``, letter case, a trailing slash,
    the query's order and a fragment do not make two accounts different.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    path = parts.path.rstrip("/").lower()
    query = "&".join(sorted(q for q in parts.query.lower().split("&") if q))
    return f"{host}{path}" + (f"?{query}" if query else "")


def handle_matches_url(handle: str, url: str) -> bool:
    """Return True when ``handle`` names the account ``url`` points at.

    The handle must be one of the URL's path segments (``/@name``, ``/name``,
    ``/company/name``) or a query value (``profile.php?id=123``).
    """
    wanted = normalise_handle(handle)
    if not wanted:
        return False
    parts = urlsplit(url.strip())
    candidates = [seg.lstrip("@").lower() for seg in parts.path.split("/") if seg]
    candidates += [
        value.lower()
        for pair in parts.query.split("&")
        for _key, _sep, value in [pair.partition("=")]
        if value
    ]
    return wanted in candidates


def validate_account_identity(
    *,
    platform: Platform | None,
    handle: str,
    url: str,
    exclude_account_id: int | None = None,
) -> dict[str, str]:
    """Return field errors for a proposed account's platform, handle and URL.

    Used by the registry and by account requests, so both say the same thing:
    the URL must be on the platform's own host (P9), name the handle, and not
    already be on the registry (unique per platform, case-insensitive).
    """
    errors: dict[str, str] = {}
    if platform is None or not url:
        return errors
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "Enter the account's full web address, starting with https://."
        return errors
    if not platform.matches_url(url):
        errors["url"] = (
            f"This address is not on {platform.name}: its host "
            f"'{parts.hostname}' is not one of {', '.join(platform.host_list())}."
        )
        return errors
    if not parts.path.strip("/") and not parts.query:
        errors["url"] = (
            f"This is {platform.name}'s home page, not an account: enter the "
            "account's own address."
        )
        return errors
    if handle and not handle_matches_url(handle, url):
        errors["handle"] = (
            f"The handle '{handle.strip()}' does not appear in the address "
            f"{url.strip()}: check both for a typing mistake."
        )
    others = Account.objects.filter(platform=platform)
    if exclude_account_id is not None:
        others = others.exclude(pk=exclude_account_id)
    wanted_url = normalise_url(url)
    wanted_handle = normalise_handle(handle)
    for other_id, other_url, other_handle in others.values_list("pk", "url", "handle"):
        if normalise_url(other_url) == wanted_url:
            errors["url"] = (
                f"This {platform.name} account is already on the registry "
                f"(account #{other_id})."
            )
        elif wanted_handle and normalise_handle(other_handle) == wanted_handle:
            errors["handle"] = (
                f"The {platform.name} handle '{other_handle}' is already on the "
                f"registry (account #{other_id})."
            )
    return errors


class AccountQuerySet(models.QuerySet["Account"]):
    def in_service(self) -> AccountQuerySet:
        """Accounts not shut down: the ones counted against the P12 cap."""
        return self.exclude(status=Account.Status.SHUT_DOWN)

    def non_compliant(self) -> AccountQuerySet:
        """In-service accounts missing a P5/P13/P15 checklist item."""
        return self.in_service().filter(
            models.Q(marked_as_city_at__isnull=True)
            | models.Q(website_linked_at__isnull=True)
            | models.Q(notice_linked_at__isnull=True)
        )

    def compliant(self) -> AccountQuerySet:
        return self.filter(
            marked_as_city_at__isnull=False,
            website_linked_at__isnull=False,
            notice_linked_at__isnull=False,
        )


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
    uses_shared_login = models.BooleanField(
        "managers share one platform sign-in",
        default=False,
        help_text=(
            "The platform gives no individual administrator roles, so managers share "
            "one sign-in (kept in the city's password manager, never here). When a "
            "manager leaves, its credentials must be rotated."
        ),
    )

    CHECKLIST = ("marked_as_city", "website_linked", "notice_linked")

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["platform__name", "handle"]
        permissions = [
            ("change_account_status", "Can suspend, reactivate or shut down (P4)"),
            ("verify_account_checklist", "Can verify the P5/P13/P15 checklist"),
        ]
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

    # Checked by clean() with a message naming the field and the existing account;
    # the database constraints stay as the last line of defence.
    IDENTITY_CONSTRAINTS = frozenset(
        {"account_url_unique_per_platform", "account_handle_unique_per_platform"}
    )

    def validate_constraints(self, exclude: Any = None) -> None:
        """Validate the constraints, except those clean() reports more clearly."""
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict[str, Any] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if constraint.name in self.IDENTITY_CONSTRAINTS:
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        errors = {}
        platform = Platform.objects.filter(pk=self.platform_id).first()
        if platform is not None and not platform.active and self._state.adding:
            errors["platform"] = f"{platform.name} is no longer in use by the city."
        errors.update(
            validate_account_identity(
                platform=platform,
                handle=self.handle,
                url=self.url,
                exclude_account_id=self.pk,
            )
        )
        if self.kind == self.Kind.COUNCILMEMBER:
            profile = CityProfile.objects.first()
            if profile is None or not profile.councilmember_accounts_covered:
                # P6: councilmember accounts are covered only if the city opts in.
                errors["kind"] = (
                    "The city profile does not bring councilmember accounts under "
                    "the policy (P6), so one cannot be registered."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def missing_checklist(self) -> list[str]:
        """Return the labels of the P5/P13/P15 items not yet verified."""
        labels = {
            "marked_as_city": "marked as the city's (P5, P13)",
            "website_linked": "linked to the official website (P5, P13)",
            "notice_linked": "links to the public notice (P15)",
        }
        return [
            label for item, label in labels.items() if not getattr(self, f"{item}_at")
        ]

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


class AccountRequest(TimeStampedModel):
    """A department's request for a new account (P12, P14).

    ``draft`` (the requester may still edit it) -> ``submitted`` (waiting for the
    approving authority) -> ``approved`` (the account is created on the registry in
    the same transaction) or ``denied`` (with a written reason). The requester may
    withdraw a draft or submitted request. Every move goes through
    ``accounts.services`` and is audited; any other move is refused.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted, awaiting decision"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="account_requests"
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="account_requests"
    )
    kind = models.CharField(
        max_length=20, choices=Account.Kind.choices, default=Account.Kind.CITY
    )
    proposed_handle = models.CharField(
        max_length=100,
        help_text="The name the account will have, e.g. @lakesidelibrary.",
    )
    proposed_url = models.URLField(
        "proposed public URL",
        max_length=500,
        help_text="The address the account will have, e.g. "
        "https://www.facebook.com/lakesidelibrary.",
    )
    display_name = models.CharField(
        max_length=150, help_text="The name shown on the account's profile."
    )
    purpose = models.TextField(help_text="What the account is for (P1).")
    audience = models.TextField(help_text="Whom it is meant to reach.")
    proposed_managers = models.TextField(
        "who will manage it",
        help_text="The staff who will manage it and how they are covered when away.",
    )
    upkeep_plan = models.TextField(
        "how it will be kept up",
        help_text="How often it will be updated and how comments will be monitored.",
    )
    city_controlled_confirmed = models.BooleanField(
        "the city will control this account",
        default=False,
        help_text="P6: personal accounts, and accounts outside the control of the "
        "city's social media managers, cannot be registered.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    cap_override_reason = models.TextField(
        blank=True,
        help_text="P12: why the city approved beyond its sustainable number.",
    )
    accounts_in_service_at_decision = models.PositiveIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    account = models.OneToOneField(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("decide_accountrequest", "Can approve or deny account requests (P12)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(account__isnull=False, decided_by__isnull=False),
                name="accountrequest_approval_creates_account",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "denied"])
                | ~models.Q(decision_reason=""),
                name="accountrequest_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(status="withdrawn")
                | models.Q(city_controlled_confirmed=True),
                name="accountrequest_city_controlled",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        errors: dict[str, str] = {}
        platform = Platform.objects.filter(pk=self.platform_id).first()
        if platform is not None and not platform.active:
            errors["platform"] = f"{platform.name} is no longer in use by the city."
        identity = validate_account_identity(
            platform=platform, handle=self.proposed_handle, url=self.proposed_url
        )
        if "url" in identity:
            errors["proposed_url"] = identity["url"]
        if "handle" in identity:
            errors["proposed_handle"] = identity["handle"]
        if platform is not None and "proposed_url" not in errors:
            wanted = normalise_url(self.proposed_url)
            pending = AccountRequest.objects.filter(
                platform=platform,
                status__in=(self.Status.DRAFT, self.Status.SUBMITTED),
            ).exclude(pk=self.pk)
            for other in pending.only("pk", "created_at", "proposed_url"):
                if normalise_url(other.proposed_url) == wanted:
                    errors["proposed_url"] = (
                        f"Request {other.reference} already asks for this account."
                    )
                    break
        if self.kind == Account.Kind.COUNCILMEMBER:
            profile = CityProfile.objects.first()
            if profile is None or not profile.councilmember_accounts_covered:
                errors["kind"] = (
                    "The city profile does not bring councilmember accounts under "
                    "the policy (P6), so one cannot be requested."
                )
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("accounts:request-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        year = (self.created_at or clock.now()).year
        return f"AR-{year}-{self.pk or 0:05d}"


class Offboarding(TimeStampedModel):
    """Everything done when a person stops managing city accounts (P3).

    Starting it revokes every current grant of the person in one transaction and
    lists the platform-side steps still to do (remove them as administrator,
    rotate shared sign-ins). It is ``open`` until every step is marked done, then
    ``completed``. No credential is ever stored here.
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
    note = models.TextField(blank=True)

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
