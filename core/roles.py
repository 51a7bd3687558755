"""The staff roles of the design (Django groups) and the permissions each holds.

A role is a group that holds permissions; code never tests a group's name, it asks
``user.has_perm(...)`` (``core.permissions.require`` in a service). Each app declares
what each role holds in ``<app>/permissions.py`` (``ROLE_PERMISSIONS``, next to its
models and its object rules). Groups are created by a data migration; after every
``migrate`` each role's permissions are added to its group (never removed, so a
city's own additions survive).
"""

from __future__ import annotations

from typing import Any

CITY_ADMINISTRATOR = "City Administrator"
SOCIAL_MEDIA_MANAGER = "Social Media Manager"
RECORDS_OFFICER = "Records Officer"
CITY_ATTORNEY = "City Attorney"

ROLES = (CITY_ADMINISTRATOR, SOCIAL_MEDIA_MANAGER, RECORDS_OFFICER, CITY_ATTORNEY)

# "app_label.codename" for every permission a role holds, of the apps that have
# not yet moved theirs to ``<app>/permissions.py`` (core's own, the sign-in
# security records', moderation's, appeals' and retention's).
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITY_ADMINISTRATOR: {
        "core.view_auditevent",
        "core.view_holiday",
        # Every email sent or waiting (core.outbox).
        "core.view_outboxmessage",
        "core.add_holiday",
        "core.change_holiday",
        "core.delete_holiday",
        "moderation.view_removalcategory",
        "moderation.change_removalcategory",
        # Sign-in security: unlock lockouts, reset a lost second factor.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    },
    SOCIAL_MEDIA_MANAGER: {"moderation.view_removalcategory"},
    RECORDS_OFFICER: {"core.view_auditevent", "moderation.view_removalcategory"},
    CITY_ATTORNEY: {"moderation.view_removalcategory"},
}

# Comment removals (P20-P22). Decisions are never changed or deleted, so
# no role holds change/delete on them; "add" is logging one and appending
# amendments (managers only for the accounts they manage, enforced in services).
ROLE_PERMISSIONS[CITY_ADMINISTRATOR] |= {
    "moderation.view_removaldecision",
    "moderation.add_removaldecision",
    "moderation.view_removalamendment",
    "moderation.add_removalamendment",
    "moderation.view_removalevidence",
    "moderation.add_removalevidence",
}
ROLE_PERMISSIONS[SOCIAL_MEDIA_MANAGER] |= {
    "moderation.view_removaldecision",
    "moderation.add_removaldecision",
    "moderation.view_removalamendment",
    "moderation.add_removalamendment",
    "moderation.view_removalevidence",
    "moderation.add_removalevidence",
}
# Data requests (Records Officer) and appeal advice (City Attorney): read only.
for _role in (RECORDS_OFFICER, CITY_ATTORNEY):
    ROLE_PERMISSIONS[_role] |= {
        "moderation.view_removaldecision",
        "moderation.view_removalamendment",
        "moderation.view_removalevidence",
    }

# Appeals and legality challenges (P22, P23). "handle" is the workflow
# (acknowledge, review, answer); privileged attorney notes are
# appeals.view_attorneyconsultation, held by the City Attorney and the City
# Administrator only.
ROLE_PERMISSIONS[CITY_ADMINISTRATOR] |= {
    "appeals.view_appeal",
    "appeals.add_appeal",
    "appeals.handle_appeal",
    "appeals.view_legalitychallenge",
    "appeals.add_legalitychallenge",
    "appeals.handle_legalitychallenge",
    "appeals.view_attorneyconsultation",
    "appeals.add_attorneyconsultation",
    "appeals.view_correspondence",
    "appeals.view_reminderrun",
}
ROLE_PERMISSIONS[SOCIAL_MEDIA_MANAGER] |= {
    "appeals.view_appeal",
    "appeals.add_appeal",
    "appeals.handle_appeal",
    "appeals.view_correspondence",
}
ROLE_PERMISSIONS[RECORDS_OFFICER] |= {
    "appeals.view_appeal",
    "appeals.view_legalitychallenge",
    "appeals.view_correspondence",
}
ROLE_PERMISSIONS[CITY_ATTORNEY] |= {
    "appeals.view_appeal",
    "appeals.view_legalitychallenge",
    "appeals.add_legalitychallenge",
    "appeals.handle_legalitychallenge",
    "appeals.view_attorneyconsultation",
    "appeals.add_attorneyconsultation",
    "appeals.view_correspondence",
}

def role_permissions() -> dict[str, set[str]]:
    """Return every role's permissions, as the installed apps declare them in
    ``<app>/permissions.py`` (``ROLE_PERMISSIONS``)."""
    from importlib import import_module

    from django.apps import apps

    merged = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(perms)
    return merged


def sync_role_permissions(*, using: str = "default") -> None:
    """Create the role groups and add each role's permissions to its group."""
    from django.contrib.auth.models import Group, Permission

    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*[by_name[p] for p in perms if p in by_name])


def role_names(user: Any) -> frozenset[str]:
    """Return the names of the roles ``user`` holds (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    """Return True when ``user`` holds any of ``roles`` (superusers hold them all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(role_names(user) & set(roles))
