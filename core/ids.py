"""Record ids read from addresses and forms."""

from __future__ import annotations

# The largest id a database column holds (64-bit); SQLite raises OverflowError on
# a larger number in a query, and PostgreSQL an error, instead of matching nothing.
LARGEST_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """Return ``value`` (e.g. a query-string value) as a record id, or None when it
    is not one: ASCII digits only (``str.isdigit`` also accepts "²", which ``int``
    refuses), and no larger than ``LARGEST_ID``."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(LARGEST_ID)):
        return None
    number = int(text)
    return number if number <= LARGEST_ID else None
