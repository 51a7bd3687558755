"""Parsing of staff input before it reaches a query (no server error on bad ids)."""

from __future__ import annotations

import pytest

from moderation.forms import LARGEST_ID, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        ("007", 7),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),  # SQLite raises OverflowError on it
        ("9" * 5000, None),  # int() refuses more than 4,300 digits
        ("²", None),  # str.isdigit() accepts it, int() does not
        ("٣", None),  # Arabic-Indic three: int() reads it; not an id in a URL
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        ("\x00", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected
