"""One way to search records about a person (Data Practices requests).

Each app's ``<thing>_search(...)`` selector builds its filter with
:func:`search_q`: any of the terms (a name, a handle, an email address) found in
any of the fields, within a date range and on some accounts. Only the app that
owns a table searches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Q

from core import clock

# A search term shorter than this would match almost everything.
MIN_TERM = 2


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Return the distinct terms worth searching for, without a leading "@"."""
    out: list[str] = []
    for term in terms:
        # "@danaw" is found by "danaw" (the fields are searched for a part).
        bare = (term or "").strip().lstrip("@")
        if len(bare) >= MIN_TERM and bare not in out:
            out.append(bare)
    return out


def search_q(
    *,
    fields: Sequence[str],
    terms: Iterable[str] = (),
    date_field: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    account_field: str = "",
    accounts: Iterable[Any] | None = None,
    date_is_day: bool = False,
) -> Q | None:
    """Return the filter for these terms, dates and accounts; None when it can
    match nothing (no term at all, or no account to search)."""
    terms = clean_terms(terms)
    if not terms:
        return None
    q = Q()
    for term in terms:
        for field in fields:
            q |= Q(**{f"{field}__icontains": term})
    if date_field and (date_from or date_to):
        if date_from:
            start: Any = date_from if date_is_day else clock.day_start(date_from)
            if start is not None:
                q &= Q(**{f"{date_field}__gte": start})
        if date_to and date_is_day:
            q &= Q(**{f"{date_field}__lte": date_to})
        elif date_to:
            end = clock.day_start(date_to, days_later=1)
            if end is not None:
                q &= Q(**{f"{date_field}__lt": end})
    if account_field and accounts is not None:
        ids = [getattr(a, "pk", a) for a in accounts]
        if not ids:
            return None
        q &= Q(**{f"{account_field}__in": ids})
    return q
