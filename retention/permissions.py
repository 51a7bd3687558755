"""Who may do what in the retention app (R1-R5, P19, P24, P25), by role.

``ROLE_PERMISSIONS`` is collected by ``core.roles.role_permissions`` after every
``migrate``. Code never tests a group's name: services ``require`` these
permissions and pages declare them (``@staff_required(perm=...)``), so a permission
given to one person directly works as it does for a role.

What depends on the message's account is ``accounts.act_on_account`` (the
account's managers, P11, or whoever acts for every account): handling a message
needs ``retention.handle_message`` and that object rule.

- Holds and disaster periods are placed on the staff pages through services
  (legal holds: the Records Officer, R3; disaster periods: the City
  Administrator, P2, R5), so the admin only views them.
- Runs and the destruction log are never changed or deleted (R4): view only.
- ``retention.view_private_message``: the private fields of a message classified
  private or otherwise not public (P24, Minn. Stat. 13.02) are shown only to
  whoever holds it; everyone else reads "withheld".
"""

from core.roles import (
    CITY_ADMINISTRATOR,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

PERM_HANDLE_MESSAGE = "retention.handle_message"
PERM_VIEW_PRIVATE = "retention.view_private_message"
PERM_RUN_PURGE = "retention.run_purge"
PERM_CLASSIFY = "retention.classify_message"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    RECORDS_OFFICER: {
        "retention.view_retentionschedule",
        "retention.change_retentionschedule",
        "retention.view_legalhold",
        "retention.add_legalhold",
        "retention.change_legalhold",
        "retention.view_disasterperiod",
        "retention.view_purgerun",
        PERM_RUN_PURGE,
        "retention.view_destructionrecord",
        "retention.view_destroyeditem",
        "retention.view_message",
        # Data requests and legal holds need what a message says (P24).
        PERM_VIEW_PRIVATE,
    },
    CITY_ADMINISTRATOR: {
        "retention.view_retentionschedule",
        "retention.view_legalhold",
        "retention.view_disasterperiod",
        "retention.add_disasterperiod",
        "retention.change_disasterperiod",
        "retention.view_purgerun",
        "retention.view_destructionrecord",
        "retention.view_message",
        "retention.add_message",
        PERM_HANDLE_MESSAGE,
        PERM_CLASSIFY,
    },
    SOCIAL_MEDIA_MANAGER: {
        "retention.view_message",
        "retention.add_message",
        PERM_HANDLE_MESSAGE,
        PERM_CLASSIFY,
        # Managers answer the messages of their accounts: they read them.
        PERM_VIEW_PRIVATE,
    },
}
