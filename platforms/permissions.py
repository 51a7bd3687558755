"""Who may do what with what the platforms send, by role.

Object scope comes from the rules core.permissions already has: a draft removal
is completed or set aside only by someone who may act on its account
(``accounts.act_on_account``: its managers, P11, or the City Administrator).
"""

from core.roles import (
    CITY_ADMINISTRATOR,
    CITY_ATTORNEY,
    RECORDS_OFFICER,
    SOCIAL_MEDIA_MANAGER,
)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {
        "platforms.view_connection",
        # Setting up Mastodon polling: the server and the token's variable name.
        "platforms.change_connection",
        # Deliveries for ids on no account hold residents' words: the City
        # Administrator, who sets accounts' ids on the registry, and records.
        "platforms.view_metadelivery",
        "platforms.change_metadelivery",
        "platforms.view_capturedcomment",
        "platforms.view_draftremoval",
        "platforms.change_draftremoval",
    },
    SOCIAL_MEDIA_MANAGER: {
        "platforms.view_connection",
        "platforms.view_capturedcomment",
        "platforms.view_draftremoval",
        # Completing a draft into a removal (P21), on the accounts they manage.
        "platforms.change_draftremoval",
    },
    RECORDS_OFFICER: {
        "platforms.view_connection",
        "platforms.view_metadelivery",
        "platforms.view_capturedcomment",
        "platforms.view_draftremoval",
    },
    CITY_ATTORNEY: {
        "platforms.view_capturedcomment",
        "platforms.view_draftremoval",
    },
}
