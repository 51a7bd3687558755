"""Requests for new accounts (P12, P14)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from accounts.models.city import CityProfile, Department, Platform
from accounts.models.registry import (
    Account,
    normalise_url,
    validate_account_identity,
)
from core import clock
from core.models import TimeStampedModel


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

    # What the requester fills in (and may change while it is a draft).
    EDITABLE_FIELDS = (
        "department",
        "platform",
        "kind",
        "proposed_handle",
        "proposed_url",
        "display_name",
        "purpose",
        "audience",
        "proposed_managers",
        "upkeep_plan",
        "city_controlled_confirmed",
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
