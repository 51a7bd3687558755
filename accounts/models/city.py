"""The city and its people: staff users, the city profile (the policy's blanks),
departments and platforms (P6, P8, P9, P12)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import TimeStampedModel

# Targets in business days: at least one (P22, P23), at most about a year, the
# span the business-day calendar counts (core.calendar).
MAX_BUSINESS_DAYS = 250
BUSINESS_DAYS = [MinValueValidator(1), MaxValueValidator(MAX_BUSINESS_DAYS)]
MAX_DUE_SOON_DAYS = 30
MAX_REVIEW_INTERVAL_DAYS = 3 * 365


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
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_INTERVAL_DAYS)],
        help_text="P3: how often each manager's access is re-certified, in days.",
    )
    appeal_ack_days = models.PositiveIntegerField(
        default=3,
        validators=BUSINESS_DAYS,
        help_text="Business days to acknowledge a removal appeal (P22).",
    )
    appeal_answer_days = models.PositiveIntegerField(
        default=10,
        validators=BUSINESS_DAYS,
        help_text="Business days to answer a removal appeal (P22); the public "
        "form promises an answer within this many.",
    )
    challenge_ack_days = models.PositiveIntegerField(
        default=3,
        validators=BUSINESS_DAYS,
        help_text="Business days to acknowledge a legality challenge (P23).",
    )
    challenge_answer_days = models.PositiveIntegerField(
        default=30,
        validators=BUSINESS_DAYS,
        help_text="Business days to answer a legality challenge (P23).",
    )
    data_request_days = models.PositiveIntegerField(
        default=10,
        validators=BUSINESS_DAYS,
        help_text="Business days to answer a request for public data (P24, Minn. "
        "Stat. 13.03: promptly); a data subject's is 10 by law (13.04 subd. 3).",
    )
    due_soon_days = models.PositiveIntegerField(
        default=2,
        validators=[MaxValueValidator(MAX_DUE_SOON_DAYS)],
        help_text="Business days before a deadline that count as due soon "
        "(0: only on the day itself).",
    )

    class Meta:
        verbose_name = "city profile"
        # One row (the singleton): the admin lists it as "City profile".
        verbose_name_plural = "city profile"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="cityprofile_single_row"
            ),
            models.CheckConstraint(
                condition=models.Q(max_active_accounts__gte=1),
                name="cityprofile_max_accounts_positive",
            ),
            # A target of 0 days would be promised to residents as "within 0
            # business days" (P22, P23): every target is at least one day.
            models.CheckConstraint(
                condition=models.Q(
                    access_review_interval_days__gte=1,
                    appeal_ack_days__gte=1,
                    appeal_answer_days__gte=1,
                    challenge_ack_days__gte=1,
                    challenge_answer_days__gte=1,
                ),
                name="cityprofile_days_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(data_request_days__gte=1),
                name="cityprofile_data_request_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"City of {self.city_name}"

    def clean(self) -> None:
        # An acknowledgment is due before the answer it announces (P22, P23).
        errors = {}
        for kind, label in (("appeal", "an appeal"), ("challenge", "a challenge")):
            ack, answer = f"{kind}_ack_days", f"{kind}_answer_days"
            ack_days, answer_days = getattr(self, ack), getattr(self, answer)
            if (
                ack_days is not None
                and answer_days is not None
                and ack_days > answer_days
            ):
                errors[ack] = (
                    f"Acknowledge {label} no later than it is answered: at most "
                    f"{answer_days} business days."
                )
        if errors:
            raise ValidationError(errors)


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
