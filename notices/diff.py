"""The difference between two versions, line by line, for the review page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


def document_lines(title: str, sections: list[dict[str, Any]]) -> list[str]:
    """Return the document as plain lines, one per heading, paragraph or item."""
    lines = [title]
    for section in sections:
        lines.append(f"{section['number']}. {section['title']}")
        for block in section["blocks"]:
            kind = block["type"]
            if kind == "p":
                lines.append(block["text"])
            elif kind == "list":
                lines.extend(f"• {item}" for item in block["items"])
            elif kind == "terms":
                lines.extend(
                    f"{i}. {item['term']}: {item['text']}"
                    for i, item in enumerate(block["items"], start=1)
                )
            elif kind == "address":
                lines.append(f"{block['label']}: " + " / ".join(block["lines"]))
            elif kind == "links":
                lines.extend(
                    f"Link: {item['label']} ({item['href']})" for item in block["items"]
                )
    return lines


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class Hunk:
    lines: list[DiffLine]


def diff_documents(old: list[str], new: list[str], *, context: int = 1) -> list[Hunk]:
    """Return the changed stretches of ``new`` against ``old``, with context."""
    hunks = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", text) for text in old[i1:i2])
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("removed", text) for text in old[i1:i2])
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("added", text) for text in new[j1:j2])
        hunks.append(Hunk(lines))
    return hunks
