"""Incidents under the rules of use (P16-P18): a misuse of a city account, or a
disclosure of private or confidential data, with what the city did about it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models.registry import Account
from core import clock
from core.models import BoundedTextField, TimeStampedModel


class Incident(TimeStampedModel):
    """Something done with a city account against the policy (P16-P18): who,
    on which account, what, when, who reported it, and the follow-up.

    ``open`` when recorded; ``closed`` once the follow-up (the action taken, by
    whom and when) is recorded. Both moves go through
    ``accounts.services.incident_record`` and ``incident_close``, which audit
    them; a closed incident stands as it is.
    """

    class Kind(models.TextChoices):
        MISUSE = "misuse", "Misuse for personal or political purposes (P17)"
        DISCLOSURE = (
            "disclosure",
            "Disclosure of private, confidential or sensitive data (P18)",
        )
        OTHER = "other", "Other breach of law, regulation or policy (P16)"

    class Status(models.TextChoices):
        OPEN = "open", "Open: follow-up to record"
        CLOSED = "closed", "Closed"

    kind = models.CharField("what happened", max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name="who was involved",
        help_text="The member of staff who did it, when known.",
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text="The city account it happened on, when there is one.",
    )
    occurred_at = models.DateTimeField(
        "when it happened", help_text="As closely as known."
    )
    description = BoundedTextField(
        "what happened, in detail",
        max_length=10_000,
        help_text="Facts only: what was posted or disclosed, where, and for how long.",
    )
    reported_by = models.CharField(
        "reported by",
        max_length=200,
        help_text="Who told the city, e.g. 'A resident, by email' or a staff name.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    action_taken = BoundedTextField(
        "action taken",
        max_length=10_000,
        blank=True,
        help_text="E.g. post removed, manager's access revoked, data subject told.",
    )
    action_taken_by = models.CharField(
        "action taken by",
        max_length=200,
        blank=True,
        help_text="Who took the action, e.g. 'HR Director' or a staff name.",
    )
    action_taken_on = models.DateField("action taken on", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        permissions = [("close_incident", "Can record an incident's follow-up")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False)
                | models.Q(account__isnull=False),
                name="incident_names_person_or_account",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | (
                    models.Q(closed_at__isnull=False)
                    & models.Q(closed_by__isnull=False)
                    & models.Q(action_taken_on__isnull=False)
                    & ~models.Q(action_taken="")
                ),
                name="incident_closure_recorded",
            ),
        ]

    def __str__(self) -> str:
        # No personal data (the person's name): this is the audit target label.
        return f"Incident #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:incident-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.person_id is None and self.account_id is None:
            errors["person"] = (
                "Name the person involved, the account it happened on, or both."
            )
        if self.occurred_at and self.occurred_at > clock.latest_plausible():
            errors["occurred_at"] = "This is in the future."
        if self.action_taken_on and self.action_taken_on > clock.today():
            errors["action_taken_on"] = "This date is in the future."
        if (
            self.action_taken_on
            and self.occurred_at
            and self.action_taken_on < timezone.localdate(self.occurred_at)
        ):
            errors["action_taken_on"] = "This is before the incident happened."
        if errors:
            raise ValidationError(errors)
