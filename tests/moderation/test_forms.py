"""Parsing of staff input before it reaches a query (no server error on bad ids)."""

from __future__ import annotations

import pytest
from django import forms

from core.ids import LARGEST_ID, parse_id
from moderation.forms import LocalDateTimeField


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


def test_local_date_time_is_one_the_database_can_store(settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+11:39 in year 1 (local mean time)
    field = LocalDateTimeField()
    with pytest.raises(forms.ValidationError):
        field.clean("0001-01-01 09:00")  # 0000-12-31 in UTC
    assert field.clean("0001-01-01 12:00").year == 1
