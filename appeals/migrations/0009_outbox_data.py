"""Every email to a resident goes through the outbox (core.OutboxMessage).

Each emailed Correspondence gets its outgoing email, which now holds whether it
was sent, is waiting or was given up (``sent_at`` and ``send_error`` leave
Correspondence; ``sent_at`` stays, as ``mailed_at``, for letters marked as
mailed). A filing whose receipt the old receipts job had not written yet gets it
now, in the outbox (the job's columns go in 0010).
"""

from django.conf import settings
from django.db import migrations
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

DESTROYED = "[destroyed under the retention schedule]"
KINDS = {"receipt": "Receipt", "acknowledgment": "Acknowledgment", "response": "Written response"}


def _filing_of(letter):
    if letter.appeal_id:
        return "appeal", letter.appeal
    return "challenge", letter.challenge


def _staff_url(prefix, filing):
    return reverse(f"appeals:staff-{'appeal' if prefix == 'appeal' else 'legalitychallenge'}", args=[filing.pk])


def _permission(prefix):
    return "appeals.handle_appeal" if prefix == "appeal" else "appeals.handle_legalitychallenge"


def _reply_to(profile, prefix):
    if profile is None:
        return ""
    return profile.appeal_email if prefix == "appeal" else profile.legality_email


def _outbox_row(OutboxMessage, *, letter, prefix, filing, profile, now):
    message = OutboxMessage(
        to=letter.to,
        reply_to=_reply_to(profile, prefix),
        subject=letter.subject,
        body=letter.body,
        audience="resident",
        topic=f"{prefix}.{letter.kind}",
        about=f"{KINDS.get(letter.kind, letter.kind)} for {filing.reference}",
        about_url=_staff_url(prefix, filing),
        permission=_permission(prefix),
        created_at=letter.created_at,
    )
    if letter.to == DESTROYED:
        message.to = message.reply_to = message.body = ""
        message.redacted_at = now
    if letter.mailed_at is not None:
        message.status = "sent"
        message.sent_at = letter.mailed_at
        message.attempts = 1
        message.last_attempt_at = letter.mailed_at
    elif letter.send_error or message.redacted_at:
        message.status = "gave_up"
        message.gave_up_at = now
        message.last_error = letter.send_error or (
            "destroyed under the retention schedule before it was sent"
        )
    else:
        message.status = "pending"
        message.next_attempt_at = now
    message.save()
    return message


def forward(apps, schema_editor):
    Correspondence = apps.get_model("appeals", "Correspondence")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    CityProfile = apps.get_model("accounts", "CityProfile")
    profile = CityProfile.objects.first()
    now = timezone.now()
    letters = Correspondence.objects.filter(delivery="email").select_related(
        "appeal", "challenge"
    )
    for letter in letters.order_by("pk"):
        prefix, filing = _filing_of(letter)
        letter.outbox = _outbox_row(
            OutboxMessage, letter=letter, prefix=prefix, filing=filing,
            profile=profile, now=now,
        )
        letter.mailed_at = None
        letter.marked_by = None
        letter.save(update_fields=["outbox", "mailed_at", "marked_by"])
    # Receipts the old receipts job had not written yet: written now, to the outbox.
    for prefix, model_name in (("appeal", "Appeal"), ("challenge", "LegalityChallenge")):
        model = apps.get_model("appeals", model_name)
        pending = model.objects.filter(receipt_pending=True).exclude(email="")
        for filing in pending.order_by("pk"):
            if Correspondence.objects.filter(kind="receipt", **{prefix: filing}).exists():
                continue
            noun = "appeal" if prefix == "appeal" else "legality challenge"
            body = render_to_string(
                "appeals/email/receipt.txt",
                {
                    "filing": {
                        "kind": "appeal" if prefix == "appeal" else "legalitychallenge",
                        "name": filing.name,
                        "reference": filing.reference,
                        "received_on": filing.received_on,
                        "ack_due_on": filing.ack_due_on,
                        "answer_due_on": filing.answer_due_on,
                    },
                    "status_url": settings.SITE_URL
                    + reverse("appeals:status", args=[filing.status_token]),
                    "site_url": settings.SITE_URL,
                    "profile": profile,
                },
            ).strip() + "\n"
            letter = Correspondence(
                kind="receipt",
                delivery="email",
                to=filing.email,
                subject=f"We received your {noun} ({filing.reference})"[:200],
                body=body,
                **{prefix: filing},
            )
            letter.outbox = _outbox_row(
                OutboxMessage, letter=letter, prefix=prefix, filing=filing,
                profile=profile, now=now,
            )
            letter.save()


def backward(apps, schema_editor):
    Correspondence = apps.get_model("appeals", "Correspondence")
    for letter in Correspondence.objects.exclude(outbox=None).select_related("outbox"):
        message = letter.outbox
        letter.mailed_at = message.sent_at
        letter.send_error = message.last_error if message.status == "gave_up" else ""
        letter.outbox = None
        letter.save(update_fields=["mailed_at", "send_error", "outbox"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_bounded_text"),
        ("appeals", "0008_outbox"),
        ("core", "0005_outbox"),
    ]

    operations = [migrations.RunPython(forward, backward)]
