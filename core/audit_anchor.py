"""The audit chain's head, anchored outside the database.

The hash chain shows an event altered, inserted or removed in the middle; it cannot
show the newest events removed, nor all of them: what is left is still a valid
chain. So the head of the chain (its sequence, its hash and the number of events)
is written down outside the database, and ``verify_audit`` compares the database
with what was written down (:func:`audit_anchor_compare`).

:func:`audit_anchor_write` writes one anchor, signed with the audit key, as

* one JSON line appended to ``AUDIT_ANCHOR_FILE`` (by default beside the backups);
* one log line on the ``citysocial.audit.anchor`` logger, which an operator routes
  to syslog or another machine with a ``LOGGING`` handler;
* and, when ``AUDIT_ANCHOR_EMAIL_TO`` names addresses, an email to the Records
  Officer at most every ``AUDIT_ANCHOR_EMAIL_HOURS`` (a failed send is logged, and
  the next anchor tries again).

It runs from the ``audit-anchor`` beat job (every
``AUDIT_ANCHOR_INTERVAL_MINUTES``), at the end of every retention purge run and
with every backup. docs/audit.md is the operator's guide.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core import audit, audit_signing, clock
from core.models import AuditEvent

logger = logging.getLogger(__name__)
anchor_logger = logging.getLogger("citysocial.audit.anchor")

# What an anchor says (and its signature covers), in this order.
FIELDS = ("anchored_at", "sequence", "hash", "events", "reason")


@dataclass(frozen=True)
class Anchor:
    """The chain's head as it was at ``anchored_at``: its newest event
    (``sequence`` 0 and the genesis hash when the trail was empty), its hash, and
    how many events the trail held."""

    anchored_at: datetime
    sequence: int
    hash: str
    events: int
    reason: str
    line: int = 0  # where it was read from

    @property
    def when(self) -> str:
        return timezone.localtime(self.anchored_at).strftime("%Y-%m-%d %H:%M %Z")


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _payload(record: dict[str, Any]) -> str:
    return json.dumps([record[field] for field in FIELDS], separators=(",", ":"))


def _append(path: Path, line: str) -> None:
    """Append one line with one write (O_APPEND), and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def audit_anchor_write(*, reason: str) -> Anchor:
    """Write the chain's head down outside the database: the anchor file, the
    anchor log and, when due, the Records Officer's email. Return the anchor.

    The head is read and written down under the chain's lock, so anchors follow
    each other in the order of the chain and no event is recorded meanwhile.
    """
    with transaction.atomic():
        audit._lock_chain()
        head = audit.chain_head()
        sequence = head.sequence if head else 0
        record: dict[str, Any] = {
            "anchored_at": clock.now().isoformat(),
            "sequence": sequence,
            "hash": head.hash if head else audit.GENESIS_HASH,
            "events": AuditEvent.objects.filter(sequence__lte=sequence).count(),
            "reason": reason,
        }
        record["hmac_key_id"], record["hmac"] = audit_signing.sign_anchor(
            _payload(record)
        )
        line = json.dumps(record, separators=(",", ":"))
        _append(anchor_path(), line)
    anchor_logger.info("audit chain head %s", line)
    _email_if_due(line, record)
    return _anchor(record)


def _anchor(record: dict[str, Any], line: int = 0) -> Anchor:
    return Anchor(
        anchored_at=datetime.fromisoformat(record["anchored_at"]),
        sequence=int(record["sequence"]),
        hash=str(record["hash"]),
        events=int(record["events"]),
        reason=str(record["reason"]),
        line=line,
    )


def _email_if_due(line: str, record: dict[str, Any]) -> None:
    recipients = list(settings.AUDIT_ANCHOR_EMAIL_TO)
    if not recipients:
        return
    sent_file = anchor_path().with_name(anchor_path().name + ".emailed")
    try:
        last = datetime.fromisoformat(sent_file.read_text().strip())
    except (OSError, ValueError):
        last = None
    every = timedelta(hours=settings.AUDIT_ANCHOR_EMAIL_HOURS)
    if last is not None and clock.now() - last < every:
        return
    try:
        send_mail(
            subject=f"Audit trail anchor: event {record['sequence']}",
            message=(
                "The head of the city's audit trail, as this application wrote it "
                f"down at {record['anchored_at']}:\n\n{line}\n\n"
                "Keep this email. To check the audit trail against it, save the "
                "line above in a file and run:\n\n"
                "    python manage.py verify_audit --anchors that-file.jsonl\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception(
            "Could not email the audit anchor; the next anchor tries again"
        )
        return
    sent_file.write_text(clock.now().isoformat())


# --- Comparing the database with the anchors ------------------------------------


@dataclass
class Comparison:
    """What :func:`audit_anchor_compare` found: problems, and what it could not
    check."""

    problems: list[audit.AuditProblem]
    not_checked: list[str]


def read_anchors(path: Path) -> tuple[list[Anchor], list[audit.AuditProblem]]:
    """Return the anchors in ``path`` whose signature holds, and a problem for
    every line that is not one."""
    keys = audit_signing.verification_keys()
    anchors: list[Anchor] = []
    problems: list[audit.AuditProblem] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            where = f"line {number} of {path}"
            try:
                record = json.loads(text)
                anchor = _anchor(record, number)
                problem = audit_signing.anchor_signature_problem(
                    payload=_payload(record),
                    hmac_key_id=str(record.get("hmac_key_id", "")),
                    signature=str(record.get("hmac", "")),
                    keys=keys,
                )
            except (ValueError, KeyError, TypeError):
                problems.append(audit.AuditProblem(None, f"{where} is not an anchor"))
                continue
            if problem:
                problems.append(
                    audit.AuditProblem(None, f"the anchor on {where} {problem}")
                )
            else:
                anchors.append(anchor)
    return anchors, problems


def audit_anchor_compare(*, path: Path | None = None) -> Comparison:
    """Compare the audit trail with the anchors in ``path`` (by default
    ``AUDIT_ANCHOR_FILE``): an emptied trail, a cut tail, an anchored event that
    is gone or rewritten, and an anchor holding less than one before it."""
    path = Path(path or anchor_path())
    result = Comparison(problems=[], not_checked=[])
    if not path.exists():
        result.not_checked.append(
            f"There is no anchor file at {path}: an emptied trail or a cut tail "
            "cannot be detected. (Is the audit-anchor job running?)"
        )
        return result
    anchors, result.problems = read_anchors(path)
    if not anchors:
        result.not_checked.append(
            f"{path} holds no valid anchor: an emptied trail or a cut tail cannot "
            "be detected."
        )
        return result
    problem = result.problems.append
    highest = anchors[0]
    for anchor in anchors[1:]:
        if anchor.sequence < highest.sequence:
            problem(
                audit.AuditProblem(
                    None,
                    f"the anchor of {anchor.when} (line {anchor.line}) ends at event "
                    f"{anchor.sequence}, below event {highest.sequence} anchored at "
                    f"{highest.when}: events were removed from the end between them",
                )
            )
        else:
            highest = anchor
    head = audit.chain_head()
    last = anchors[-1]
    if head is None:
        if highest.events:
            problem(
                audit.AuditProblem(
                    None,
                    f"the trail is empty, but {highest.events} events up to event "
                    f"{highest.sequence} were anchored at {highest.when}: it was "
                    "emptied",
                )
            )
    elif head.sequence < highest.sequence:
        problem(
            audit.AuditProblem(
                None,
                f"the trail ends at event {head.sequence}, but events up to "
                f"{highest.sequence} were anchored at {highest.when}: events "
                f"{head.sequence + 1}..{highest.sequence} were cut from its end",
            )
        )
    _compare_hashes(anchors, result)
    if head is not None:
        count = AuditEvent.objects.filter(sequence__lte=highest.sequence).count()
        if highest.sequence <= head.sequence and count != highest.events:
            problem(
                audit.AuditProblem(
                    None,
                    f"{highest.events} events up to event {highest.sequence} were "
                    f"anchored at {highest.when}; the trail now holds {count}",
                )
            )
        if head.sequence > last.sequence:
            result.not_checked.append(
                f"Events {last.sequence + 1}..{head.sequence} were recorded after "
                f"the last anchor ({last.when}): the removal of the newest of them "
                "cannot be detected until the next anchor."
            )
    return result


def _compare_hashes(anchors: list[Anchor], result: Comparison) -> None:
    """Each anchored event must still be there with the hash anchored."""
    anchored: dict[int, Anchor] = {}
    for anchor in anchors:
        if anchor.sequence:
            anchored.setdefault(anchor.sequence, anchor)
    sequences = sorted(anchored)
    stored: dict[int, str] = {}
    for start in range(0, len(sequences), 1000):
        stored.update(
            AuditEvent.objects.filter(
                sequence__in=sequences[start : start + 1000]
            ).values_list("sequence", "hash")
        )
    head = audit.chain_head()
    for sequence in sequences:
        anchor = anchored[sequence]
        if sequence not in stored:
            if head is not None and sequence < head.sequence:
                result.problems.append(
                    audit.AuditProblem(
                        sequence, f"was anchored at {anchor.when} and is gone"
                    )
                )
        elif stored[sequence] != anchor.hash:
            result.problems.append(
                audit.AuditProblem(
                    sequence,
                    f"no longer has the hash anchored at {anchor.when}: the trail "
                    "was rewritten up to it",
                )
            )
