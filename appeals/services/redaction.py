"""Redaction of appeals and legality challenges: only for the retention purge
(R2, R4). Appeals owns its records, so the purge (``retention.series``) calls
these services rather than writing the tables itself.

A redacted filing keeps its record (reference, dates, status, outcome, who
handled it); the resident's name, contact, own words, scanned letter, the
letters sent to them (and the emails that carried them, in the outbox), the
attorney's notes on a challenge (they may quote the challenger) and the
personal part of their audit events are destroyed. The letter files are
deleted only once the batch commits (``core.files``): a batch rolled back keeps
its files with its records (R3, R4).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, Value, When

from appeals.models import (
    DESTROYED,
    Appeal,
    AttorneyConsultation,
    Correspondence,
    Delivery,
    LegalityChallenge,
)
from core import audit, outbox
from core.files import file_delete_after_commit

# What each kind of filing holds of the resident beyond name and contact.
_OWN_WORDS: dict[type[Any], dict[str, Any]] = {
    Appeal: {
        "account_other": "",
        "comment_url": "",
        "comment_text": DESTROYED,
        "explanation": DESTROYED,
    },
    LegalityChallenge: {"basis": DESTROYED},
}


def _redact(
    model: type[Appeal] | type[LegalityChallenge], ids: list[int], run_label: str
) -> int:
    if not ids:
        return 0
    filings = model.objects.filter(pk__in=ids)
    file_delete_after_commit(
        names=filings.exclude(letter="").values_list("letter", flat=True)
    )
    count = filings.update(
        name=DESTROYED,
        email="",
        postal_address=DESTROYED,
        reply_by=Delivery.MAIL,
        letter="",
        letter_sha256="",
        response=Case(When(response="", then=Value("")), default=Value(DESTROYED)),
        withdrawal_note="",
        **_OWN_WORDS[model],
    )
    link = "appeal" if model is Appeal else "challenge"
    letters = Correspondence.objects.filter(**{f"{link}_id__in": ids})
    outbox.outbox_redact(
        ids=letters.exclude(outbox=None).values_list("outbox_id", flat=True),
        run_label=run_label,
    )
    letters.update(to=DESTROYED, body=DESTROYED)
    if model is LegalityChallenge:
        AttorneyConsultation.objects.filter(challenge_id__in=ids).update(
            notes=DESTROYED
        )
    audit.redact_personal(model=model, ids=ids, run_label=run_label)
    return count


@transaction.atomic
def appeal_redact(*, ids: Iterable[int], run_label: str = "") -> int:
    """Clear the personal data of these appeals and their letters (R2, R4);
    return how many appeals were redacted. Only for the retention purge."""
    return _redact(Appeal, [int(i) for i in ids], run_label)


@transaction.atomic
def challenge_redact(*, ids: Iterable[int], run_label: str = "") -> int:
    """Clear the personal data of these legality challenges, their letters and
    the attorney's notes (R2, R4); return how many challenges were redacted.
    Only for the retention purge."""
    return _redact(LegalityChallenge, [int(i) for i in ids], run_label)
