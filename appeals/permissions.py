"""Who may do what with appeals (P22) and legality challenges (P23).

``ROLE_PERMISSIONS`` says which permissions each role group holds (collected by
``core.roles.role_permissions`` after every ``migrate``). Code never tests a
group's name: services ``require(...)`` a permission, selectors filter by one, so
a permission given to one person directly works as it does for a role.

- ``appeals.handle_appeal`` / ``appeals.handle_legalitychallenge``: the workflow
  (acknowledge, assign, review, answer, mark letters mailed);
- ``appeals.oversee_appeal`` / ``appeals.oversee_legalitychallenge``: answer any
  filing of the kind, not only those assigned to them, and see every open one's
  deadline (the digest) - the City Administrator;
- ``appeals.advise_on_legalitychallenge``: the attorney a consultation may be
  recorded with (P23) - the City Attorney;
- ``appeals.view_attorneyconsultation``: the privileged notes.

Object rules (``rules``) for what depends on the filing itself:

- ``appeals.handle_filing``: a staff member who holds ``handle_<kind>`` for the
  filing's kind;
- ``appeals.answer_filing``: the person handles filings of its kind and is its
  assigned reviewer, or oversees filings of its kind (P22, P23).
"""

from __future__ import annotations

from typing import Any

import rules

from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {
        "appeals.view_appeal",
        "appeals.add_appeal",
        "appeals.handle_appeal",
        "appeals.oversee_appeal",
        "appeals.view_legalitychallenge",
        "appeals.add_legalitychallenge",
        "appeals.handle_legalitychallenge",
        "appeals.oversee_legalitychallenge",
        "appeals.view_attorneyconsultation",
        "appeals.add_attorneyconsultation",
        "appeals.view_correspondence",
        "appeals.view_reminderrun",
    },
    SOCIAL_MEDIA_MANAGER: {
        "appeals.view_appeal",
        "appeals.add_appeal",
        "appeals.handle_appeal",
        "appeals.view_correspondence",
    },
    RECORDS_OFFICER: {
        "appeals.view_appeal",
        "appeals.view_legalitychallenge",
        "appeals.view_correspondence",
    },
    CITY_ATTORNEY: {
        "appeals.view_appeal",
        "appeals.view_legalitychallenge",
        "appeals.add_legalitychallenge",
        "appeals.handle_legalitychallenge",
        "appeals.advise_on_legalitychallenge",
        "appeals.view_attorneyconsultation",
        "appeals.add_attorneyconsultation",
        "appeals.view_correspondence",
    },
}


@rules.predicate
def handles_kind(user: Any, filing: Any) -> bool:
    """The person works on filings of this kind (``appeals.handle_<kind>``)."""
    return filing is not None and bool(
        user.is_staff and user.has_perm(f"appeals.handle_{filing.kind}")
    )


@rules.predicate
def is_assigned_reviewer(user: Any, filing: Any) -> bool:
    """The filing is assigned to the person for review (P22, P23)."""
    return (
        filing is not None
        and filing.reviewer_id is not None
        and filing.reviewer_id == user.pk
    )


@rules.predicate
def oversees_kind(user: Any, filing: Any) -> bool:
    """The person answers any filing of this kind (``appeals.oversee_<kind>``)."""
    return filing is not None and bool(user.has_perm(f"appeals.oversee_{filing.kind}"))


rules.add_perm("appeals.handle_filing", handles_kind)
rules.add_perm(
    "appeals.answer_filing", handles_kind & (is_assigned_reviewer | oversees_kind)
)
