"""The parts of the policy and notice a legality challenge may name (P23)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

OTHER = ("other", "Another part, or the policy or notice as a whole")

# Until the notices app publishes its versions, the main parts of the policy and
# notice (P1-P25, N1-N9) stand in.
FALLBACK_SECTIONS: list[tuple[str, str]] = [
    ("policy-purpose", "Policy: purpose and status of the accounts (P1-P6)"),
    ("policy-scope", "Policy: scope and definitions (P7-P10)"),
    ("policy-rules", "Policy: rules of use (P11-P19)"),
    ("policy-comments", "Policy: removing comments, appeals and challenges (P20-P23)"),
    ("policy-retention", "Policy: data ownership and retention (P24-P25)"),
    ("notice-public-data", "Notice: content is public data (N2)"),
    ("notice-removal", "Notice: when comments are removed (N5)"),
    ("notice-appeal", "Notice: appeals and legality challenges (N6, N7)"),
]


def section_choices() -> list[tuple[str, str]]:
    """Return ``(anchor, title)`` for the live policy's and notice's sections,
    then "other"; the built-in list when no version is published yet."""
    sections: list[tuple[str, str]] = []
    try:
        from notices.selectors import document_sections
    except ImportError:
        document_sections = None  # type: ignore[assignment]
    if document_sections is not None:
        sections = list(document_sections())
    return [*(sections or FALLBACK_SECTIONS), OTHER]
