"""Who may do what with the public notice and the policy (P15-P18, P23).

The roles' permissions (``core.roles`` collects them): the City Administrator
prepares and publishes versions and sees who has acknowledged which policy
version; every role reads the versions and acknowledges the policy for
themselves; the Records Officer also reads the acknowledgments (R2).
"""

from __future__ import annotations

from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

_EVERY_ROLE = {
    "notices.view_documentversion",
    "notices.add_policyacknowledgment",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: _EVERY_ROLE
    | {"notices.publish_documentversion", "notices.view_policyacknowledgment"},
    SOCIAL_MEDIA_MANAGER: set(_EVERY_ROLE),
    RECORDS_OFFICER: _EVERY_ROLE | {"notices.view_policyacknowledgment"},
    CITY_ATTORNEY: set(_EVERY_ROLE),
}
