"""The word-level difference shown on the review page (notices.diff)."""

from __future__ import annotations

import pytest

from notices.diff import (
    PAIR_LIMIT,
    DiffLine,
    Segment,
    diff_documents,
    inline_diff,
)


def _old(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments if s.op != "added")


def _new(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments if s.op != "removed")


def _changes(segments: tuple[Segment, ...]) -> list[tuple[str, str]]:
    return [(s.op, s.text) for s in segments if s.op != "same"]


def test_only_the_changed_word_is_marked():
    segments = inline_diff(
        "We aim to answer within 10 business days.",
        "We aim to answer within 15 business days.",
    )
    assert _changes(segments) == [("removed", "10"), ("added", "15")]
    assert segments[0] == Segment("same", "We aim to answer within ")
    assert segments[-1] == Segment("same", " business days.")


def test_an_e_mail_address_is_one_word_and_trailing_punctuation_is_not_part_of_it():
    segments = inline_diff(
        "Appeals go to the City Clerk (clerk@maplefalls.example.gov).",
        "Appeals go to the City Clerk (appeals@maplefalls.example.gov).",
    )
    assert _changes(segments) == [
        ("removed", "clerk@maplefalls.example.gov"),
        ("added", "appeals@maplefalls.example.gov"),
    ]


def test_words_replaced_side_by_side_read_as_one_phrase():
    segments = inline_diff(
        "It must fit one of these eight categories.",
        "It must fit one of these listed reasons.",
    )
    assert _changes(segments) == [
        ("removed", "eight categories"),
        ("added", "listed reasons"),
    ]


def test_words_only_added_or_only_removed():
    assert _changes(inline_diff("Call us.", "Call us today.")) == [("added", " today")]
    assert _changes(inline_diff("Call us today.", "Call us.")) == [
        ("removed", " today")
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", "New text."),
        ("Old text.", ""),
        ("  spaced   out  ", "spaced out"),
        ("A (b) [c] “d” e.", "A (b) [x] “d” e!"),
        ("<script>alert(1)</script>", "<b>bold</b> & co"),
        ("same", "same"),
    ],
)
def test_the_segments_rebuild_both_lines_exactly(old, new):
    segments = inline_diff(old, new)
    assert _old(segments) == old and _new(segments) == new
    assert all(s.text for s in segments)


def test_similar_lines_are_paired_as_changed_and_unrelated_lines_stay_whole():
    old = ["Title", "The appeal goes to the City Clerk.", "Keep this line."]
    new = [
        "Title",
        "A brand new paragraph about parking.",
        "The appeal goes to the City Administrator.",
        "Keep this line.",
    ]
    [hunk] = diff_documents(old, new)
    assert [line.op for line in hunk.lines] == [
        "same",
        "added",
        "changed",
        "same",
    ]
    changed = hunk.lines[2]
    assert changed.text == "The appeal goes to the City Administrator."
    assert _changes(changed.segments) == [
        ("removed", "Clerk"),
        ("added", "Administrator"),
    ]


def test_pairing_keeps_the_order_of_both_versions():
    old = ["Alpha beta gamma delta.", "One two three four."]
    new = ["One two three five.", "Alpha beta gamma epsilon."]
    [hunk] = diff_documents(old, new)
    # Pairs cannot cross: the first best pair is taken, and what comes before or
    # after it in both versions stays whole.
    assert [line.op for line in hunk.lines] == ["added", "changed", "removed"]
    assert hunk.lines[0] == DiffLine("added", "One two three five.")
    assert hunk.lines[1].text == "Alpha beta gamma epsilon."
    assert hunk.lines[2] == DiffLine("removed", "One two three four.")


def test_a_rewrite_past_the_pairing_limit_is_shown_as_whole_lines():
    size = int(PAIR_LIMIT**0.5) + 1
    old = [f"Old sentence number {i} of the policy." for i in range(size)]
    new = [f"New sentence number {i} of the policy." for i in range(size)]
    lines = [line for hunk in diff_documents(old, new) for line in hunk.lines]
    assert {line.op for line in lines} == {"removed", "added"}
    # Just under the limit, the same kind of edit is paired line by line.
    small = size - 1
    lines = [
        line for hunk in diff_documents(old[:small], new[:small]) for line in hunk.lines
    ]
    assert {line.op for line in lines} == {"changed"}
