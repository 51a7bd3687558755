"""Who may do what with the transparency figures.

The public page, the open data and the published reports need no permission. The
City Administrator freezes the yearly report for council and sees the staff view
of the same figures with names (who removed, who reviewed), for internal review.
"""

from __future__ import annotations

from core.roles import CITY_ADMINISTRATOR

FREEZE = "transparency.freeze_annualreport"
STAFF_VIEW = "transparency.view_transparency_staff"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {FREEZE, STAFF_VIEW, "transparency.view_annualreport"},
}
