"""Written appeals of comment removals (P22) and legality challenges (P23).

Both are *filings*: a resident files one through the public forms, or staff enter
one that came by letter, email or in person. A filing moves between statuses only
through ``appeals.services`` (each move is one transaction and one audit event):

    received --acknowledge--> acknowledged --start review--> under review
    acknowledged or under review --answer--> answered
    received, acknowledged or under review --withdraw--> withdrawn

"answered" and "withdrawn" are final. The answer requires a written, reasoned
response; what the resident was sent is kept, exactly as sent, in
:class:`Correspondence`.

Personal data (name, email, postal address, the resident's explanation or basis)
lives only in these rows and in the ``personal`` part of audit events; ``__str__``
returns the tracking reference (``AP-2026-00042``), never a name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format

from core import clock
from core.classification import classification_field
from core.models import BoundedTextField, TimeStampedModel

# Field length caps shared by the models and the public forms (abuse resistance).
NAME_MAX = 150
EMAIL_MAX = 254
ADDRESS_MAX = 500
URL_MAX = 500
COMMENT_TEXT_MAX = 5000
EXPLANATION_MAX = 10000
RESPONSE_MAX = 20000

# No filing, and no comment it is about, is older than this: an earlier date is a
# typing slip ("0001-01-01" would number the filing AP-1-00001).
EARLIEST_DATE = date(2000, 1, 1)
not_before_earliest = MinValueValidator(
    EARLIEST_DATE, message="Check the date: it is before the year 2000."
)


#: What a destroyed personal field of a filing or letter reads after the
#: retention purge (``appeals.services.redaction``, R2, R4).
DESTROYED = "[destroyed under the retention schedule]"


class ReferenceCounter(models.Model):
    """The last tracking number issued per prefix and year (AP-2026-00042).

    A filing locks its year's row until it commits (appeals.services.filing), on
    every database.
    """

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year"], name="referencecounter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class Delivery(models.TextChoices):
    EMAIL = "email", "By email"
    MAIL = "mail", "By mail"


class Filing(TimeStampedModel):
    """What appeals and legality challenges share: who, how, when, status, answer."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        UNDER_REVIEW = "under_review", "Under review"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.UNDER_REVIEW)
    REFERENCE_PREFIX = ""

    # Unique (see _filing_constraints): a constraint rather than unique=True, so
    # PostgreSQL keeps no pattern index that exact lookups never use.
    reference = models.CharField(max_length=20, editable=False)
    status_token = models.CharField(
        max_length=64,
        editable=False,
        help_text="Random secret in the resident's private status link.",
    )
    channel = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    received_on = models.DateField(
        default=clock.today, db_index=True, validators=[not_before_earliest]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query looks filings up by this person
        help_text="The staff member who entered a filing received on paper, by "
        "email or in person; empty for the web form.",
    )
    # Who filed it and how to reach them (personal data).
    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(max_length=EMAIL_MAX, blank=True)
    postal_address = BoundedTextField(max_length=ADDRESS_MAX, blank=True)
    reply_by = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.EMAIL
    )
    letter = models.FileField(
        upload_to="appeals/letters/%Y/%m/",
        blank=True,
        help_text="The scanned letter or printed email (PDF or image).",
    )
    letter_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RECEIVED
    )  # indexed by _filing_indexes
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ack_due_on = models.DateField(db_index=True)
    answer_due_on = models.DateField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query looks filings up by this person
    )
    review_started_at = models.DateTimeField(null=True, blank=True)
    response = BoundedTextField(
        max_length=RESPONSE_MAX,
        blank=True,
        help_text="The written, reasoned response, as sent to the resident.",
    )
    response_delivery = models.CharField(
        max_length=10, choices=Delivery.choices, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query looks filings up by this person
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.TextField(blank=True)
    classification = classification_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def next_due_on(self):  # type: ignore[no-untyped-def]
        """The date the next step is due: acknowledgment first, then the answer."""
        if self.status == self.Status.RECEIVED:
            return self.ack_due_on
        if self.is_open:
            return self.answer_due_on
        return None

    @property
    def next_step(self) -> str:
        if self.status == self.Status.RECEIVED:
            return "acknowledgment"
        if self.is_open:
            return "written answer"
        return ""

    @property
    def kind(self) -> str:
        return cast(str, self._meta.model_name)  # "appeal" or "legalitychallenge"

    def get_absolute_url(self) -> str:
        return reverse(f"appeals:staff-{self.kind}", args=[self.pk])

    def get_status_url(self) -> str:
        return reverse("appeals:status", args=[self.status_token])


def _filing_indexes(prefix: str) -> list[models.Index]:
    return [models.Index(fields=["status"], name=f"{prefix}_status")]


def _filing_constraints(prefix: str) -> list[models.BaseConstraint]:
    s = Filing.Status
    return [
        models.UniqueConstraint(fields=["reference"], name=f"{prefix}_reference"),
        models.UniqueConstraint(fields=["status_token"], name=f"{prefix}_status_token"),
        # Someone must be able to receive the written response (P22, P23).
        models.CheckConstraint(
            condition=~models.Q(email="") | ~models.Q(postal_address=""),
            name=f"{prefix}_has_contact",
        ),
        models.CheckConstraint(
            condition=~models.Q(reply_by="email") | ~models.Q(email=""),
            name=f"{prefix}_email_reply_has_email",
        ),
        models.CheckConstraint(
            condition=~models.Q(reply_by="mail") | ~models.Q(postal_address=""),
            name=f"{prefix}_mail_reply_has_address",
        ),
        # An answer is written and reasoned: no answered filing without its text.
        models.CheckConstraint(
            condition=~models.Q(status=s.ANSWERED)
            | (
                ~models.Q(response="")
                & models.Q(answered_at__isnull=False)
                & ~models.Q(response_delivery="")
            ),
            name=f"{prefix}_answer_has_response",
        ),
        models.CheckConstraint(
            condition=models.Q(status=s.RECEIVED)
            | models.Q(status=s.WITHDRAWN)
            | models.Q(acknowledged_at__isnull=False),
            name=f"{prefix}_acknowledged_recorded",
        ),
        models.CheckConstraint(
            condition=~models.Q(status=s.WITHDRAWN)
            | models.Q(withdrawn_at__isnull=False),
            name=f"{prefix}_withdrawal_recorded",
        ),
        models.CheckConstraint(
            condition=models.Q(answer_due_on__gte=models.F("ack_due_on")),
            name=f"{prefix}_answer_not_before_ack",
        ),
    ]


class Appeal(Filing):
    """A written appeal of a comment removal (P22, N6).

    The resident explains why the comment does not fall into any of the eight
    categories (P21). A reviewer who did not make the removal (P22: reconsideration
    by someone else) answers with an outcome and a written, reasoned response.
    """

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Removal upheld"
        MODIFIED = "modified", "Removal upheld on different grounds"
        REVERSED = "reversed", "Removal reversed: the comment will be restored"

    REFERENCE_PREFIX = "AP"

    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        help_text="The account the comment was on, as the resident gave it.",
    )
    account_other = models.CharField(
        max_length=200,
        blank=True,
        help_text="The account in the resident's words, when not chosen from the list.",
    )
    comment_posted_on = models.DateField(
        null=True,
        blank=True,
        validators=[not_before_earliest],
        help_text="Roughly when the comment was posted.",
    )
    comment_url = models.URLField(max_length=URL_MAX, blank=True)
    comment_text = BoundedTextField(max_length=COMMENT_TEXT_MAX, blank=True)
    explanation = BoundedTextField(
        max_length=EXPLANATION_MAX,
        help_text="P22: why the comment does not fall into any of the categories.",
    )
    removal_reference = models.CharField(
        "removal reference",
        max_length=40,
        blank=True,
        help_text="The removal the resident quoted from the city's message "
        "(“Removal #10”), as they wrote it.",
    )
    removal = models.ForeignKey(
        "moderation.RemovalDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        help_text="The removal decision appealed, once staff have found it.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    revised_categories = models.ManyToManyField(
        "moderation.RemovalCategory",
        blank=True,
        related_name="+",
        help_text="For a modified outcome: the categories the removal stands on.",
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [
            ("handle_appeal", "Can handle appeals (review and answer)"),
            ("oversee_appeal", "Can answer any appeal and see every deadline"),
        ]
        indexes = _filing_indexes("appeal")
        constraints = [
            *_filing_constraints("appeal"),
            models.CheckConstraint(
                condition=~models.Q(comment_url="") | ~models.Q(comment_text=""),
                name="appeal_identifies_comment",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="answered") & ~models.Q(outcome=""))
                | (~models.Q(status="answered") & models.Q(outcome="")),
                name="appeal_outcome_iff_answered",
            ),
        ]


class LegalityChallenge(Filing):
    """A written challenge to the legality of part of the policy or notice (P23, N7).

    The city acknowledges it promptly, consults the City Attorney (privileged notes
    in :class:`AttorneyConsultation`), and answers in writing: the policy stands, or
    it is amended (linking the amended version).
    """

    class Outcome(models.TextChoices):
        STANDS = "stands", "The policy stands"
        AMENDED = "amended", "The policy or notice is amended"

    REFERENCE_PREFIX = "LC"

    section_anchor = models.CharField(
        max_length=100, help_text="Which part is challenged (section anchor)."
    )
    section_title = models.CharField(
        max_length=200, help_text="The part's title as shown when it was filed."
    )
    basis = BoundedTextField(
        max_length=EXPLANATION_MAX, help_text="P23: the basis of the challenge."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    amended_version = models.ForeignKey(
        "notices.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For an amended outcome: the new policy or notice version.",
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "legality challenge"
        permissions = [
            ("handle_legalitychallenge", "Can handle legality challenges"),
            (
                "oversee_legalitychallenge",
                "Can answer any legality challenge and see every deadline",
            ),
            (
                "advise_on_legalitychallenge",
                "Can be consulted as the City Attorney on a legality challenge",
            ),
        ]
        indexes = _filing_indexes("challenge")
        constraints = [
            *_filing_constraints("challenge"),
            models.CheckConstraint(
                condition=(models.Q(status="answered") & ~models.Q(outcome=""))
                | (~models.Q(status="answered") & models.Q(outcome="")),
                name="challenge_outcome_iff_answered",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="amended")
                | models.Q(amended_version__isnull=False),
                name="challenge_amended_links_version",
            ),
        ]


#: The kinds of filing by the word that names them in addresses, audit actions
#: and imported records ("appeal", "challenge"), and the model of each.
FILING_MODELS: dict[str, type[Appeal] | type[LegalityChallenge]] = {
    "appeal": Appeal,
    "challenge": LegalityChallenge,
}


class AttorneyConsultation(TimeStampedModel):
    """The City Attorney's consultation on a legality challenge (P23).

    The notes are attorney-client privileged: only the City Attorney and City
    Administrator groups may read them (``appeals.view_attorneyconsultation``),
    in the admin and on the staff pages. Recorded, never edited.
    """

    challenge = models.ForeignKey(
        LegalityChallenge, on_delete=models.PROTECT, related_name="consultations"
    )
    attorney = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consulted_on = models.DateField(default=clock.today)
    notes = BoundedTextField(max_length=RESPONSE_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    classification = classification_field(default="confidential")

    class Meta:
        ordering = ["consulted_on", "id"]

    def __str__(self) -> str:
        return f"Consultation #{self.pk} on {self.challenge.reference}"


class Correspondence(models.Model):
    """One message the city sent a resident about a filing, kept exactly as sent:
    the legal record of what the city wrote (P22, P23).

    Receipts, acknowledgments and written responses. An email is written together
    with its outgoing email (``outbox``, ``core.outbox``) in the transaction of the
    step, and the outbox job sends it: whether it was sent, is waiting or failed,
    and why, is read from that row, never kept twice. A letter is printed and
    marked as mailed by staff (``mailed_at`` and ``marked_by``).
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ACKNOWLEDGMENT = "acknowledgment", "Acknowledgment"
        RESPONSE = "response", "Written response"

    appeal = models.ForeignKey(
        Appeal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correspondence",
    )
    challenge = models.ForeignKey(
        LegalityChallenge,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correspondence",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    to = models.TextField(help_text="Email address or postal address.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now, editable=False)
    outbox = models.OneToOneField(
        "core.OutboxMessage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="An email: the outgoing email that sends it, and its state.",
    )
    mailed_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "correspondence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(appeal__isnull=False, challenge__isnull=True)
                    | models.Q(appeal__isnull=True, challenge__isnull=False)
                ),
                name="correspondence_one_filing",
            ),
            # An email goes through the outbox; only a letter is marked as mailed.
            models.CheckConstraint(
                condition=models.Q(
                    delivery="email",
                    outbox__isnull=False,
                    mailed_at__isnull=True,
                    marked_by__isnull=True,
                )
                | models.Q(delivery="mail", outbox__isnull=True),
                name="correspondence_email_in_outbox",
            ),
        ]

    def __str__(self) -> str:
        filing = self.appeal or self.challenge
        return f"{self.get_kind_display()} for {filing}"

    @property
    def filing(self) -> Filing:
        return self.appeal or self.challenge  # type: ignore[return-value]

    @property
    def address_block(self) -> str:
        """Where a letter goes, the resident's name first (P22, P23): letters
        written before the name was part of ``to`` get it from the filing."""
        name = self.filing.name
        if self.delivery != Delivery.MAIL or not name:
            return self.to
        if self.to.splitlines()[:1] == [name]:
            return self.to
        return f"{name}\n{self.to}"

    @property
    def sent_at(self) -> datetime | None:
        """When it went: sent by the outbox (email) or marked as mailed (letter)."""
        if self.delivery == Delivery.EMAIL:
            return self.outbox.sent_at if self.outbox else None
        return self.mailed_at


class ReminderRun(models.Model):
    """One day's deadline reminders: the unique date makes the job run once a day.

    The reminders are written to the outbox in the run's transaction
    (``finished_at``); the outbox job sends them."""

    run_on = models.DateField(unique=True)
    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    reviewers = models.PositiveIntegerField(default=0)
    digests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return f"Reminders of {date_format(self.run_on)}"
