"""Who may do what with Data Practices requests (P24), by role.

The Records Officer handles requests (intake, search, hold, release, close). The
City Attorney is consulted, with privileged notes only they and the City
Administrator read (as for legality challenges, P23). Social Media Managers may be
asked to search the records of the accounts they manage (the search scopes them,
``datarequests.selectors.search_accounts_for``).
"""

from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    RECORDS_OFFICER: {
        "datarequests.view_datarequest",
        "datarequests.add_datarequest",
        "datarequests.handle_datarequest",
        "datarequests.search_records",
        "datarequests.view_releasepackage",
    },
    CITY_ADMINISTRATOR: {
        "datarequests.view_datarequest",
        "datarequests.view_releasepackage",
        "datarequests.view_requestconsultation",
    },
    CITY_ATTORNEY: {
        "datarequests.view_datarequest",
        "datarequests.view_requestconsultation",
        "datarequests.add_requestconsultation",
    },
    SOCIAL_MEDIA_MANAGER: {
        # Asked to search their own accounts for a request.
        "datarequests.search_records",
    },
}
