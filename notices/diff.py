"""The difference between two versions, for the review page.

Lines are compared first. Where a stretch of lines was replaced, each old line is
paired with the new line most like it, and a pair is shown as one "changed" line
with the words taken out and put in marked inside it, so the City Administrator
sees which words changed rather than two whole paragraphs to compare by eye. Lines
with no similar partner stay whole "removed" or "added" lines.

Everything here is plain text: the template escapes it when it renders the
``<ins>``/``<del>`` markup, so text from the city profile can never become HTML.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

# Two lines are shown as one changed line when at least this share of their words
# match (difflib's ratio over words); below it they are unrelated lines.
PAIR_CUTOFF = 0.5
# Pairing compares every old line of a replaced stretch with every new one. Past
# this many comparisons (a rewrite, not an edit) the lines are shown whole.
PAIR_LIMIT = 2500

# Punctuation peeled off the start and end of a word, so that "days." and "days,"
# both compare equal to "days", and a changed full stop is shown on its own.
# (With the curly quotes: \u201c \u2018 open, \u201d \u2019 close.)
_LEADING = "([{\"'\u201c\u2018"
_TRAILING = ".,;:!?)]}\"'\u201d\u2019"


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
class Segment:
    """A run of text inside a changed line: "same", "added" or "removed"."""

    op: str
    text: str


@dataclass(frozen=True)
class DiffLine:
    """One line of the difference.

    ``op`` is "same", "added", "removed" or "changed". ``text`` is the line as it
    reads in the new version (in the old one, for a removed line); a changed line
    also has ``segments``, which read as the old line with the removed words and
    as the new line with the added words.
    """

    op: str
    text: str
    segments: tuple[Segment, ...] = field(default=())


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
            else:
                lines.extend(_replace(old[i1:i2], new[j1:j2]))
        hunks.append(Hunk(lines))
    return hunks


def _replace(old: list[str], new: list[str]) -> list[DiffLine]:
    """Return the lines for a stretch where ``old`` became ``new``."""
    if not old or not new or len(old) * len(new) > PAIR_LIMIT:
        return [DiffLine("removed", text) for text in old] + [
            DiffLine("added", text) for text in new
        ]
    words = [_words(text) for text in new]
    best, best_i, best_j = PAIR_CUTOFF, -1, -1
    for i, old_text in enumerate(old):
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(_words(old_text))
        for j, new_words in enumerate(words):
            matcher.set_seq1(new_words)
            if (
                matcher.real_quick_ratio() >= best
                and matcher.quick_ratio() >= best
                and (ratio := matcher.ratio()) >= best
                and (ratio > best or best_i < 0)
            ):
                best, best_i, best_j = ratio, i, j
    if best_i < 0:
        return _replace(old, []) + _replace([], new)
    # The most similar pair splits the stretch: pair what comes before it and
    # what comes after it the same way (as difflib.Differ does), keeping order.
    return [
        *_replace(old[:best_i], new[:best_j]),
        DiffLine("changed", new[best_j], inline_diff(old[best_i], new[best_j])),
        *_replace(old[best_i + 1 :], new[best_j + 1 :]),
    ]


def _tokens(text: str) -> list[str]:
    """Split ``text`` into words, runs of spaces and edge punctuation.

    A word is what a reader sees as one: "clerk@city.example.gov" and "123-4567"
    stay whole, while the full stop after "days." is its own token.
    """
    tokens: list[str] = []
    for chunk in re.split(r"(\s+)", text):
        if not chunk:
            continue
        if chunk.isspace():
            tokens.append(chunk)
            continue
        start, end = 0, len(chunk)
        while start < end and chunk[start] in _LEADING:
            start += 1
        while end > start and chunk[end - 1] in _TRAILING:
            end -= 1
        tokens.extend(chunk[:start])
        if start < end:
            tokens.append(chunk[start:end])
        tokens.extend(chunk[end:])
    return tokens


def _words(text: str) -> list[str]:
    return [token for token in _tokens(text) if not token.isspace()]


def inline_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Return ``old`` and ``new`` as one run of same, removed and added text.

    Reading the same and removed segments gives ``old``; the same and added ones
    give ``new``. A space (or a lone punctuation mark) between two changes is
    folded into them, so "the eight categories" replaced word by word reads as one
    removed phrase and one added phrase rather than a patchwork.
    """
    a, b = _tokens(old), _tokens(new)
    # [(same text, removed text, added text)]: each change follows its same run.
    runs: list[list[str]] = [["", "", ""]]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(["".join(a[i1:i2]), "", ""])
        else:
            runs[-1][1] += "".join(a[i1:i2])
            runs[-1][2] += "".join(b[j1:j2])
    merged: list[list[str]] = []
    for same, removed, added in runs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and (previous[1] or previous[2])
            and (removed or added)
            and _is_filler(same)
        ):
            previous[1] += same + removed
            previous[2] += same + added
        else:
            merged.append([same, removed, added])
    segments: list[Segment] = []
    for same, removed, added in merged:
        for op, text in (("same", same), ("removed", removed), ("added", added)):
            if text:
                segments.append(Segment(op, text))
    return tuple(segments)


def _is_filler(text: str) -> bool:
    """True for unchanged text too small to stand between two changes."""
    return not any(ch.isalnum() for ch in text) and len(text.strip()) <= 1
