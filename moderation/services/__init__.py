"""State changes of the moderation app: one function, one transaction, one audit
event each. Nothing here ever changes or deletes a saved decision (P20 spirit):

    removal_create(...)                    -> RemovalDecision   log a removal
    removal_amend(decision, by, field, value, reason)  -> RemovalAmendment
    removal_notify_author(decision, by, via, text)     -> RemovalAmendment
    removal_add_evidence(decision, by, file, reason)   -> RemovalAmendment
    removal_restore(decision, by, reason)              -> RemovalAmendment
    restoration_request(decision, reason, source, by)  -> RestorationTask (P22)
    restoration_complete(task, by, note)               -> RestorationTask (P22)
    removal_redact(decisions, run_label)   (retention purge only, R2/R4)
    removal_purge(decisions, run_label)    (retention purge only, R2/R4)

The modules: ``removals`` (logging one), ``amendments`` (corrections, telling the
author, restoration), ``restorations`` (the task of putting a comment back after
a reversal), ``evidence`` (screenshots and PDFs), ``retention`` (redaction
and destruction for the purge), and ``_base`` (limits and the checks they share).
"""

from moderation.services._base import (
    COMMENT_TEXT_MAX_CHARS,
    PERSONAL_AMENDABLE,
    REASONING_MIN_CHARS,
    TEXT_FIELD_MAX_CHARS,
    TOLD_WAYS,
    comment_id_from_url,
    require_for_account,
)
from moderation.services.amendments import removal_amend, removal_notify_author
from moderation.services.evidence import EVIDENCE_MAX_BYTES, removal_add_evidence
from moderation.services.removals import removal_create
from moderation.services.restorations import (
    removal_restore,
    restoration_complete,
    restoration_request,
)
from moderation.services.retention import removal_purge, removal_redact

__all__ = [
    "COMMENT_TEXT_MAX_CHARS",
    "EVIDENCE_MAX_BYTES",
    "PERSONAL_AMENDABLE",
    "REASONING_MIN_CHARS",
    "TEXT_FIELD_MAX_CHARS",
    "TOLD_WAYS",
    "comment_id_from_url",
    "removal_add_evidence",
    "removal_amend",
    "removal_create",
    "removal_notify_author",
    "removal_purge",
    "removal_redact",
    "removal_restore",
    "require_for_account",
    "restoration_complete",
    "restoration_request",
]
